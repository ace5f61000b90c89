// OneNote section → its embedded files and pictures, named as the page names
// them (EmbeddedFileName; the declared extension when no node names it), as
// zero-copy views. A file data object that no list reaches is still emitted
// (onenote.orphan_file_data). A picture laid over an embedded file is the
// "double-click to view" lure of the 2023 waves: a fact the format records
// (onenote.image_over_embedded_file); the documents detector judges what the
// file is. Links in the page's text become ioc.url.
#include <array>
#include <set>

#include "core/unpacker.hpp"
#include "codecs/text/urls.hpp"
#include "formats/onenote/section.hpp"
#include "meta/ioc.hpp"
#include "meta/onenote.hpp"

namespace sluice::formats::onenote {
namespace {

class OneNoteUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "onenote"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    auto parsed = parse(ctx.bytes(), ctx.limits());
    if (!parsed) return std::unexpected(parsed.error());
    core::report_anomalies(ctx, parsed->anomalies);
    const Section& s = parsed->model;
    std::set<std::uint64_t> emitted;
    std::size_t index = 0;
    for (const FileData& f : s.files) {
      if (!emitted.insert(f.offset).second) continue;  // two references to one object
      const Declaration* d = declaration_for(s, f.guid);
      const Node* n = d == nullptr ? nullptr : node_for(s, d->oid);
      if (!emit(ctx, f, d, n, index++)) return {};
    }
    for (const FileData& f : scan_file_data(ctx.bytes())) {
      if (emitted.count(f.offset) != 0) continue;
      emitted.insert(f.offset);
      ctx.anomaly("onenote.orphan_file_data", Severity::low, f.offset,
                  "file data at offset " + std::to_string(f.offset) + " that no file node list reaches");
      if (!emit(ctx, f, nullptr, nullptr, index++)) return {};
    }
    decoys(ctx, s);
    links(ctx, s);
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::onenote};

  static const Declaration* declaration_for(const Section& s, const std::string& guid) {
    for (const Declaration& d : s.declarations) {
      if (d.guid == guid) return &d;
    }
    return nullptr;
  }

  static const Node* node_for(const Section& s, std::uint32_t oid) {
    for (const Node& n : s.nodes) {
      if (n.container == oid) return &n;
    }
    return nullptr;
  }

  static bool emit(core::UnpackContext& ctx, const FileData& f, const Declaration* d, const Node* n,
                   std::size_t index) {
    std::vector<Name> names;
    if (n != nullptr && !n->name.empty()) names.push_back({"onenote.name", ctx.clean_name(n->name)});
    if (f.truncated) {
      ctx.anomaly("onenote.file_data_truncated", Severity::medium, f.offset,
                  "file data at offset " + std::to_string(f.offset) + " declares more bytes than the section holds");
    }
    const std::string locator = std::string(n != nullptr && n->jcid == kJcidImageNode ? "picture" : "file") + "[" +
                                std::to_string(index) + "]";
    auto child = ctx.emit(f.data, locator, std::move(names));
    if (!child) return false;
    if (d != nullptr && !d->extension.empty()) ctx.meta_on(*child, meta::onenote::extension, ctx.clean_name(d->extension));
    if (n != nullptr && !n->source_path.empty()) {
      ctx.meta_on(*child, meta::onenote::source_path, ctx.clean_name(n->source_path));
    }
    return true;
  }

  static void decoys(core::UnpackContext& ctx, const Section& s) {
    for (const Node& file : s.nodes) {
      if (file.jcid != kJcidEmbeddedFileNode || !file.rect) continue;
      for (const Node& image : s.nodes) {
        if (image.jcid != kJcidImageNode || !image.rect || !overlaps(*image.rect, *file.rect)) continue;
        ctx.anomaly("onenote.image_over_embedded_file", Severity::medium, 0,
                    "a picture" + (image.name.empty() ? std::string() : " \"" + ctx.clean_name(image.name) + "\"") +
                        " covers the embedded file" +
                        (file.name.empty() ? std::string() : " \"" + ctx.clean_name(file.name) + "\"") +
                        ": a double-click on the picture opens the file");
        break;
      }
    }
  }

  // Page links become ioc.url, as mail links do, for the links detector.
  static void links(core::UnpackContext& ctx, const Section& s) {
    codecs::text::UrlSet urls(ctx.limits().max_children);
    for (const Node& n : s.nodes) {
      if (n.jcid == kJcidRichTextNode && !n.text.empty() && !codecs::text::find_urls(n.text, urls)) break;
    }
    if (urls.limited()) ctx.limit_hit(LimitKind::children, "more links in a OneNote section");
    for (const std::string& u : urls.urls()) ctx.meta(meta::ioc::url, u);
  }

};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<OneNoteUnpacker>()); }

}  // namespace sluice::formats::onenote
