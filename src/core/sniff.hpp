#pragma once
#include "sluice/byte_view.hpp"
#include "sluice/file_type.hpp"

namespace sluice::core {

// Decides the type from content only. Order matters and is deliberate: disc
// images are recognised before boot sectors (hybrid ISOs carry an MBR), VHD
// footers before partition tables (a fixed VHD is a raw disk plus a footer).
[[nodiscard]] FileType sniff(ByteView bytes) noexcept;

}  // namespace sluice::core
