#include "codecs/mapi/lzfu.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "core/reader.hpp"

namespace sluice::codecs::mapi {
namespace {

constexpr std::uint32_t kLzfu = 0x75465A4C;  // "LZFu"
constexpr std::uint32_t kMela = 0x414C454D;  // "MELA"
constexpr std::uint64_t kHeader = 16;
constexpr std::size_t kDictSize = 4096;

// The dictionary's initial contents (MS-OXRTFCP 2.1.2.1): RTF boilerplate so
// that the first references already hit.
constexpr std::string_view kPrebuf =
    "{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript "
    "\\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par "
    "\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";
static_assert(kPrebuf.size() == 207);

// CRC-32 (reflected 0xEDB88320) without the usual pre/post inversion (2.1.3.2).
constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr auto kCrcTable = make_crc_table();

std::uint32_t crc(ByteView b) {
  std::uint32_t c = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    std::uint8_t x = 0;
    (void)b.byte_at(i, x);
    c = kCrcTable[(c ^ x) & 0xFF] ^ (c >> 8);
  }
  return c;
}

}  // namespace

Result<LzfuOutput> lzfu_decompress(ByteView in, std::uint64_t max_out) {
  core::Reader r(in);
  auto comp_size = r.le<std::uint32_t>();
  auto raw_size = r.le<std::uint32_t>();
  auto kind = r.le<std::uint32_t>();
  auto crc_field = r.le<std::uint32_t>();
  if (!comp_size || !raw_size || !kind || !crc_field) {
    return fail(Errc::truncated, 0, "compressed RTF header shorter than 16 bytes");
  }
  LzfuOutput out;
  out.raw_size = *raw_size;
  // CompSize counts the 12 header bytes after itself; a larger claim than the
  // input is damage: decode what is there.
  ByteView data = in.tail(kHeader);
  if (*comp_size >= 12 && *comp_size - 12 < data.size()) data = data.clamp(0, *comp_size - 12);
  if (*comp_size < 12 || *comp_size - 12 > data.size()) out.short_input = true;
  const std::uint64_t want = std::min<std::uint64_t>(*raw_size, max_out);
  if (want < *raw_size) out.capped = true;

  if (*kind == kMela) {
    out.compressed = false;
    const ByteView stored = data.clamp(0, want);
    if (stored.size() < want) out.short_input = true;
    out.bytes.assign(stored.data(), stored.data() + stored.size());
    return out;
  }
  if (*kind != kLzfu) return fail(Errc::malformed, 8, "unknown compressed RTF kind");
  out.crc_ok = crc(data) == *crc_field;

  std::array<std::uint8_t, kDictSize> dict{};
  std::copy(kPrebuf.begin(), kPrebuf.end(), dict.begin());
  std::size_t write = kPrebuf.size();
  out.bytes.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(want, 1u << 20)));
  core::Reader d(data, kHeader);
  bool ended = false;
  // Each control byte consumes input, so the loop ends with the input; each
  // reference emits at most 17 bytes and stops at `want`.
  while (!ended && out.bytes.size() < want) {
    auto control = d.u8();
    if (!control) break;
    for (int bit = 0; bit < 8 && out.bytes.size() < want; ++bit) {
      if (((*control >> bit) & 1) == 0) {
        auto lit = d.u8();
        if (!lit) break;
        dict[write] = *lit;
        write = (write + 1) % kDictSize;
        out.bytes.push_back(*lit);
        continue;
      }
      auto ref = d.be<std::uint16_t>();
      if (!ref) break;
      const std::size_t offset = *ref >> 4;
      const std::size_t length = (*ref & 0xF) + 2;
      if (offset == write) {  // the end marker: a reference to the write position
        ended = true;
        break;
      }
      for (std::size_t k = 0; k < length && out.bytes.size() < want; ++k) {
        const std::uint8_t c = dict[(offset + k) % kDictSize];
        dict[write] = c;
        write = (write + 1) % kDictSize;
        out.bytes.push_back(c);
      }
    }
    if (d.at_end() && !ended && out.bytes.size() < want) {
      out.short_input = true;
      break;
    }
  }
  return out;
}

}  // namespace sluice::codecs::mapi
