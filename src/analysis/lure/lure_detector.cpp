// The lure: who the mail claims to be from and what it talks about. A message
// whose display name says "U.S. Small Business Administration" but whose
// address is at sba-loans-gov.com, whose text is about disaster loans, and
// which carries an executable in a disk image, is the 2020 campaign exactly.
// The lure alone never makes a message malicious (legitimate mail talks about
// invoices); lure plus a risky attachment raises it.
#include <set>

#include "analysis/detector.hpp"
#include "analysis/lure/domains.hpp"
#include "analysis/lure/lexicon.hpp"
#include "core/text.hpp"
#include "meta/archive.hpp"
#include "meta/mime.hpp"
#include "meta/zip.hpp"

namespace sluice::analysis::lure {
namespace {

constexpr std::size_t kTextCap = 64 * 1024;

bool official(const Brand& b, const std::string& registrable) {
  for (const auto& d : b.domains) {
    if (d == registrable) return true;
  }
  return false;
}

// Digits and letter pairs attackers swap in for look-alikes (paypa1, rnicrosoft).
std::string deconfuse(std::string_view s) {
  std::string o;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == 'r' && i + 1 < s.size() && s[i + 1] == 'n') { o.push_back('m'); ++i; continue; }
    if (c == 'v' && i + 1 < s.size() && s[i + 1] == 'v') { o.push_back('w'); ++i; continue; }
    o.push_back(c == '0' ? 'o' : c == '1' ? 'l' : c == '3' ? 'e' : c == '5' ? 's' : c);
  }
  return o;
}

std::vector<std::string> labels_of(std::string_view d) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : d) {
    if (c == '.' || c == '-' || c == '_') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// Every brand's phrases, then every theme's: list i is brand i, list
// brands.size() + j is theme j.
PhraseLists phrase_lists(const std::vector<Brand>& brands, const std::vector<Theme>& themes) {
  std::vector<std::vector<std::string>> lists;
  for (const Brand& b : brands) lists.push_back(b.phrases);
  for (const Theme& t : themes) lists.push_back(t.phrases);
  return PhraseLists(std::move(lists));
}

// A message as the lure rules read it: MIME mail, and Outlook's own forms
// (.msg, TNEF), whose unpackers set the same mail.* meta and body children.
bool is_message(FileType t) noexcept {
  return t == FileType::email || t == FileType::outlook_msg || t == FileType::tnef;
}

bool risky(const ArtifactTree& tree, const Artifact& a, ArtifactId& which) {
  // Breadth over the subtree; the tree is bounded by the engine's limits.
  std::vector<ArtifactId> todo(a.children.begin(), a.children.end());
  while (!todo.empty()) {
    const Artifact& c = tree[todo.back()];
    todo.pop_back();
    if (is_executable(c.type) || strips_mark_of_the_web(c.type)) {
      which = c.id;
      return true;
    }
    if (c.meta_flag(meta::zip::encrypted) || c.meta_flag(meta::archive::encrypted)) {
      which = c.id;
      return true;
    }
    if (!is_message(c.type)) todo.insert(todo.end(), c.children.begin(), c.children.end());
  }
  return false;
}

class LureDetector final : public Detector {
 public:
  explicit LureDetector(PublicSuffixList psl)
      : psl_(std::move(psl)),
        brands_(builtin_brands()),
        themes_(builtin_themes()),
        phrases_(phrase_lists(brands_, themes_)) {}
  std::string_view name() const noexcept override { return "lure"; }

  void inspect(const ArtifactTree& tree, FindingSink& sink) const override {
    for (const Artifact& a : tree) {
      if (is_message(a.type)) inspect_message(tree, a, sink);
    }
  }

 private:
  void inspect_message(const ArtifactTree& tree, const Artifact& msg, FindingSink& sink) const {
    const Mailbox from = msg.first_mailbox(meta::mail::from);
    const std::string from_reg = from.domain.empty() ? "" : psl_.registrable(from.domain);
    const std::string subject = msg.meta_string(meta::mail::subject);
    std::vector<std::string_view> text{subject};
    for (ArtifactId c : msg.children) {
      const Artifact& part = tree[c];
      if (part.type == FileType::text || part.type == FileType::html) {
        // UTF-8 text when the part's format decoded one (charset, HTML → text).
        text.push_back(part.readable_text().substr(0, kTextCap));
      }
    }
    bool lured = false;
    std::set<std::string> claimed;
    const PhraseLists::Found in_display = phrases_.find(from.display);
    const PhraseLists::Found in_text = phrases_.find(text);
    for (std::size_t bi = 0; bi < brands_.size(); ++bi) {
      const Brand& b = brands_[bi];
      if (!from_reg.empty() && official(b, from_reg)) continue;
      if (const auto p = in_display.first(bi); !p.empty()) {
        lured = true;
        claimed.insert(b.name);
        sink.add("sender.display_name_impersonation", Severity::medium, msg.id,
                 "the sender's name claims " + b.name + " but the address is at " +
                     (from_reg.empty() ? std::string("no domain") : from_reg),
                 {{"brand", b.name}, {"display_name", from.display}, {"from_domain", from.domain},
                  {"official_domains", join(b.domains)}});
      } else if (const auto q = in_text.first(bi); !q.empty() && !from_reg.empty()) {
        lured = true;
        claimed.insert(b.name);
        sink.add("lure.brand_claim", Severity::low, msg.id,
                 "the message speaks for " + b.name + " (\"" + std::string(q) + "\") but comes from " + from_reg,
                 {{"brand", b.name}, {"phrase", std::string(q)}, {"from_domain", from.domain}});
      }
    }
    if (!from_reg.empty()) lured |= lookalike(msg, from_reg, sink);
    lured |= link_impersonation(tree, msg, sink);
    std::string themes;
    for (std::size_t ti = 0; ti < themes_.size(); ++ti) {
      const Theme& t = themes_[ti];
      if (const auto p = in_text.first(brands_.size() + ti); !p.empty()) {
        themes += (themes.empty() ? "" : ", ") + t.name + " (\"" + std::string(p) + "\")";
      }
    }
    if (!themes.empty()) {
      lured = true;
      sink.add("lure.theme", Severity::info, msg.id, "lure themes: " + themes, {{"themes", themes}});
    }
    const Forwarding fwd = forwarding(msg, from_reg);
    reply_to(msg, from_reg, fwd, sink);
    auth_results(msg, fwd, sink);
    ArtifactId attachment = kNoArtifact;
    if (lured && risky(tree, msg, attachment)) {
      sink.add("lure.risky_attachment", Severity::high, attachment,
               "a lure carries " + std::string(info(tree[attachment].type).description) +
                   (tree[attachment].type == FileType::unknown ? std::string(" (encrypted)") : std::string()),
               {{"message", tree.evidence_path(msg.id)}});
    }
  }

  // A link whose text shows a brand's official site while it goes elsewhere
  // (the MIME format records the shown host of each such link): the reader is
  // told "sba.gov" and sent to sba-loans-gov.example.com.
  bool link_impersonation(const ArtifactTree& tree, const Artifact& msg, FindingSink& sink) const {
    for (ArtifactId c : msg.children) {
      // Whatever the part sniffed as (an HTML fragment reads as text), the
      // MIME format recorded the links it rendered as HTML.
      const Artifact& part = tree[c];
      for (const Meta& m : part.meta) {
        if (m.key != meta::html::link_shown_host) continue;
        const auto* shown = std::get_if<std::string>(&m.value);
        if (shown == nullptr) continue;
        const std::string reg = psl_.registrable(*shown);
        for (const Brand& b : brands_) {
          if (!official(b, reg)) continue;
          sink.add("lure.link_impersonation", Severity::medium, part.id,
                   "a link shows " + b.name + "'s site " + reg + " but goes elsewhere",
                   {{"brand", b.name}, {"shown_domain", reg}});
          return true;
        }
      }
    }
    return false;
  }

  bool lookalike(const Artifact& msg, const std::string& from_reg, FindingSink& sink) const {
    // The label the owner chose: "sba-loans-gov" of "sba-loans-gov.com".
    const std::string raw_owner = from_reg.substr(0, from_reg.find('.'));
    const std::string owner = deconfuse(raw_owner);
    std::vector<std::string> tokens;
    for (auto& t : labels_of(owner)) tokens.push_back(std::move(t));
    for (const Brand& b : brands_) {
      if (official(b, from_reg)) return false;
    }
    for (const Brand& b : brands_) {
      for (const std::string& d : b.domains) {
        const std::string_view brand_label = std::string_view(d).substr(0, d.find('.'));
        if (brand_label.size() < 3) continue;
        // "cdc.net" is someone's own name under another suffix, not an imitation;
        // "cdc-gov-alerts.com" and "paypa1.com" are.
        bool hit = false;
        if (tokens.size() > 1) {
          for (const auto& t : tokens) hit = hit || t == brand_label;
        }
        if (!hit && brand_label.size() >= 5 && raw_owner != brand_label) {
          hit = owner == brand_label || edit_distance(owner, brand_label, 1) <= 1;
        }
        if (hit) {
          sink.add("sender.lookalike_domain", Severity::medium, msg.id,
                   "the sender's domain " + from_reg + " imitates " + d + " (" + b.name + ")",
                   {{"from_domain", from_reg}, {"imitates", d}, {"brand", b.name}});
          return true;
        }
      }
    }
    return false;
  }

  // What shows that a list (or another forwarder) re-sent the message: the
  // signs Mailman, Sympa, Google Groups and public-inbox leave. Such mail fails
  // SPF/DMARC downstream and points Reply-To at the list as a matter of course.
  struct Forwarding {
    std::string signs;     // "List-Id, Sender ≠ From" … (empty: not forwarded)
    std::string list_reg;  // registrable domain of the list's address, if any
  };

  Forwarding forwarding(const Artifact& msg, const std::string& from_reg) const {
    Forwarding f;
    const auto add = [&f](std::string_view sign) { f.signs += (f.signs.empty() ? "" : ", ") + std::string(sign); };
    if (msg.find_meta(meta::mail::list_id) != nullptr) add("List-Id");
    if (const std::string post = msg.meta_string(meta::mail::list_post); !post.empty()) {
      add("List-Post");
      // "<mailto:list@lists.example.org>": the address after "mailto:".
      const auto at = post.find('@');
      if (at != std::string::npos) {
        std::size_t end = at + 1;
        while (end < post.size() && post[end] != '>' && post[end] != '?' && post[end] != ' ') ++end;
        f.list_reg = psl_.registrable(core::ascii_lower(post.substr(at + 1, end - at - 1)));
      }
    }
    if (msg.find_meta(meta::mail::arc_seal) != nullptr) add("ARC-Seal");
    const Mailbox sender = msg.first_mailbox(meta::mail::sender);
    if (!sender.domain.empty() && !from_reg.empty() && psl_.registrable(sender.domain) != from_reg) {
      add("Sender ≠ From");
      if (f.list_reg.empty()) f.list_reg = psl_.registrable(sender.domain);
    }
    return f;
  }

  void reply_to(const Artifact& msg, const std::string& from_reg, const Forwarding& fwd,
                FindingSink& sink) const {
    const Mailbox rt = msg.first_mailbox(meta::mail::reply_to);
    if (rt.domain.empty() || from_reg.empty()) return;
    const std::string rt_reg = psl_.registrable(rt.domain);
    // Replies to the list that carried the message are how lists work.
    if (!fwd.list_reg.empty() && rt_reg == fwd.list_reg) return;
    if (rt_reg != from_reg) {
      sink.add("sender.reply_to_mismatch", Severity::low, msg.id,
               "replies go to " + rt_reg + ", not to the sender's " + from_reg,
               {{"reply_to_domain", rt_reg}, {"from_domain", from_reg}});
    }
  }

  void auth_results(const Artifact& msg, const Forwarding& fwd, FindingSink& sink) const {
    std::string failed;
    for (const Meta& m : msg.meta) {
      if (m.key != meta::mail::authentication_results) continue;
      const auto* s = std::get_if<std::string>(&m.value);
      if (s == nullptr) continue;
      const std::string v = core::ascii_lower(*s);
      for (std::string_view f : {"spf=fail", "spf=softfail", "dkim=fail", "dmarc=fail"}) {
        if (v.find(f) != std::string::npos && failed.find(f) == std::string::npos) {
          failed += (failed.empty() ? "" : ", ") + std::string(f);
        }
      }
    }
    if (failed.empty()) return;
    if (!fwd.signs.empty()) {
      sink.add("sender.auth_failed_forwarded", Severity::info, msg.id,
               "the receiving server recorded " + failed + " on mail a list re-sent (" + fwd.signs + ")",
               {{"results", failed}, {"forwarded_by", fwd.signs}});
      return;
    }
    sink.add("sender.auth_failed", Severity::low, msg.id, "the receiving server recorded " + failed,
             {{"results", failed}});
  }

  static std::string join(const std::vector<std::string>& v) {
    std::string o;
    for (const auto& s : v) o += (o.empty() ? "" : ", ") + s;
    return o;
  }

  PublicSuffixList psl_;
  std::vector<Brand> brands_;
  std::vector<Theme> themes_;
  PhraseLists phrases_;
};

}  // namespace

Status register_detector(Detectors& d, const Config& config) {
  auto psl = PublicSuffixList::load(config.lure.public_suffix_list);
  if (!psl) return std::unexpected(psl.error());
  d.push_back(std::make_unique<LureDetector>(std::move(*psl)));
  return {};
}

}  // namespace sluice::analysis::lure
