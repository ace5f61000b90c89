#pragma once
// Glue shared by the .ico unpacker and the PE unpacker: one icon image (DIB or
// PNG) → decoded within the budget → hashed → matched against the reference
// set → `icon.*` meta and anomalies on the artifact being unpacked.
#include <cstdint>

#include "core/unpacker.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::codecs::icon {

// `base` is where `image` starts in the artifact (for anomaly offsets).
// Records icon.format, icon.width, icon.height, icon.phash, icon.dhash,
// icon.hue, and when a reference is near: icon.closest ("category/theme/name"),
// icon.category and icon.distance. False when nothing could be decoded.
bool describe_image(core::UnpackContext& ctx, ByteView image, std::uint64_t base);

}  // namespace sluice::codecs::icon
