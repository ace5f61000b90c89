#pragma once
// The icon Explorer shows for a PE: decoded, hashed and matched against the
// document-icon reference set by formats/icon, recorded as `icon.*` meta on
// the PE artifact for the icons detector.
#include "core/unpacker.hpp"
#include "formats/pe/parser.hpp"

namespace sluice::formats::pe {

void explorer_icon(core::UnpackContext& ctx, const PeImage& pe, ByteView file);

}  // namespace sluice::formats::pe
