#include "formats/iso9660/zisofs.hpp"

#include <algorithm>

#include "core/inflate.hpp"
#include "formats/iso9660/bytes.hpp"

namespace sluice::formats::iso9660 {

ZisofsOutcome zisofs_decode(ByteView file, std::uint64_t declared, std::uint64_t cap,
                            const core::Budget& budget) {
  ZisofsOutcome out;
  // Header: magic, uncompressed size (LE32), header size / 4, log2 block size.
  const auto head = core::Fixed<16>::at(file);
  if (!head || !head->view().starts_with(kZisofsMagic)) return out;
  const std::uint64_t size = head->le32<8>();
  const std::uint64_t header = std::uint64_t{head->u8<12>()} * 4;
  const std::uint8_t log2 = head->u8<13>();
  // zisofs defines block sizes of 32, 64 and 128 KiB; mkzftree writes 15.
  if (header < 16 || log2 < 15 || log2 > 17) {
    out.problem = "zisofs header size " + std::to_string(header) + " or block size 2^" +
                  std::to_string(log2) + " is invalid";
    return out;
  }
  out.header_ok = true;
  out.block_size = std::uint64_t{1} << log2;
  std::uint64_t want_total = size;
  if (size != declared) {
    out.problem = "the ZF entry declares " + std::to_string(declared) + " bytes, the zisofs header " +
                  std::to_string(size);
    want_total = std::min(size, declared);
  }
  const std::uint64_t blocks = (want_total + out.block_size - 1) / out.block_size;
  // Block pointers: blocks + 1 little-endian offsets from the start of the file.
  // The table must lie inside the extent, which bounds `blocks` by its size.
  if (blocks + 1 > (file.size() - std::min(file.size(), header)) / 4) {
    out.problem = "the zisofs block pointer table runs past the end of the file";
    return out;
  }
  for (std::uint64_t b = 0; b < blocks; ++b) {
    if (budget.expired()) {
      out.deadline = true;
      return out;
    }
    // Inside the file: the table's size was checked against it above.
    const auto pointers = core::Fixed<8>::at(file, header + 4 * b);
    if (!pointers) {
      out.problem = "the zisofs block pointer table runs past the end of the file";
      return out;
    }
    const std::uint64_t start = pointers->le32<0>();
    const std::uint64_t end = pointers->le32<4>();
    const std::uint64_t want = std::min(out.block_size, want_total - b * out.block_size);
    if (end < start || end > file.size()) {
      out.problem = "zisofs block " + std::to_string(b) + " points outside the file";
      return out;
    }
    const std::uint64_t room = cap - std::min(cap, out.data.size());
    const std::uint64_t take = std::min(want, room);
    if (start == end) {  // a block of zeros is not stored
      out.data.resize(out.data.size() + take, 0);
    } else {
      const auto r = core::inflate_bounded(file.clamp(start, end - start), out.data, take, budget, 15);
      if (r.end == core::InflateEnd::deadline) {
        out.deadline = true;
        return out;
      }
      if (r.produced < take) {
        out.problem = "zisofs block " + std::to_string(b) + " inflates to " +
                      std::to_string(r.produced) + " bytes, not " + std::to_string(want);
        return out;
      }
    }
    if (take < want) {
      out.capped = true;
      return out;
    }
  }
  return out;
}

}  // namespace sluice::formats::iso9660
