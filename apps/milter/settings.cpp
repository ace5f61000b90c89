// toml++ as src/scoring/config.cpp builds it: header-only, no exceptions, so a
// broken file is an error value.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include "settings.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <sstream>
#include <thread>

#include "core/files.hpp"

namespace sluice::milter {

namespace {

constexpr std::pair<Action, std::string_view> kActions[] = {
    {Action::reject, "reject"}, {Action::tempfail, "tempfail"}, {Action::quarantine, "quarantine"},
    {Action::discard, "discard"}, {Action::tag, "tag"}, {Action::accept, "accept"}};

std::unexpected<Error> bad(std::string_view source, const std::string& what) {
  return fail(Errc::invalid_argument, 0, std::string(source) + ": " + what);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Result<std::uint64_t> whole(const toml::node& n, const std::string& what, std::string_view source,
                            std::uint64_t lo, std::uint64_t hi) {
  const auto v = n.value<std::int64_t>();
  if (!v || *v < 0 || static_cast<std::uint64_t>(*v) < lo || static_cast<std::uint64_t>(*v) > hi) {
    return bad(source, what + " needs a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return static_cast<std::uint64_t>(*v);
}

Result<std::string> text(const toml::node& n, const std::string& what, std::string_view source) {
  const auto v = n.value<std::string>();
  if (!v) return bad(source, what + " needs a string");
  // Reply texts and headers travel in SMTP lines: a line break would end them early.
  if (v->find_first_of("\r\n") != std::string::npos) return bad(source, what + " must be one line");
  return *v;
}

Result<std::vector<std::string>> addresses(const toml::node& n, const std::string& what,
                                           std::string_view source) {
  const toml::array* a = n.as_array();
  if (a == nullptr) return bad(source, what + " needs an array of addresses");
  std::vector<std::string> out;
  for (const toml::node& e : *a) {
    const auto v = e.value<std::string>();
    if (!v || v->empty() || v->find('@') == std::string::npos) {
      return bad(source, what + " entries look like user@example.org or @example.org");
    }
    out.push_back(lower(*v));
  }
  return out;
}

Status apply_milter(const toml::table& t, MilterSettings& m, std::string_view source) {
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    Action* action = k == "on_clean"        ? &m.on_clean
                     : k == "on_suspicious" ? &m.on_suspicious
                     : k == "on_malicious"  ? &m.on_malicious
                     : k == "on_error"      ? &m.on_error
                     : k == "on_busy"       ? &m.on_busy
                     : k == "on_oversize"   ? &m.on_oversize
                                            : nullptr;
    if (action != nullptr) {
      const auto s = node.value<std::string>();
      const auto a = s ? action_from_string(*s) : std::nullopt;
      if (!a) return bad(source, "milter." + k + " must be reject, tempfail, quarantine, discard, tag or accept");
      // A clean message is delivered; only whether it carries headers is a choice.
      if (k == "on_clean" && *a != Action::tag && *a != Action::accept) {
        return bad(source, "milter.on_clean must be tag or accept");
      }
      *action = *a;
    } else if (k == "listen") {
      auto v = text(node, "milter.listen", source);
      if (!v) return std::unexpected(v.error());
      m.listen = *v;
    } else if (k == "socket_mode") {
      // A string of octal digits ("0660"), as chmod spells it; TOML's 0o660 also works.
      if (node.is_integer()) {
        auto v = whole(node, "milter.socket_mode", source, 0, 0777);
        if (!v) return std::unexpected(v.error());
        m.socket_mode = static_cast<std::uint32_t>(*v);
      } else {
        auto v = text(node, "milter.socket_mode", source);
        if (!v) return std::unexpected(v.error());
        std::uint32_t mode = 0;
        const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), mode, 8);
        if (v->empty() || ec != std::errc{} || end != v->data() + v->size() || mode > 0777) {
          return bad(source, "milter.socket_mode must be octal permissions such as \"0660\"");
        }
        m.socket_mode = mode;
      }
    } else if (k == "socket_group") {
      auto v = text(node, "milter.socket_group", source);
      if (!v) return std::unexpected(v.error());
      m.socket_group = *v;
    } else if (k == "workers" || k == "max_queued") {
      auto v = whole(node, "milter." + k, source, 0, 1024);
      if (!v) return std::unexpected(v.error());
      if (k == "workers") {
        m.workers = static_cast<unsigned>(*v);
      } else {
        m.max_queued = static_cast<unsigned>(*v);
      }
    } else if (k == "max_message_bytes") {
      auto v = whole(node, "milter.max_message_bytes", source, 1, std::uint64_t{4} << 30);
      if (!v) return std::unexpected(v.error());
      m.max_message_bytes = *v;
    } else if (k == "header_findings") {
      auto v = whole(node, "milter.header_findings", source, 0, 50);
      if (!v) return std::unexpected(v.error());
      m.header_findings = static_cast<std::size_t>(*v);
    } else if (k == "reject_text" || k == "tempfail_text" || k == "quarantine_text") {
      auto v = text(node, "milter." + k, source);
      if (!v) return std::unexpected(v.error());
      (k == "reject_text" ? m.reject_text : k == "tempfail_text" ? m.tempfail_text : m.quarantine_text) = *v;
    } else if (k == "skip_authenticated" || k == "isolate") {
      const auto v = node.is_boolean() ? node.value<bool>() : std::nullopt;
      if (!v) return bad(source, "milter." + k + " needs true or false");
      (k == "isolate" ? m.isolate : m.skip_authenticated) = *v;
    } else if (k == "sender_allow" || k == "recipient_allow") {
      auto v = addresses(node, "milter." + k, source);
      if (!v) return std::unexpected(v.error());
      (k == "sender_allow" ? m.sender_allow : m.recipient_allow) = std::move(*v);
    } else if (k == "quarantine_dir") {
      auto v = text(node, "milter.quarantine_dir", source);
      if (!v) return std::unexpected(v.error());
      m.quarantine_dir = *v;
    } else {
      return bad(source, "unknown milter key '" + k + "'");
    }
  }
  return {};
}

Status apply_http(const toml::table& t, HttpSettings& h, std::string_view source) {
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    if (k == "listen") {
      auto v = text(node, "http.listen", source);
      if (!v) return std::unexpected(v.error());
      if (!v->empty() && v->rfind(':') == std::string::npos) {
        return bad(source, "http.listen looks like 127.0.0.1:7358");
      }
      h.listen = *v;
    } else if (k == "max_body_bytes") {
      auto v = whole(node, "http.max_body_bytes", source, 1, std::uint64_t{4} << 30);
      if (!v) return std::unexpected(v.error());
      h.max_body_bytes = *v;
    } else {
      return bad(source, "unknown http key '" + k + "'");
    }
  }
  return {};
}

std::string quoted(std::string_view s) {
  std::ostringstream os;
  os << toml::value<std::string>(std::string(s));
  return os.str();
}

std::string octal(std::uint32_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode));
  return buf;
}

std::string list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + quoted(v[i]);
  return out + "]";
}

}  // namespace

std::string_view to_string(Action a) noexcept {
  for (const auto& [action, name] : kActions) {
    if (action == a) return name;
  }
  return "?";
}

std::optional<Action> action_from_string(std::string_view s) noexcept {
  for (const auto& [action, name] : kActions) {
    if (name == s) return action;
  }
  return std::nullopt;
}


unsigned Settings::effective_workers() const noexcept {
  if (milter.workers != 0) return milter.workers;
  return std::max(1u, std::thread::hardware_concurrency());
}

Result<Settings> parse_settings(std::string_view toml_text, std::string_view source) {
  toml::parse_result parsed = toml::parse(toml_text, source);
  if (!parsed) {
    const auto& e = parsed.error();
    return bad(source, "line " + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  Settings s;
  s.source = std::string(source);
  for (const auto& [key, node] : parsed.table()) {
    const std::string k(key.str());
    if (k == "milter" && node.is_table()) {
      if (auto st = apply_milter(*node.as_table(), s.milter, source); !st) return std::unexpected(st.error());
    } else if (k == "http" && node.is_table()) {
      if (auto st = apply_http(*node.as_table(), s.http, source); !st) return std::unexpected(st.error());
    }
  }
  // The rest is the engine's; apply_config rejects what it does not know, so a
  // misspelt [milter] table cannot pass unnoticed either.
  auto base = default_config();
  if (!base) return std::unexpected(base.error());
  auto engine = apply_config(std::move(*base), toml_text, source, {"milter", "http"});
  if (!engine) return std::unexpected(engine.error());
  s.engine = std::move(*engine);
  return s;
}

Result<Settings> load_settings(const std::string& path) {
  if (path.empty()) return parse_settings("", "built-in defaults");
  const auto text = core::read_whole_file(path);
  if (!text) return fail(Errc::io, 0, path + ": cannot read config file");
  return parse_settings(*text, path);
}

std::string describe(const Settings& s) {
  const MilterSettings& m = s.milter;
  std::ostringstream os;
  os << "# effective settings of sluice-milter (from " << s.source << ")\n"
     << "[milter]\n"
     << "listen = " << quoted(m.listen) << "\n"
     << "socket_mode = " << quoted(octal(m.socket_mode)) << "\n"
     << "socket_group = " << quoted(m.socket_group) << "\n"
     << "workers = " << s.effective_workers() << "\n"
     << "max_queued = " << s.effective_max_queued() << "\n"
     << "isolate = " << (m.isolate ? "true" : "false") << "\n"
     << "max_message_bytes = " << m.max_message_bytes << "\n"
     << "on_clean = " << quoted(to_string(m.on_clean)) << "\n"
     << "on_suspicious = " << quoted(to_string(m.on_suspicious)) << "\n"
     << "on_malicious = " << quoted(to_string(m.on_malicious)) << "\n"
     << "on_error = " << quoted(to_string(m.on_error)) << "\n"
     << "on_busy = " << quoted(to_string(m.on_busy)) << "\n"
     << "on_oversize = " << quoted(to_string(m.on_oversize)) << "\n"
     << "reject_text = " << quoted(m.reject_text) << "\n"
     << "tempfail_text = " << quoted(m.tempfail_text) << "\n"
     << "quarantine_text = " << quoted(m.quarantine_text) << "\n"
     << "header_findings = " << m.header_findings << "\n"
     << "skip_authenticated = " << (m.skip_authenticated ? "true" : "false") << "\n"
     << "sender_allow = " << list(m.sender_allow) << "\n"
     << "recipient_allow = " << list(m.recipient_allow) << "\n"
     << "quarantine_dir = " << quoted(m.quarantine_dir) << "\n\n"
     << "[http]\n"
     << "listen = " << quoted(s.http.listen) << "\n"
     << "max_body_bytes = " << s.http.max_body_bytes << "\n\n"
     << "[limits]\n";
  for (const LimitKind k : kAllLimitKinds) {
    os << to_string(k) << " = " << s.engine.limits.value(k) << "\n";
  }
  os << "\n[policy]\n"
     << "suspicious_at = " << s.engine.policy.suspicious_at << "\n"
     << "malicious_at = " << s.engine.policy.malicious_at << "\n\n"
     << "[yara]\n"
     << "enabled = " << (s.engine.yara.enabled ? "true" : "false") << "\n"
     << "rule_dirs = " << list(s.engine.yara.rule_dirs) << "\n\n"
     << "[icons]\n"
     << "reference_dirs = " << list(s.engine.icons.reference_dirs) << "\n\n"
     << "[campaigns]\n"
     << "db = " << quoted(s.engine.campaigns.db) << "\n"
     << "min_verdict = " << quoted(to_string(s.engine.campaigns.min_verdict)) << "\n"
     << "keep_days = " << s.engine.campaigns.keep_days << "\n"
     << "window_days = " << s.engine.campaigns.window_days << "\n";
  return os.str();
}

bool address_listed(std::string_view address, const std::vector<std::string>& list) {
  if (!address.empty() && address.front() == '<') address.remove_prefix(1);
  if (!address.empty() && address.back() == '>') address.remove_suffix(1);
  const std::string a = lower(address);
  const auto at = a.rfind('@');
  for (const std::string& e : list) {
    if (e == a) return true;
    if (e.front() == '@' && at != std::string::npos && a.compare(at, std::string::npos, e) == 0) return true;
  }
  return false;
}

}  // namespace sluice::milter
