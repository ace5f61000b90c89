#pragma once
// The one call the PE unpacker makes: run every family over the parsed PE and
// record what they found on the PE artifact (meta and anomalies). Detectors
// read that meta; see README.md for the keys.
#include "core/unpacker.hpp"
#include "formats/pe/parser.hpp"

namespace sluice::families {

void record_families(core::UnpackContext& ctx, const formats::pe::PeImage& pe, ByteView file);

}  // namespace sluice::families
