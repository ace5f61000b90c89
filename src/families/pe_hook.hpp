#pragma once
// How families reach a parsed PE: one PeFollower (formats/pe/followers.hpp) that
// runs every family over the image and records what they found on the PE
// artifact (meta and anomalies). Detectors read that meta; see README.md for
// the keys. The engine registers it beside the formats (register_followers).
#include "core/unpacker.hpp"
#include "formats/pe/parser.hpp"

namespace sluice::families {

void record_families(core::UnpackContext& ctx, const formats::pe::PeImage& pe, ByteView file);

// Adds the families' PeFollower to the registry.
void register_followers(core::Registry& registry);

}  // namespace sluice::families
