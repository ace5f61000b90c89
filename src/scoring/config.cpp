// Reading configuration (data/policy.toml and --config files). toml++ is built
// without exceptions, so a broken file is an error value, never an unwind.
// Header-only and exception-free: Debian's compiled libtomlplusplus is built
// with exceptions, so it is not linked.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

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
    if (!kind && !floor) return config_error(source, "unknown limit '" + std::string(key.str()) + "'");
    const auto v = node.value<std::int64_t>();
    if (!v || *v < 0) {
      return config_error(source, "limit '" + std::string(key.str()) + "' needs a whole number >= 0");
    }
    if (kind == LimitKind::depth && *v > kMaxConfigurableDepth) {
      return config_error(source, "max_depth may not exceed " + std::to_string(kMaxConfigurableDepth));
    }
    if (floor) {
      limits.ratio_floor_bytes = static_cast<std::uint64_t>(*v);
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
    } else {
      return config_error(source, "unknown policy key '" + k + "'");
    }
  }
  if (p.suspicious_at > p.malicious_at) {
    return config_error(source, "suspicious_at must not exceed malicious_at");
  }
  return {};
}

}  // namespace

Result<Config> apply_config(Config base, std::string_view toml_text, std::string_view source_name) {
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
