#include "codecs/office/vba.hpp"

#include <algorithm>
#include <bit>

#include "core/reader.hpp"
#include "core/text.hpp"

namespace sluice::codecs::office {
namespace {

constexpr std::size_t kChunkMax = 4096;

// MS-OVBA 2.4.1.3.19.1: the split of a copy token between offset and length
// depends on how far the chunk has decoded; at least 4 bits of offset.
unsigned offset_bits(std::size_t decoded_in_chunk) {
  if (decoded_in_chunk <= 16) return 4;
  return std::max(4u, static_cast<unsigned>(std::bit_width(decoded_in_chunk - 1)));
}

}  // namespace

Result<Decompressed> decompress(ByteView in, std::uint64_t max_out, std::vector<std::uint8_t>* partial) {
  Decompressed d;
  auto failure = [&](std::uint64_t at, std::string what) -> Result<Decompressed> {
    if (partial != nullptr) *partial = std::move(d.bytes);
    return fail(Errc::malformed, at, std::move(what));
  };
  std::uint8_t signature = 0;
  if (!in.byte_at(0, signature) || signature != 0x01) {
    return failure(0, "VBA compressed container without signature byte 0x01");
  }
  std::vector<std::uint8_t>& out = d.bytes;
  out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(max_out, in.size() * 4)));
  std::uint64_t pos = 1;
  while (pos < in.size()) {
    const auto header = core::load_le<std::uint16_t>(in, pos);
    if (!header) break;  // one stray byte after the last chunk: nothing more to decode
    const std::uint64_t chunk_start = pos;
    const std::uint64_t chunk_size = (*header & 0x0FFFu) + 3u;
    if (((*header >> 12) & 0x7u) != 0x3u) return failure(pos, "VBA chunk header with a bad signature");
    const bool compressed = (*header & 0x8000u) != 0;
    const std::uint64_t chunk_end = std::min<std::uint64_t>(chunk_start + chunk_size, in.size());
    pos += 2;
    const std::size_t out_chunk = out.size();
    if (!compressed) {
      // Raw chunks hold exactly 4096 bytes (2.4.1.3.3); a short one is truncation.
      const std::uint64_t n = std::min<std::uint64_t>(kChunkMax, in.size() - pos);
      const ByteView raw = in.clamp(pos, n);
      if (out.size() + raw.size() > max_out) {
        out.insert(out.end(), raw.data(), raw.data() + (max_out - std::min<std::uint64_t>(max_out, out.size())));
        d.complete = false;
        return d;
      }
      out.insert(out.end(), raw.data(), raw.data() + raw.size());
      pos += n;
      continue;
    }
    std::uint8_t flags = 0;
    while (pos < chunk_end && in.byte_at(pos, flags)) {
      ++pos;
      for (int bit = 0; bit < 8 && pos < chunk_end; ++bit) {
        if ((flags & (1u << bit)) == 0) {
          std::uint8_t literal = 0;
          if (!in.byte_at(pos, literal)) break;  // chunk_end <= in.size(): not reached
          if (out.size() >= max_out) {
            d.complete = false;
            return d;
          }
          out.push_back(literal);
          ++pos;
          continue;
        }
        const auto token = core::load_le<std::uint16_t>(in, pos);
        if (!token || pos + 2 > chunk_end) return failure(pos, "VBA copy token cut by the chunk's end");
        pos += 2;
        const std::size_t done = out.size() - out_chunk;
        const unsigned bits = offset_bits(done);
        const std::uint16_t length_mask = static_cast<std::uint16_t>(0xFFFFu >> bits);
        const std::size_t offset = static_cast<std::size_t>(*token >> (16 - bits)) + 1;
        const std::size_t length = static_cast<std::size_t>(*token & length_mask) + 3;
        if (offset > done) return failure(pos - 2, "VBA copy token reaches before its chunk");
        for (std::size_t i = 0; i < length; ++i) {
          if (out.size() >= max_out) {
            d.complete = false;
            return d;
          }
          out.push_back(out[out.size() - offset]);
        }
      }
    }
    pos = chunk_end;
  }
  return d;
}

namespace {

// Record IDs of the dir stream (MS-OVBA 2.3.4.2).
enum : std::uint16_t {
  kSysKind = 0x0001,
  kCodePage = 0x0003,
  kProjectName = 0x0004,
  kVersion = 0x0009,
  kModules = 0x000F,
  kTerminator = 0x0010,
  kReferenceName = 0x0016,
  kModuleName = 0x0019,
  kModuleStreamName = 0x001A,
  kModuleTypeProcedural = 0x0021,
  kModuleTypeDocument = 0x0022,
  kModuleTerminator = 0x002B,
  kModuleOffset = 0x0031,
  kModuleStreamNameUnicode = 0x0032,
  kModuleNameUnicode = 0x0047,
};

std::string utf16(ByteView b) { return core::utf16_to_utf8(b, std::endian::little); }

}  // namespace

Result<VbaProject> parse_dir(ByteView dir, std::size_t max_modules) {
  VbaProject p;
  core::Reader r(dir);
  VbaModule current;
  bool in_module = false;
  std::size_t records = 0;
  auto note = [&](std::string what) {
    if (std::find(p.issues.begin(), p.issues.end(), what) == p.issues.end()) p.issues.push_back(std::move(what));
  };
  auto finish_module = [&] {
    if (in_module && p.modules.size() < max_modules) p.modules.push_back(std::move(current));
    current = VbaModule{};
    in_module = false;
  };
  while (!r.at_end()) {
    const auto id = r.le<std::uint16_t>();
    const auto size = r.le<std::uint32_t>();
    if (!id || !size) {
      if (records == 0) return fail(Errc::truncated, r.offset(), "VBA dir stream too short for a record");
      note("dir stream ends inside a record header");
      break;
    }
    ++records;
    // PROJECTVERSION's "size" is a reserved 4 followed by 6 bytes of version.
    const std::uint64_t length = *id == kVersion ? 6 : *size;
    const auto data = r.bytes(length);
    if (!data) {
      if (records == 1) return fail(Errc::truncated, r.offset(), "VBA dir record past the end of the stream");
      note("dir record 0x" + std::to_string(*id) + " runs past the end of the stream");
      break;
    }
    switch (*id) {
      case kSysKind:
        // value_or(0): a record shorter than its field reads 0 (Win16), a
        // fact about a damaged project that decides nothing.
        p.sys_kind = core::load_le<std::uint32_t>(*data, 0).value_or(0);
        break;
      case kCodePage:
        p.code_page = core::load_le<std::uint16_t>(*data, 0).value_or(1252);
        break;
      case kProjectName:
        p.name = core::latin1_to_utf8(data->chars());
        break;
      case kReferenceName:
        if (p.references.size() < 256) p.references.push_back(core::latin1_to_utf8(data->chars()));
        break;
      case kModuleName:
        finish_module();
        if (p.modules.size() >= max_modules) {
          note("more modules than the limit");
          return p;
        }
        in_module = true;
        current.name = core::latin1_to_utf8(data->chars());
        break;
      case kModuleNameUnicode:
        if (in_module && !data->empty()) current.name = utf16(*data);
        break;
      case kModuleStreamName:
        if (in_module) current.stream_name = core::latin1_to_utf8(data->chars());
        break;
      case kModuleStreamNameUnicode:
        if (in_module && !data->empty()) current.stream_name = utf16(*data);
        break;
      case kModuleOffset:
        // value_or(0): a record shorter than its field reads offset 0, the
        // stream's start; the reader (formats/ole) checks every offset against
        // the stream and decompresses from there like from any other.
        if (in_module) current.text_offset = core::load_le<std::uint32_t>(*data, 0).value_or(0);
        break;
      case kModuleTypeDocument:
        if (in_module) current.document_module = true;
        break;
      case kModuleTerminator:
        finish_module();
        break;
      case kTerminator:
        finish_module();
        return p;
      default:
        break;  // documentation, help, references' bodies, cookies: not needed to read code
    }
  }
  if (in_module) {
    note("dir stream ends inside a module's records");
    finish_module();
  }
  return p;
}

}  // namespace sluice::codecs::office
