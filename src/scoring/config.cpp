// Reading configuration (data/policy.toml and --config files). toml++ is built
// without exceptions, so a broken file is an error value, never an unwind.
// Header-only and exception-free: Debian's compiled libtomlplusplus is built
// with exceptions, so it is not linked.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include <algorithm>
#include <string>

#include "sluice/policy.hpp"

namespace sluice {

namespace embedded {
extern const char* const kPolicyToml;
}

double Policy::weight(std::string_view id, Severity severity) const {
  if (const auto it = weights.find(id); it != weights.end()) return it->second;
  if (const auto it = severity_weights.find(severity); it != severity_weights.end()) {
    return it->second;
  }
  return 0;
}

namespace {

std::unexpected<Error> config_error(std::string_view source, const std::string& what) {
  return fail(Errc::invalid_argument, 0, std::string(source) + ": " + what);
}

Status apply_limits(const toml::table& t, Limits& limits, std::string_view source) {
  for (const auto& [key, node] : t) {
    const auto kind = limit_kind_from_string(key.str());
    const bool floor = key.str() == "ratio_floor_bytes";
    const bool scan_floor = key.str() == "scan_ratio_floor_bytes";
    if (!kind && !floor && !scan_floor) return config_error(source, "unknown limit '" + std::string(key.str()) + "'");
    const auto v = node.value<std::int64_t>();
    if (!v || *v < 0) {
      return config_error(source, "limit '" + std::string(key.str()) + "' needs a whole number >= 0");
    }
    if (kind == LimitKind::depth && *v > kMaxConfigurableDepth) {
      return config_error(source, "max_depth may not exceed " + std::to_string(kMaxConfigurableDepth));
    }
    if (floor) {
      limits.ratio_floor_bytes = static_cast<std::uint64_t>(*v);
    } else if (scan_floor) {
      limits.scan_ratio_floor_bytes = static_cast<std::uint64_t>(*v);
    } else {
      limits.set(*kind, static_cast<std::uint64_t>(*v));
    }
  }
  return {};
}

Result<double> number(const toml::node& n, std::string_view what, std::string_view source) {
  if (const auto v = n.value<double>()) return *v;
  return config_error(source, std::string(what) + " needs a number");
}

Result<Verdict> verdict(const toml::node& n, std::string_view what, std::string_view source) {
  const auto s = n.value<std::string>();
  const auto v = s ? verdict_from_string(*s) : std::nullopt;
  if (!v || *v == Verdict::error) {
    return config_error(source, std::string(what) + " must be clean, suspicious or malicious");
  }
  return *v;
}

Status apply_policy(const toml::table& t, Policy& p, std::string_view source) {
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    if (k == "suspicious_at" || k == "malicious_at") {
      auto v = number(node, k, source);
      if (!v) return std::unexpected(v.error());
      (k == "suspicious_at" ? p.suspicious_at : p.malicious_at) = *v;
    } else if (k == "exit_at") {
      auto v = verdict(node, k, source);
      if (!v) return std::unexpected(v.error());
      p.exit_at = *v;
    } else if (k == "weights" && node.is_table()) {
      for (const auto& [id, w] : *node.as_table()) {
        auto v = number(w, "weight of " + std::string(id.str()), source);
        if (!v) return std::unexpected(v.error());
        p.weights[std::string(id.str())] = *v;
      }
    } else if (k == "severity_weights" && node.is_table()) {
      for (const auto& [sev, w] : *node.as_table()) {
        const auto s = severity_from_string(sev.str());
        if (!s) return config_error(source, "unknown severity '" + std::string(sev.str()) + "'");
        auto v = number(w, "severity weight", source);
        if (!v) return std::unexpected(v.error());
        p.severity_weights[*s] = *v;
      }
    } else if (k == "floors" && node.is_table()) {
      for (const auto& [id, f] : *node.as_table()) {
        auto v = verdict(f, "floor of " + std::string(id.str()), source);
        if (!v) return std::unexpected(v.error());
        p.floors[std::string(id.str())] = *v;
      }
    } else if ((k == "context" || k == "lies") && node.is_array()) {
      auto& ids = k == "context" ? p.context : p.lies;
      ids.clear();
      for (const auto& id : *node.as_array()) {
        const auto v = id.value<std::string>();
        if (!v) return config_error(source, "policy." + k + " lists finding IDs as strings");
        ids.insert(*v);
      }
    } else {
      return config_error(source, "unknown policy key '" + k + "'");
    }
  }
  if (p.suspicious_at > p.malicious_at) {
    return config_error(source, "suspicious_at must not exceed malicious_at");
  }
  return {};
}

Result<std::uint64_t> whole(const toml::node& n, std::string_view what, std::string_view source,
                            std::uint64_t max) {
  const auto v = n.value<std::int64_t>();
  if (!v || *v < 0 || static_cast<std::uint64_t>(*v) > max) {
    return config_error(source, std::string(what) + " needs a whole number from 0 to " +
                                    std::to_string(max));
  }
  return static_cast<std::uint64_t>(*v);
}

// [yara]: which rules run and how much of each message they may read. Rule
// files themselves are compiled by the engine (analysis/yara), not here.
Status apply_yara(const toml::table& t, YaraConfig& y, std::string_view source) {
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    if (k == "enabled" || k == "builtin_rules") {
      // value<bool>() would also take 0 and 1; a switch must be spelled true/false.
      const auto v = node.is_boolean() ? node.value<bool>() : std::nullopt;
      if (!v) return config_error(source, "yara." + k + " needs true or false");
      (k == "enabled" ? y.enabled : y.builtin_rules) = *v;
    } else if (k == "rule_dirs") {
      const toml::array* dirs = node.as_array();
      if (dirs == nullptr) return config_error(source, "yara.rule_dirs needs an array of paths");
      y.rule_dirs.clear();
      for (const toml::node& d : *dirs) {
        const auto v = d.value<std::string>();
        if (!v || v->empty()) return config_error(source, "yara.rule_dirs needs non-empty strings");
        y.rule_dirs.push_back(*v);
      }
    } else if (k == "timeout_seconds") {
      // libyara takes an int of seconds; an hour is more than any mail deserves.
      // 0 would mean "no timeout" to libyara: not offered.
      auto v = whole(node, "yara.timeout_seconds", source, 3600);
      if (!v) return std::unexpected(v.error());
      if (*v == 0) return config_error(source, "yara.timeout_seconds must be at least 1");
      y.timeout_seconds = static_cast<std::uint32_t>(*v);
    } else if (k == "max_scan_bytes" || k == "max_total_scan_bytes") {
      auto v = whole(node, "yara." + k, source, std::uint64_t{1} << 40);
      if (!v) return std::unexpected(v.error());
      (k == "max_scan_bytes" ? y.max_scan_bytes : y.max_total_scan_bytes) = *v;
    } else if (k == "max_rule_score") {
      auto v = number(node, "yara.max_rule_score", source);
      if (!v) return std::unexpected(v.error());
      if (*v < 0) return config_error(source, "yara.max_rule_score must not be negative");
      y.max_rule_score = *v;
    } else if (k == "max_strings_reported") {
      auto v = whole(node, "yara.max_strings_reported", source, 1000);
      if (!v) return std::unexpected(v.error());
      y.max_strings_reported = static_cast<std::uint32_t>(*v);
    } else {
      return config_error(source, "unknown yara key '" + k + "'");
    }
  }
  return {};
}

// [lure]: where the Public Suffix List is read from.
Status apply_lure(const toml::table& t, LureConfig& c, std::string_view source) {
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    if (k == "public_suffix_list") {
      const auto v = node.value<std::string>();
      if (!v) return config_error(source, "lure.public_suffix_list needs a path (or \"\" for the built-in list)");
      c.public_suffix_list = *v;
    } else {
      return config_error(source, "unknown lure key '" + k + "'");
    }
  }
  return {};
}

// [report]: the digests every artifact carries besides SHA-256.
Status apply_report(const toml::table& t, ReportConfig& c, std::string_view source) {
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    if (k != "hashes") return config_error(source, "unknown report key '" + k + "'");
    const toml::array* list = node.as_array();
    if (list == nullptr) return config_error(source, "report.hashes needs a list, e.g. [\"sha256\", \"md5\", \"sha1\"]");
    DigestChoice chosen = kSha256Only;
    for (const auto& item : *list) {
      const auto name = item.value<std::string>();
      if (name == "md5") {
        chosen.md5 = true;
      } else if (name == "sha1") {
        chosen.sha1 = true;
      } else if (name != "sha256") {
        return config_error(source, "report.hashes: unknown digest '" + name.value_or("?") +
                                        "' (sha256 is always computed; md5 and sha1 may be added)");
      }
    }
    c.hashes = chosen;
  }
  return {};
}

// [model]: which model scores each message and how its probability weighs.
Status apply_model(const toml::table& t, ModelConfig& c, std::string_view source) {
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    if (k == "enabled") {
      const auto v = node.is_boolean() ? node.value<bool>() : std::nullopt;
      if (!v) return config_error(source, "model.enabled needs true or false");
      c.enabled = *v;
    } else if (k == "path") {
      const auto v = node.value<std::string>();
      if (!v) return config_error(source, "model.path needs a path (or \"\" for the shipped model)");
      c.path = *v;
    } else if (k == "suspicious_at" || k == "malicious_at") {
      auto v = number(node, "model." + k, source);
      if (!v) return std::unexpected(v.error());
      if (!(*v > 0 && *v <= 1)) return config_error(source, "model." + k + " is a probability in (0, 1]");
      (k == "suspicious_at" ? c.suspicious_at : c.malicious_at) = *v;
    } else if (k == "suspicious_weight" || k == "malicious_weight") {
      auto v = number(node, "model." + k, source);
      if (!v) return std::unexpected(v.error());
      if (*v < 0) return config_error(source, "model." + k + " must not be negative");
      (k == "suspicious_weight" ? c.suspicious_weight : c.malicious_weight) = *v;
    } else if (k == "max_verdict") {
      auto v = verdict(node, "model.max_verdict", source);
      if (!v) return std::unexpected(v.error());
      c.max_verdict = *v;
    } else if (k == "top_contributions") {
      auto v = whole(node, "model.top_contributions", source, 100);
      if (!v) return std::unexpected(v.error());
      c.top_contributions = static_cast<std::uint32_t>(*v);
    } else {
      return config_error(source, "unknown model key '" + k + "'");
    }
  }
  if (c.malicious_at < c.suspicious_at) return config_error(source, "model.malicious_at is below model.suspicious_at");
  return {};
}

// [icons]: how near a document icon an executable's icon must be, and the
// user's own reference folders (hashed by analysis/icons at engine start).
Status apply_icons(const toml::table& t, IconsConfig& c, std::string_view source) {
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    if (k == "max_distance") {
      // 128 pHash/dHash bits plus the hue penalty: anything above matches everything.
      const auto v = node.value<std::int64_t>();
      if (!v || *v < 0 || *v > 144) return config_error(source, "icons.max_distance needs a whole number from 0 to 144");
      c.max_distance = static_cast<std::uint32_t>(*v);
    } else if (k == "reference_dirs") {
      const toml::array* dirs = node.as_array();
      if (dirs == nullptr) return config_error(source, "icons.reference_dirs needs an array of paths");
      c.reference_dirs.clear();
      for (const toml::node& d : *dirs) {
        const auto v = d.value<std::string>();
        if (!v || v->empty()) return config_error(source, "icons.reference_dirs needs non-empty strings");
        c.reference_dirs.push_back(*v);
      }
    } else {
      return config_error(source, "unknown icons key '" + k + "'");
    }
  }
  return {};
}

// [isolation]: what the sandboxed worker pool keeps of an input that killed a worker.
Status apply_isolation(const toml::table& t, IsolationConfig& c, std::string_view source) {
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    if (k == "crash_dir") {
      const auto v = node.value<std::string>();
      if (!v) return config_error(source, "isolation.crash_dir needs a path (empty: keep nothing)");
      c.crash_dir = *v;
    } else {
      return config_error(source, "unknown isolation key '" + k + "'");
    }
  }
  return {};
}

// [campaigns]: where campaigns are recorded and what joins them.
Status apply_campaigns(const toml::table& t, CampaignsConfig& c, std::string_view source) {
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    if (k == "db") {
      const auto v = node.value<std::string>();
      if (!v) return config_error(source, "campaigns.db needs a path or a postgresql:// URI (empty: off)");
      c.db = *v;
    } else if (k == "min_verdict") {
      auto v = verdict(node, "campaigns.min_verdict", source);
      if (!v) return std::unexpected(v.error());
      if (*v != Verdict::suspicious && *v != Verdict::malicious) {
        return config_error(source, "campaigns.min_verdict must be \"suspicious\" or \"malicious\"");
      }
      c.min_verdict = *v;
    } else if (k == "keep_days" || k == "window_days") {
      const auto v = node.value<std::int64_t>();
      if (!v || *v < 0 || *v > 36500) {
        return config_error(source, "campaigns." + k + " needs a whole number of days, 0 to 36500");
      }
      (k == "keep_days" ? c.keep_days : c.window_days) = *v;
    } else {
      return config_error(source, "unknown campaigns key '" + k + "'");
    }
  }
  return {};
}

}  // namespace

Result<Config> apply_config(Config base, std::string_view toml_text, std::string_view source_name) {
  return apply_config(std::move(base), toml_text, source_name, {});
}

Result<Config> apply_config(Config base, std::string_view toml_text, std::string_view source_name,
                            std::initializer_list<std::string_view> program_tables) {
  toml::parse_result parsed = toml::parse(toml_text, source_name);
  if (!parsed) {
    const auto& e = parsed.error();
    return config_error(source_name, "line " + std::to_string(e.source().begin.line) + ": " +
                                         std::string(e.description()));
  }
  const toml::table& root = parsed.table();
  for (const auto& [key, node] : root) {
    const std::string k(key.str());
    if (k == "limits" && node.is_table()) {
      if (auto s = apply_limits(*node.as_table(), base.limits, source_name); !s) {
        return std::unexpected(s.error());
      }
    } else if (k == "policy" && node.is_table()) {
      if (auto s = apply_policy(*node.as_table(), base.policy, source_name); !s) {
        return std::unexpected(s.error());
      }
    } else if (k == "yara" && node.is_table()) {
      if (auto s = apply_yara(*node.as_table(), base.yara, source_name); !s) {
        return std::unexpected(s.error());
      }
    } else if (k == "icons" && node.is_table()) {
      if (auto s = apply_icons(*node.as_table(), base.icons, source_name); !s) {
        return std::unexpected(s.error());
      }
    } else if (k == "lure" && node.is_table()) {
      if (auto s = apply_lure(*node.as_table(), base.lure, source_name); !s) {
        return std::unexpected(s.error());
      }
    } else if (k == "isolation" && node.is_table()) {
      if (auto s = apply_isolation(*node.as_table(), base.isolation, source_name); !s) {
        return std::unexpected(s.error());
      }
    } else if (k == "model" && node.is_table()) {
      if (auto s = apply_model(*node.as_table(), base.model, source_name); !s) {
        return std::unexpected(s.error());
      }
    } else if (k == "report" && node.is_table()) {
      if (auto s = apply_report(*node.as_table(), base.report, source_name); !s) {
        return std::unexpected(s.error());
      }
    } else if (k == "campaigns" && node.is_table()) {
      if (auto s = apply_campaigns(*node.as_table(), base.campaigns, source_name); !s) {
        return std::unexpected(s.error());
      }
    } else if (std::ranges::find(program_tables, k) != program_tables.end() && node.is_table()) {
      continue;
    } else {
      return config_error(source_name, "unknown section '" + k + "'");
    }
  }
  return base;
}

Result<Config> default_config() {
  return apply_config(Config{}, embedded::kPolicyToml, "data/policy.toml (built in)");
}

}  // namespace sluice
