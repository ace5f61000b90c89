#include "analysis/scripts/indicator_detector.hpp"

#include "analysis/scripts/indicators.hpp"
#include "formats/script/text.hpp"
#include "meta/script.hpp"

namespace sluice::analysis::scripts {

void IndicatorDetector::inspect(const ArtifactTree& tree, FindingSink& sink) const {
  for (const Artifact& a : tree) {
    const std::string language = a.meta_string(meta::script::language);
    if (language.empty()) continue;
    const auto type = file_type_from_string(language);
    if (!type) continue;
    // The characters the format read (UTF-16 decoded again here: rare, and
    // cheaper than keeping a second copy of every script in the tree).
    const formats::script::ScriptText st = formats::script::normalise(a.bytes);
    for (auto& ind : find_indicators(st.view(), *type)) {
      sink.add(std::move(ind.id), ind.severity, a.id, std::move(ind.message), {});
    }
  }
}

}  // namespace sluice::analysis::scripts
