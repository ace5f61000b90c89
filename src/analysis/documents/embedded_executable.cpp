// An executable a document carries: an OLE Package in a Word, Excel,
// PowerPoint or RTF file ("double-click the icon to view the invoice"), a PDF
// attachment, a OneNote embedded file. Ordinary documents do not carry
// programs; the document is the delivery, whatever wrapper sits in between
// (a PDF attachment that is a ZIP holding an EXE counts).
#include "analysis/detector.hpp"
#include "meta/ole1.hpp"
#include "meta/pdf.hpp"

namespace sluice::analysis::documents {
namespace {

// The finding a document type answers to; empty for types that are not one.
std::string_view finding_for(FileType t) {
  switch (t) {
    case FileType::pdf:
      return "pdf.embedded_executable";
    case FileType::ole2:
    case FileType::rtf:
      return "office.embedded_executable";
    case FileType::onenote:
      return "onenote.embedded_executable";
    default:
      return {};
  }
}

class EmbeddedExecutable final : public Detector {
 public:
  std::string_view name() const noexcept override { return "documents"; }
  void inspect(const ArtifactTree& tree, FindingSink& sink) const override {
    for (const Artifact& a : tree) {
      if (a.parent == kNoArtifact || !is_executable(a.type)) continue;
      for (ArtifactId p = a.parent; p != kNoArtifact; p = tree[p].parent) {
        const std::string_view id = finding_for(tree[p].type);
        if (id.empty()) continue;
        Evidence ev{{"type", std::string(to_string(a.type))},
                    {"document", tree.evidence_path(p)},
                    {"sha256", to_hex(a.hashes.sha256)}};
        for (const MetaKey<std::string>& key :
             {meta::ole::source_path, meta::ole::temp_path, meta::pdf::attachment_description}) {
          if (std::string v = a.meta_string(key); !v.empty()) ev.emplace_back(std::string(key.name), std::move(v));
        }
        sink.add(std::string(id), Severity::high, a.id,
                 std::string(info(a.type).description) + " embedded in " + std::string(info(tree[p].type).description),
                 std::move(ev));
        break;  // the nearest document is the one that delivers it
      }
    }
  }
};

}  // namespace

Status register_detector(Detectors& d, const Config&) {
  d.push_back(std::make_unique<EmbeddedExecutable>());
  return {};
}

}  // namespace sluice::analysis::documents
