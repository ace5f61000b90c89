#include "codecs/ole1/package_report.hpp"

#include "core/text.hpp"
#include "meta/ole1.hpp"

namespace sluice::codecs::ole1 {

PackageReport report_package(core::UnpackContext& ctx, const Package& p, std::uint64_t offset,
                             const std::string& where) {
  PackageReport r;
  const std::string file = ctx.clean_name(p.file_name());
  const std::string label = ctx.clean_name(p.label);
  if (!file.empty()) r.names.push_back({"ole.package_file", file});
  if (!label.empty() && label != file) r.names.push_back({"ole.package_label", label});
  // The label is the caption under the icon the reader double-clicks; the
  // file's own extension decides what Windows runs. Different extensions:
  // the caption lies about what opens.
  if (core::extensions_differ(file, label)) {
    ctx.anomaly("ole.package_label_mismatch", Severity::medium, offset,
                where + ": package shows \"" + label + "\" but holds \"" + file + "\"");
  }
  if (p.truncated) {
    ctx.anomaly("ole.package_truncated", Severity::medium, offset,
                where + ": package \"" + file + "\" declares " + std::to_string(p.declared_size) + " bytes; " +
                    std::to_string(p.data.size()) + " are present");
  }
  if (!p.source_path.empty()) r.meta.push_back(meta::ole::source_path(ctx.clean_name(p.source_path)));
  if (!p.temp_path.empty()) r.meta.push_back(meta::ole::temp_path(ctx.clean_name(p.temp_path)));
  return r;
}

}  // namespace sluice::codecs::ole1
