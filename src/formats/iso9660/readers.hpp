#pragma once
// The two readers iso9660::parse runs over one image (iso_parser.cpp,
// udf_parser.cpp). Internal to the format.
#include "core/budget.hpp"
#include "formats/iso9660/parser.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::formats::iso9660::detail {

// ISO 9660 + Joliet + Rock Ridge + El Torito + earlier sessions.
void read_iso(ByteView image, const core::Budget& budget, Image& out, Issues& issues);
// UDF (ECMA-167 / OSTA UDF 1.02-2.60), alone or as the bridge half.
void read_udf(ByteView image, const core::Budget& budget, Image& out, Issues& issues);

}  // namespace sluice::formats::iso9660::detail
