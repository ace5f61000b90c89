#include "analysis/icons/icons_detector.hpp"
#include "meta/icon_images.hpp"

#include <charconv>

namespace sluice::analysis::icons {
namespace {

using codecs::icon::IconHash;
using codecs::icon::Reference;

// The hashes the unpacker recorded; nothing when the artifact has no icon.
std::optional<IconHash> recorded_hash(const Artifact& a) {
  const Hash64* phash = a.meta_value(meta::icon::phash);
  const Hash64* dhash = a.meta_value(meta::icon::dhash);
  if (phash == nullptr || dhash == nullptr) return std::nullopt;
  IconHash h;
  h.phash = phash->bits;
  h.dhash = dhash->bits;
  if (const std::int64_t* n = a.meta_value(meta::icon::hue); n != nullptr && *n >= 0 && *n <= 12) {
    h.hue = static_cast<std::uint8_t>(*n);
  }
  return h;
}

class IconsDetector final : public Detector {
 public:
  IconsDetector(std::vector<Reference> refs, std::uint32_t max_distance)
      : refs_(std::move(refs)), max_distance_(max_distance) {}

  std::string_view name() const noexcept override { return "icons"; }

  void inspect(const ArtifactTree& tree, FindingSink& sink) const override {
    for (const Artifact& a : tree) {
      if (!is_executable(a.type)) continue;
      const auto hash = recorded_hash(a);
      if (!hash) continue;
      const auto m = codecs::icon::closest(*hash, refs_);
      if (!m || !deceptive_category(m->ref->category) || m->distance > static_cast<int>(max_distance_)) continue;
      const std::string ref = m->ref->theme + "/" + m->ref->name + "@" + std::to_string(m->ref->size);
      sink.add("pe.document_icon", Severity::high, a.id,
               "an executable wearing a " + m->ref->category + " icon (nearest reference " + ref +
                   ", distance " + std::to_string(m->distance) + ")",
               {{"category", m->ref->category},
                {"reference", ref},
                {"distance", std::to_string(m->distance)},
                {"phash", Hash64{hash->phash}.hex()}});
    }
  }

 private:
  std::vector<Reference> refs_;
  std::uint32_t max_distance_;
};

}  // namespace

bool deceptive_category(std::string_view category) noexcept {
  return category != "executable" && category != "other";
}

std::unique_ptr<Detector> make_detector(std::vector<Reference> refs, std::uint32_t max_distance) {
  return std::make_unique<IconsDetector>(std::move(refs), max_distance);
}

Result<std::unique_ptr<Detector>> make_detector(const IconsConfig& config) {
  std::vector<Reference> refs = codecs::icon::builtin_references().refs;
  auto user = load_reference_dirs(config.reference_dirs);
  if (!user) return std::unexpected(user.error());
  refs.insert(refs.end(), std::make_move_iterator(user->begin()), std::make_move_iterator(user->end()));
  return make_detector(std::move(refs), config.max_distance);
}

Status register_detector(Detectors& d, const Config& config) {
  auto det = make_detector(config.icons);
  if (!det) return std::unexpected(det.error());
  d.push_back(std::move(*det));
  return {};
}

}  // namespace sluice::analysis::icons
