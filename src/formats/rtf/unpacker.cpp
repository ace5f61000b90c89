// RTF → its embedded objects. An OLE Package becomes the file it carries, named
// as the sender named it; any other embedded object's native data (a compound
// file, usually) becomes a child the engine sniffs and opens again; a linked
// object's target is kept as meta; fields that reach outside (DDEAUTO,
// INCLUDETEXT) are recorded for the office detector. The object class (Equation.3, the
// CVE-2017-11882 class, among them) is recorded for the detectors.
#include "core/unpacker.hpp"

#include <array>

#include "core/text.hpp"
#include "codecs/ole1/ole1.hpp"
#include "codecs/office/fields.hpp"
#include "codecs/ole1/package.hpp"
#include "codecs/ole1/package_report.hpp"
#include "formats/rtf/fields.hpp"
#include "formats/rtf/objects.hpp"
#include "meta/office.hpp"
#include "meta/rtf.hpp"

namespace sluice::formats::rtf {
namespace {

class RtfUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "rtf"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    auto parsed = parse(ctx.bytes(), ctx.limits());
    if (!parsed) return std::unexpected(parsed.error());
    RtfScan& scan = parsed->model;
    if (scan.dropped > 0) {
      ctx.limit_hit(LimitKind::children, std::to_string(scan.dropped) + " more embedded objects in an RTF document");
    }
    core::report_anomalies(ctx, parsed->anomalies);
    // Fields that reach outside (DDEAUTO, INCLUDETEXT): facts for the office detector.
    for (const std::string& f : field_instructions(ctx.bytes(), ctx.limits().max_children)) {
      const std::string clean = codecs::office::collapse_spaces(f);
      if (codecs::office::external_field_keyword(clean)) ctx.meta(meta::office::field, ctx.clean_name(clean));
    }
    for (std::size_t i = 0; i < scan.objects.size(); ++i) {
      if (ctx.budget().expired()) {
        ctx.limit_hit(LimitKind::deadline, "the scan's time ran out inside an RTF document");
        break;
      }
      if (!emit_object(ctx, std::move(scan.objects[i]), i)) break;
    }
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::rtf};

  static bool emit_object(core::UnpackContext& ctx, RtfObject&& o, std::size_t index) {
    const std::string locator = "object[" + std::to_string(index) + "]";
    if (o.odd_hex) {
      ctx.anomaly("rtf.objdata_odd_hex", Severity::low, o.offset,
                  locator + ": an odd number of hex digits (one is dropped, as Word does)");
    }
    // Hex halves the input: the decoded object is never larger than its text,
    // and counts against the scan's bytes like any decoded child.
    bool capped = false;
    const std::uint64_t allowed = ctx.bounded_size(o.data.size(), 2 * o.data.size(), locator, capped);
    if (allowed < o.data.size()) o.data.resize(allowed);
    ctx.budget().charge_decoded(o.data.size());
    auto ole1 = codecs::ole1::decode_ole1(ByteView(o.data.data(), o.data.size()));
    if (!ole1) {
      // Not an OLE1 object: what Word would do with it is unknown, so it is
      // kept whole and sniffed (an exploit's shellcode object looks like this).
      ctx.anomaly("rtf.object_malformed", Severity::medium, o.offset, locator + ": " + ole1.error().what);
      auto child = ctx.emit_owned(std::move(o.data), locator, {}, capped);
      if (child && !o.class_name.empty()) ctx.meta_on(*child, meta::rtf::object_class, ctx.clean_name(o.class_name));
      return child.has_value();
    }
    const std::string cls = ctx.clean_name(ole1->class_name.empty() ? o.class_name : ole1->class_name);
    if (!o.class_name.empty() && !ole1->class_name.empty() && o.class_name != ole1->class_name) {
      ctx.anomaly("rtf.object_class_mismatch", Severity::medium, o.offset,
                  locator + ": \\objclass says \"" + ctx.clean_name(o.class_name) + "\", the object says \"" +
                      ctx.clean_name(ole1->class_name) + "\"");
    }
    if (ole1->format_id == 1) {
      ctx.meta(meta::rtf::linked_object, ctx.clean_name(ole1->topic));
      return true;
    }
    if (ole1->truncated) {
      ctx.anomaly("rtf.object_truncated", Severity::low, o.offset,
                  locator + " declares " + std::to_string(ole1->declared_size) + " bytes of native data; " +
                      std::to_string(ole1->native.size()) + " are present");
    }
    ByteView part = ole1->native;
    std::vector<Name> names;
    std::vector<Meta> meta{meta::rtf::object_class(cls)};
    if (ole1->class_name == "Package") {
      if (auto p = codecs::ole1::decode_package(ole1->native); p) {
        codecs::ole1::PackageReport report = codecs::ole1::report_package(ctx, *p, o.offset, locator);
        names = std::move(report.names);
        meta.insert(meta.end(), report.meta.begin(), report.meta.end());
        part = p->data;
      } else {
        ctx.anomaly("ole.package_malformed", Severity::medium, o.offset, locator + ": " + p.error().what);
      }
    }
    // The child keeps only its part of the decoded object.
    // An empty part may be a null view, which points into nothing.
    std::vector<std::uint8_t> bytes;
    if (!part.empty()) bytes.assign(part.data(), part.data() + part.size());
    auto child = ctx.emit_owned(std::move(bytes), locator, std::move(names), capped || ole1->truncated);
    if (!child) return false;
    for (Meta& m : meta) ctx.record_on(*child, std::move(m));
    return true;
  }
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<RtfUnpacker>()); }

}  // namespace sluice::formats::rtf
