// Fingerprints of one finished scan (docs/campaigns.md lists every kind).
#include "campaigns/fingerprint.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include <openssl/sha.h>

#include "codecs/text/dates.hpp"
#include "codecs/text/addresses.hpp"
#include "core/text.hpp"
#include "meta/families.hpp"
#include "meta/groups.hpp"
#include "meta/icon_images.hpp"
#include "meta/ioc.hpp"
#include "meta/mime.hpp"
#include "meta/pe.hpp"

namespace sluice::campaigns {
namespace {

using analysis::lure::PublicSuffixList;

struct KindClass {
  std::string_view kind;
  LinkClass cls;
};

// The one table of kinds: adding a fingerprint is a line here and a line in
// docs/campaigns.md.
constexpr std::array kKinds{
    KindClass{"payload", LinkClass::strong},        // SHA-256 of an executable payload
    KindClass{"c2", LinkClass::strong},             // host:port from an implant's configuration
    KindClass{"mutex", LinkClass::strong},          // the implant's mutex
    KindClass{"icon_imphash", LinkClass::strong},   // icon pHash + imphash of one executable
    KindClass{"subject", LinkClass::template_},     // subject template
    KindClass{"body", LinkClass::template_},        // body text template (digest)
    KindClass{"from_domain", LinkClass::infrastructure},    // From registrable domain
    KindClass{"sender_domain", LinkClass::infrastructure},  // envelope / Return-Path registrable domain
    KindClass{"sender_ip", LinkClass::infrastructure},      // first external Received address
    KindClass{"sender_host", LinkClass::infrastructure},    // its reverse name's registrable domain
    KindClass{"layout", LinkClass::layout},         // container chain, member counts, name pattern, hidden files
    KindClass{"imphash", LinkClass::payload},
    KindClass{"icon", LinkClass::payload},
    KindClass{"botnet", LinkClass::payload},        // the implant's campaign tag
    KindClass{"url_domain", LinkClass::links},      // registrable domains of links
    KindClass{"chain", LinkClass::report},          // container chain alone ("email>zip>iso9660>pe-exe")
    KindClass{"display_name", LinkClass::report},   // the brand's name, shared by unrelated waves
    KindClass{"brand", LinkClass::report},
    KindClass{"theme", LinkClass::report},
    KindClass{"family", LinkClass::report},
};

constexpr std::size_t kMaxFingerprints = 256;  // per message: a report, not a dump
constexpr std::size_t kMinSubjectTemplate = 8;
constexpr std::size_t kMinBodyTemplate = 24;

bool is_message(FileType t) noexcept {
  return t == FileType::email || t == FileType::outlook_msg || t == FileType::tnef;
}

class Builder {
 public:
  void add(std::string_view kind, std::string value) {
    if (value.empty() || set_.size() >= kMaxFingerprints) return;
    if (value.size() > 512) value.resize(512);
    set_.emplace(std::string(kind), std::move(value));
  }
  std::vector<Fingerprint> take() {
    std::vector<Fingerprint> out;
    out.reserve(set_.size());
    for (auto& [k, v] : set_) out.push_back({k, v});
    return out;
  }

 private:
  std::set<std::pair<std::string, std::string>> set_;
};

// An envelope address as the MTA gave it (the milter's, not a header's).
std::string domain_of(std::string_view address) { return codecs::text::read_mailbox(address).domain; }

bool private_ipv4(std::string_view ip) {
  unsigned a = 0, b = 0;
  std::size_t i = 0;
  auto num = [&](unsigned& out) {
    std::size_t n = 0;
    out = 0;
    while (i < ip.size() && std::isdigit(static_cast<unsigned char>(ip[i])) && n < 4) {
      out = out * 10 + static_cast<unsigned>(ip[i] - '0');
      ++i;
      ++n;
    }
    return n > 0;
  };
  if (!num(a) || i >= ip.size() || ip[i++] != '.' || !num(b)) return true;  // not an address we understand
  return a == 10 || a == 127 || a == 0 || (a == 172 && b >= 16 && b < 32) || (a == 192 && b == 168) ||
         (a == 169 && b == 254) || (a == 100 && b >= 64 && b < 128);
}

bool private_ip(std::string_view ip) {
  if (ip.find(':') == std::string_view::npos) return private_ipv4(ip);
  const std::string l = core::ascii_lower(ip);
  return l == "::1" || l.starts_with("fc") || l.starts_with("fd") || l.starts_with("fe80") || l == "::";
}

struct Hop {
  std::string ip;
  std::string host;  // the reverse name (or HELO) the receiving MTA wrote
};

// "from mail.example.net (mail.example.net [203.0.113.7]) by mx…" → the
// address in brackets and the name before it. Only the `from` clause is read:
// `by`/`for` name the receiver, not the sender.
std::optional<Hop> parse_received(std::string_view r) {
  const std::string lower = core::ascii_lower(r.substr(0, 512));
  std::string_view l(lower);
  if (!l.starts_with("from ")) return std::nullopt;
  const std::size_t by = l.find(" by ");
  const std::string_view from = l.substr(5, by == std::string_view::npos ? l.size() - 5 : by - 5);
  const std::size_t open = from.find('[');
  if (open == std::string_view::npos) return std::nullopt;
  const std::size_t close = from.find(']', open);
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view ip = from.substr(open + 1, close - open - 1);
  if (ip.starts_with("ipv6:")) ip.remove_prefix(5);
  if (ip.empty() || ip.find_first_not_of("0123456789abcdef:.") != std::string_view::npos) return std::nullopt;
  Hop hop{std::string(ip), {}};
  // The reverse name sits just before the bracket, inside the parentheses:
  // "(rdns [ip])"; fall back to the HELO name after "from ".
  std::string_view before = from.substr(0, open);
  while (!before.empty() && (before.back() == ' ' || before.back() == '(')) before.remove_suffix(1);
  const std::size_t cut = before.find_last_of(" (");
  std::string_view name = cut == std::string_view::npos ? before : before.substr(cut + 1);
  if (name.find('.') != std::string_view::npos && name != "unknown") hop.host = std::string(name);
  return hop;
}

void mail_facts(const Artifact& msg, const PublicSuffixList& psl, const Envelope* env, MessageFacts& f,
                Builder& b) {
  std::string mid = msg.meta_string(meta::mail::message_id);
  while (!mid.empty() && (mid.front() == ' ' || mid.front() == '<')) mid.erase(mid.begin());
  while (!mid.empty() && (mid.back() == ' ' || mid.back() == '>')) mid.pop_back();
  f.message_id = mid.substr(0, 512);

  const Mailbox from = msg.first_mailbox(meta::mail::from);
  f.from_domain = from.domain;
  if (!from.domain.empty()) b.add("from_domain", psl.registrable(from.domain));
  if (!from.display.empty()) b.add("display_name", core::ascii_lower(from.display).substr(0, 128));

  std::set<std::string> rcpt;
  if (env != nullptr) {
    f.envelope_sender = domain_of(env->mail_from);
    for (const auto& r : env->rcpt_to) {
      if (rcpt.size() >= 256) break;
      if (auto d = domain_of(r); !d.empty()) rcpt.insert(std::move(d));
    }
  } else {
    f.envelope_sender = msg.first_mailbox(meta::mail::return_path).domain;
    for (const Meta& m : msg.meta) {
      if (m.key != meta::mail::to && m.key != meta::mail::cc) continue;
      const auto* list = std::get_if<MailAddresses>(&m.value);
      if (list == nullptr) continue;
      for (const Mailbox& a : list->mailboxes) {
        if (rcpt.size() >= 256) break;
        if (!a.domain.empty()) rcpt.insert(a.domain);
      }
    }
  }
  if (!f.envelope_sender.empty()) b.add("sender_domain", psl.registrable(f.envelope_sender));
  // The targeted domains are a fact of the message (its row), not a
  // fingerprint: they never link, and a row each only repeated the list.
  f.recipient_domains.assign(rcpt.begin(), rcpt.end());

  f.subject = msg.meta_string(meta::mail::subject).substr(0, 998);
  f.sent_at = codecs::text::parse_mail_date(msg.meta_string(meta::mail::date));
  if (std::string t = text_template(f.subject, 512); t.size() >= kMinSubjectTemplate) b.add("subject", std::move(t));

  for (const Meta& m : msg.meta) {
    if (m.key != meta::mail::received) continue;
    const auto* s = std::get_if<std::string>(&m.value);
    if (s == nullptr) continue;
    const auto hop = parse_received(*s);
    if (!hop || private_ip(hop->ip)) continue;
    b.add("sender_ip", hop->ip);
    if (!hop->host.empty()) b.add("sender_host", psl.registrable(hop->host));
    break;  // the first hop outside our own: the sender's infrastructure
  }
}

// Visible text of a crude HTML body when no format left a text rendering: the
// tags go, the words stay.
std::string strip_tags(std::string_view html) {
  std::string out;
  bool tag = false;
  for (char c : html) {
    if (c == '<') tag = true;
    else if (c == '>') { tag = false; out += ' '; }
    else if (!tag) out += c;
  }
  return out;
}

void body_template(const ArtifactTree& tree, const Artifact& msg, Builder& b) {
  for (ArtifactId id : msg.children) {
    const Artifact& c = tree[id];
    if (c.type != FileType::text && c.type != FileType::html) continue;
    std::string text(c.readable_text().substr(0, 16384));
    if (c.type == FileType::html && !c.has_text) text = strip_tags(text);
    const std::string t = text_template(text, 4096);
    if (t.size() < kMinBodyTemplate) return;
    std::array<std::uint8_t, SHA256_DIGEST_LENGTH> digest{};
    SHA256(reinterpret_cast<const unsigned char*>(t.data()), t.size(), digest.data());
    b.add("body", to_hex(std::span<const std::uint8_t>(digest).first(12)));
    return;
  }
}

// From the message (or the scanned file) down to an executable: types with
// their member counts, then the names' pattern, then which are hidden.
void layout(const ArtifactTree& tree, ArtifactId exe, ArtifactId top, Builder& b) {
  std::vector<ArtifactId> chain;
  for (ArtifactId p = exe; p != kNoArtifact; p = tree[p].parent) {
    chain.push_back(p);
    if (p == top) break;
  }
  std::reverse(chain.begin(), chain.end());
  std::string types, counted, names, hide;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const Artifact& a = tree[chain[i]];
    if (i) {
      types += '>';
      counted += '>';
    }
    if (i > 1) names += '>';
    types += to_string(a.type);
    counted += to_string(a.type);
    if (i + 1 < chain.size()) counted += '[' + std::to_string(a.children.size()) + ']';
    if (i) names += name_pattern(a.display_name());
    hide += meta::any_hidden_flag(a) ? 'h' : '-';
  }
  b.add("chain", types);
  b.add("layout", counted + " " + names + " " + hide);
}

void payloads(const ArtifactTree& tree, ArtifactId top, Builder& b) {
  for (const Artifact& a : tree) {
    if (a.duplicate_of) continue;
    if (is_executable(a.type) && a.hashed && !a.bytes.empty()) {
      b.add("payload", to_hex(a.hashes.sha256));
      layout(tree, a.id, top, b);
      const std::string imp = a.meta_string(meta::pe::imphash);
      if (!imp.empty()) b.add("imphash", imp);
      // The executable's own icon: the first icon artifact below it.
      for (ArtifactId c : a.children) {
        const Hash64* hash = tree[c].meta_value(meta::icon::phash);
        if (hash == nullptr) continue;
        const std::string ph = hash->hex();
        b.add("icon", ph);
        if (!imp.empty()) b.add("icon_imphash", ph + "/" + imp);
        break;
      }
    }
    for (const Meta& m : a.meta) {
      const auto* s = std::get_if<std::string>(&m.value);
      if (s == nullptr) continue;
      if (m.key == meta::family) b.add("family", *s);
      else if (m.key == meta::ioc::c2) b.add("c2", core::ascii_lower(*s));
      else if (a.find_meta(meta::family) != nullptr) {
        for (const meta::FamilyKeys* keys : meta::kFamilyKeys) {
          if (m.key == keys->mutex) b.add("mutex", *s);
          else if (m.key == keys->botnet) b.add("botnet", *s);
        }
      }
    }
  }
}

void links(const ArtifactTree& tree, const PublicSuffixList& psl, Builder& b) {
  std::size_t n = 0;
  for (const Artifact& a : tree) {
    for (const Meta& m : a.meta) {
      // Links only: ioc.domain also carries implant C2 hosts, which are the
      // strong `c2` fingerprint already.
      if (m.key != meta::ioc::url) continue;
      const auto* s = std::get_if<std::string>(&m.value);
      if (s == nullptr || ++n > 64) continue;
      std::string host = *s;
      const auto p = host.find("://");
      if (p == std::string::npos) continue;
      host = host.substr(p + 3);
      host = host.substr(0, host.find_first_of("/?#:"));
      if (const auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
      host = core::ascii_lower(host);
      if (host.empty() || host.find('.') == std::string::npos) continue;
      b.add("url_domain", psl.registrable(host));
    }
  }
}

void lure(const ScanResult& r, Builder& b) {
  for (const Finding& f : r.findings) {
    for (const auto& [k, v] : f.evidence) {
      if (k == "brand") b.add("brand", v);
      if (k == "themes") {
        // `covid ("coronavirus"), health alert ("health alert")`: the names
        // before each quoted phrase.
        std::size_t at = 0;
        while (at < v.size()) {
          const std::size_t open = v.find(" (\"", at);
          if (open == std::string::npos) break;
          b.add("theme", v.substr(at, open - at));
          const std::size_t close = v.find("\")", open + 3);
          if (close == std::string::npos) break;
          at = close + 2;
          if (v.compare(at, 2, ", ") == 0) at += 2;
        }
      }
    }
  }
}

}  // namespace

LinkClass link_class(std::string_view kind) noexcept {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.cls;
  }
  return LinkClass::report;
}

std::vector<std::string_view> linking_kinds() {
  std::vector<std::string_view> out;
  for (const auto& k : kKinds) {
    if (k.cls != LinkClass::report) out.push_back(k.kind);
  }
  return out;
}

std::string_view to_string(LinkClass c) noexcept {
  switch (c) {
    case LinkClass::strong: return "strong";
    case LinkClass::template_: return "template";
    case LinkClass::infrastructure: return "infrastructure";
    case LinkClass::layout: return "layout";
    case LinkClass::payload: return "payload";
    case LinkClass::links: return "links";
    case LinkClass::report: return "report";
  }
  return "report";
}

std::string encode_features(const model::FeatureSpace& space, std::span<const float> x) {
  std::string out;
  char item[48];
  for (std::size_t i = 0; i < x.size() && i < space.size(); ++i) {
    if (x[i] == 0) continue;
    // The feature's place in its version's list, and the shortest text that
    // reads back as the same float (decode_features).
    char* at = item;
    if (!out.empty()) *at++ = ';';
    at = std::to_chars(at, item + sizeof item, i).ptr;
    *at++ = '=';
    // Most features are counts: an integer is its own shortest text. (Cast
    // only in range: converting NaN, an infinity or a huge value is undefined.)
    const bool count = std::abs(x[i]) < 1e6f && x[i] == std::trunc(x[i]);
    const auto [end, ec] = count ? std::to_chars(at, item + sizeof item, static_cast<std::int32_t>(x[i]))
                                 : std::to_chars(at, item + sizeof item, x[i]);
    if (ec != std::errc{}) continue;
    out.append(item, end);
  }
  return out;
}

std::vector<float> decode_features(const model::FeatureSpace& space, std::string_view text, std::size_t& skipped) {
  std::vector<float> x(space.size(), 0.0f);
  std::map<std::string_view, std::size_t> index;  // for rows recorded before schema 6, which named them
  while (!text.empty()) {
    const std::size_t end = std::min(text.find(';'), text.size());
    const std::string_view item = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    const std::size_t eq = std::min(item.find('='), item.size());
    const std::string_view key = item.substr(0, eq);
    std::size_t at = space.size();
    if (!key.empty() && key.find_first_not_of("0123456789") == std::string_view::npos) {
      if (const auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), at);
          ec != std::errc{} || p != key.data() + key.size()) {
        at = space.size();
      }
    } else {
      if (index.empty()) {
        for (std::size_t i = 0; i < space.size(); ++i) index.emplace(space.features()[i].name, i);
      }
      if (const auto it = index.find(key); it != index.end()) at = it->second;
    }
    float v = 0;
    const char* first = item.data() + std::min(eq + 1, item.size());
    const auto [ptr, ec] = std::from_chars(first, item.data() + item.size(), v);
    if (at >= space.size() || eq == item.size() || ec != std::errc{} || ptr != item.data() + item.size() ||
        !std::isfinite(v)) {
      ++skipped;
      continue;
    }
    x[at] = v;
  }
  return x;
}

MessageRecord extract(const ScanResult& result, const PublicSuffixList& psl, const Envelope* envelope,
                      const model::FeatureSpace* features) {
  MessageRecord rec;
  MessageFacts& f = rec.facts;
  f.input = result.input;
  if (features != nullptr) {
    f.feature_version = features->version();
    // The engine's own model input when it has one in this space: the same
    // vector (the model's finding is not a feature), computed once.
    const bool scored = result.feature_version == f.feature_version && result.features.size() == features->size();
    f.features = scored ? encode_features(*features, result.features)
                        : encode_features(*features, features->extract(result));
  }
  f.verdict = result.verdict;
  f.score = result.score;
  std::set<std::string> seen;
  for (const Finding& x : result.findings) {
    if (seen.insert(x.id).second) f.findings.push_back(x.id);
  }
  if (!result.findings.empty() && result.findings.front().artifact < result.tree.size()) {
    f.evidence = result.tree.evidence_path(result.findings.front().artifact);
  }
  Builder b;
  if (result.tree.empty()) return rec;
  const Artifact& root = result.tree[0];
  if (is_message(root.type)) {
    mail_facts(root, psl, envelope, f, b);
    body_template(result.tree, root, b);
  }
  payloads(result.tree, root.id, b);
  links(result.tree, psl, b);
  lure(result, b);
  rec.fingerprints = b.take();
  return rec;
}

}  // namespace sluice::campaigns
