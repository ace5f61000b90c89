#include "codecs/icon/describe.hpp"

#include "codecs/icon/dib.hpp"
#include "codecs/icon/layout.hpp"
#include "codecs/icon/png.hpp"
#include "codecs/icon/reference.hpp"
#include "meta/icon_images.hpp"

namespace sluice::codecs::icon {

bool describe_image(core::UnpackContext& ctx, ByteView image, std::uint64_t base) {
  const bool png = image.starts_with(kPngSignature);
  auto decoded = png ? decode_png(image, ctx.budget()) : decode_dib(image, ctx.budget());
  if (!decoded) {
    const Error& e = decoded.error();
    if (e.code == Errc::limit) {  // the decode allowance refused the pixels
      ctx.limit_hit(ctx.budget().decode_allowance(image.size()).binding, "icon image: " + e.what);
    } else {
      ctx.anomaly("icon.malformed", Severity::low, base + e.offset, e.what);
    }
    return false;
  }
  // Pixels are transient, but they are memory an attacker made us spend.
  ctx.budget().charge_decoded(decoded->model.bytes_used);
  for (const Anomaly& p : decoded->anomalies) {
    ctx.anomaly(p.id, p.severity, base + p.offset, p.message);
  }
  if (decoded->model.image.rgba.empty()) return false;  // sides past limits.icon.max_side
  const IconHash h = hash_image(decoded->model.image);
  ctx.meta(meta::icon::format, std::string(png ? "png" : "dib"));
  ctx.meta(meta::icon::width, static_cast<std::int64_t>(decoded->model.image.width));
  ctx.meta(meta::icon::height, static_cast<std::int64_t>(decoded->model.image.height));
  ctx.meta(meta::icon::phash, Hash64{h.phash});
  ctx.meta(meta::icon::dhash, Hash64{h.dhash});
  ctx.meta(meta::icon::hue, static_cast<std::int64_t>(h.hue));
  if (const auto m = closest(h, builtin_references().refs)) {
    ctx.meta(meta::icon::closest, m->ref->category + "/" + m->ref->theme + "/" + m->ref->name + "@" +
                                 std::to_string(m->ref->size));
    ctx.meta(meta::icon::category, m->ref->category);
    ctx.meta(meta::icon::distance, static_cast<std::int64_t>(m->distance));
  }
  return true;
}

}  // namespace sluice::codecs::icon
