#include "core/passwords.hpp"

#include <algorithm>
#include <array>
#include <unordered_set>

#include "core/text.hpp"
#include "meta/mime.hpp"

namespace sluice::core {
namespace {

// Lower-case keywords; matched against a lower-cased copy (ASCII folding only,
// so the non-Latin keywords are listed in the case mail uses).
constexpr std::array<std::string_view, 22> kKeywords{
    "password", "passwort", "passwd", "pass", "pwd", "pw", "code", "kennwort", "mot de passe",
    "contraseña", "contrasena", "senha", "parola", "wachtwoord", "hasło", "haslo", "heslo",
    "пароль", "密码", "パスワード", "şifre", "sifre"};

// Words that follow a keyword but are not the password.
constexpr std::array<std::string_view, 16> kFiller{"is", "ist", "est", "es", "is:", "=", ":", "-",
                                                   "for", "the", "archive", "file", "zip",
                                                   "attachment", "to", "open"};

constexpr std::array<std::string_view, 10> kDefaults{"infected", "password", "malware", "virus",
                                                     "1234", "12345", "123456", "2020", "2021",
                                                     "covid"};

bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

// HTML reduced to its text: tags become spaces, the entities mail uses decoded.
std::string strip_html(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool in_tag = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '<') { in_tag = true; out.push_back(' '); continue; }
    if (c == '>' && in_tag) { in_tag = false; continue; }
    if (in_tag) continue;
    if (c == '&') {
      static constexpr std::array<std::pair<std::string_view, char>, 6> kEntities{
          {{"&nbsp;", ' '}, {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}}};
      bool done = false;
      for (const auto& [name, ch] : kEntities) {
        if (s.substr(i, name.size()) == name) {
          out.push_back(ch);
          i += name.size() - 1;
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string trim_token(std::string_view t) {
  auto strip = [](char c) {
    return c == '"' || c == '\'' || c == '.' || c == ',' || c == ';' || c == ')' || c == '(' ||
           c == '[' || c == ']' || c == '*' || c == '<' || c == '>' || c == ':' || c == '!' || c == '?';
  };
  while (!t.empty() && strip(t.front())) t.remove_prefix(1);
  while (!t.empty() && strip(t.back())) t.remove_suffix(1);
  return std::string(t);
}

std::vector<std::string_view> tokens(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(static_cast<unsigned char>(s[i]))) ++i;
    const std::size_t start = i;
    while (i < s.size() && !is_space(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

class Collector {
 public:
  Collector(std::vector<std::string>& out, const PasswordHarvest& o) : out_(out), opts_(o) {
    for (const auto& s : out_) seen_.insert(s);
  }
  bool full() const { return out_.size() >= opts_.max_candidates; }
  void add(std::string t, bool keyworded = false) {
    const std::size_t min = keyworded ? opts_.min_keyworded : opts_.min_token;
    if (full() || t.size() < min || t.size() > opts_.max_token) return;
    if (seen_.insert(t).second) out_.push_back(std::move(t));
  }

 private:
  std::vector<std::string>& out_;
  const PasswordHarvest& opts_;
  std::unordered_set<std::string> seen_;
};

bool is_alnum(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

// "pass" inside "password" or "compass" is not a keyword: ASCII keywords must
// stand as words (the text after may still be glued on with ':' or '=').
bool at_word(std::string_view lower, std::size_t at, std::string_view kw) {
  if (at > 0 && is_alnum(lower[at - 1])) return false;
  const std::size_t end = at + kw.size();
  return end >= lower.size() || !is_alnum(lower[end]);
}

enum class Phase { keywords, tokens };

// `plain`: the text is already what a reader sees (a part's decoded text), so
// a literal '<' in it must not start a "tag" that swallows words.
void harvest_into(std::string_view raw, Collector& c, Phase phase, bool plain = false) {
  const std::string text = plain ? std::string(raw.substr(0, 1 << 20)) : strip_html(raw.substr(0, 1 << 20));
  if (phase == Phase::tokens) {
    for (std::string_view t : tokens(text)) {
      if (c.full()) break;
      c.add(trim_token(t));
    }
    return;
  }
  const std::string lower = ascii_lower(text);
  // Keyword hits: the next non-filler token (also the rest of "Password:xyz").
  for (std::string_view kw : kKeywords) {
    for (std::size_t at = lower.find(kw); at != std::string::npos && !c.full();
         at = lower.find(kw, at + kw.size())) {
      if (!at_word(lower, at, kw)) continue;
      std::string_view after = std::string_view(text).substr(at + kw.size(), 200);
      // "password:abc" glued to the keyword
      if (!after.empty() && (after.front() == ':' || after.front() == '=')) after.remove_prefix(1);
      int taken = 0;
      for (std::string_view t : tokens(after)) {
        std::string tok = trim_token(t);
        const std::string low = ascii_lower(tok);
        if (tok.empty() || std::find(kFiller.begin(), kFiller.end(), low) != kFiller.end()) continue;
        c.add(tok, true);
        // Keep the raw token too: a password may end in punctuation.
        c.add(std::string(t), true);
        if (++taken == 1) break;
      }
    }
  }
}

}  // namespace

std::span<const std::string_view> default_passwords() noexcept { return kDefaults; }

std::vector<std::string> harvest_passwords(std::string_view text, const PasswordHarvest& opts) {
  std::vector<std::string> out;
  Collector c(out, opts);
  harvest_into(text, c, Phase::keywords);
  harvest_into(text, c, Phase::tokens);
  return out;
}

std::vector<std::string> password_candidates(const ArtifactTree& tree, ArtifactId id,
                                             const PasswordHarvest& opts) {
  std::vector<std::string> out;
  Collector c(out, opts);
  // Keyworded words from every text first, then any token: "Password: x" in
  // the body outranks every word of the subject.
  for (const Phase phase : {Phase::keywords, Phase::tokens}) {
    for (ArtifactId anc = tree[id].parent; anc != kNoArtifact; anc = tree[anc].parent) {
      const Artifact& a = tree[anc];
      if (const auto* subject = a.find_meta(meta::mail::subject)) {
        if (const auto* s = std::get_if<std::string>(subject)) harvest_into(*s, c, phase);
      }
      for (ArtifactId child : a.children) {
        const Artifact& part = tree[child];
        if (child == id || (part.type != FileType::text && part.type != FileType::html)) continue;
        // The part's UTF-8 text when its format decoded one (charset, HTML).
        harvest_into(part.readable_text(), c, phase, part.has_text);
      }
    }
    // "invoice_pw_2020.zip": name parts.
    for (const Name& n : tree[id].names) {
      std::string parts = n.value;
      std::replace_if(parts.begin(), parts.end(),
                      [](char ch) { return ch == '_' || ch == '-' || ch == '.'; }, ' ');
      harvest_into(parts, c, phase);
    }
  }
  for (std::string_view d : kDefaults) c.add(std::string(d));
  return out;
}

}  // namespace sluice::core
