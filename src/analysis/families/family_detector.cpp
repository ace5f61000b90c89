// Malware family verdicts from the meta the PE unpacker's family hook recorded
// (src/families/pe_hook.cpp). Nothing is parsed here. A decoded configuration is
// proof enough on its own; the known strings alone are a strong hint (a loader
// or a config-less build) but not proof. Neither is needed for the delivery
// findings (an EXE in an ISO is malicious with or without a config).
#include "analysis/detector.hpp"
#include "families/family.hpp"
#include "meta/families.hpp"

namespace sluice::analysis::families {
namespace {

namespace fam = ::sluice::families;

void append_all(const Artifact& a, const MetaKey<std::string>& key, const std::string& label, Evidence& ev) {
  for (std::string& s : a.meta_strings(key)) ev.emplace_back(label, std::move(s));
}

bool has_family(const Artifact& a, std::string_view name) {
  for (const Meta& m : a.meta) {
    if (m.key != meta::family) continue;
    if (const auto* s = std::get_if<std::string>(&m.value); s && *s == name) return true;
  }
  return false;
}

class FamilyDetector final : public Detector {
 public:
  std::string_view name() const noexcept override { return "families"; }
  void inspect(const ArtifactTree& tree, FindingSink& sink) const override {
    for (const Artifact& a : tree) {
      for (const fam::Family& f : fam::all_families()) {
        const meta::FamilyKeys& keys = *f.keys;
        if (has_family(a, f.name)) {
          Evidence ev;
          append_all(a, keys.c2, "c2", ev);
          append_all(a, keys.botnet, "botnet", ev);
          append_all(a, keys.mutex, "mutex", ev);
          append_all(a, keys.generation, "generation", ev);
          ev.emplace_back("sha256", to_hex(a.hashes.sha256));
          sink.add(std::string(f.config_finding), Severity::critical, a.id,
                   "decrypted " + std::string(f.name) + " configuration (C2 " + a.meta_string(keys.c2) +
                       ")",
                   std::move(ev));
        } else if (const std::string markers = a.meta_string(keys.strings); !markers.empty()) {
          sink.add(std::string(f.strings_finding), Severity::high, a.id,
                   "strings of " + std::string(f.name) + " but no configuration: " + markers,
                   Evidence{{"strings", markers}, {"sha256", to_hex(a.hashes.sha256)}});
        }
      }
    }
  }
};

}  // namespace

Status register_detector(Detectors& d, const Config&) {
  d.push_back(std::make_unique<FamilyDetector>());
  return {};
}

}  // namespace sluice::analysis::families
