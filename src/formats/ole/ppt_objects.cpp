#include "formats/ole/ppt_objects.hpp"

#include "core/reader.hpp"

namespace sluice::formats::ole {
namespace {

constexpr std::uint16_t kRtExOleObjStg = 0x1011;
constexpr std::uint8_t kContainerVersion = 0xF;

}  // namespace

Result<Parsed<PptObjects>> parse_powerpoint(ByteView stream, const Limits& limits) {
  Parsed<PptObjects> parsed;
  std::vector<PptObject>& out = parsed.model.objects;
  std::vector<Anomaly>& issues = parsed.anomalies;
  struct Span {
    std::uint64_t pos, end;
  };
  std::vector<Span> stack{{0, stream.size()}};
  bool reported_overrun = false;
  while (!stack.empty()) {
    Span& s = stack.back();
    if (s.end - s.pos < 8) {
      stack.pop_back();
      continue;
    }
    // value_or: in bounds, 8 bytes remain before s.end, and no span ends past
    // the stream (children are clipped to their container below).
    const std::uint16_t ver_inst = core::load_le<std::uint16_t>(stream, s.pos).value_or(0);
    const std::uint16_t type = core::load_le<std::uint16_t>(stream, s.pos + 2).value_or(0);
    const std::uint32_t len = core::load_le<std::uint32_t>(stream, s.pos + 4).value_or(0);
    const std::uint64_t body = s.pos + 8;
    std::uint64_t body_len = len;
    if (body_len > s.end - body) {
      if (!reported_overrun) {
        issues.push_back({"ppt.record_overrun", Severity::low, s.pos,
                          "PowerPoint record of " + std::to_string(len) + " bytes runs past its container"});
        reported_overrun = true;
      }
      body_len = s.end - body;
    }
    s.pos = body + body_len;
    const auto version = static_cast<std::uint8_t>(ver_inst & 0xF);
    const std::uint16_t instance = ver_inst >> 4;
    if (type == kRtExOleObjStg) {
      PptObject o;
      o.offset = body;
      ByteView data = stream.clamp(body, body_len);
      if (instance == 1) {
        o.compressed = true;
        // value_or(0): a body shorter than its size field declares 0 bytes,
        // which the unpacker compares with what the rest inflates to.
        o.declared_size = core::load_le<std::uint32_t>(data, 0).value_or(0);
        data = data.tail(std::min<std::uint64_t>(4, data.size()));
      }
      o.data = data;
      out.push_back(o);
    } else if (version == kContainerVersion && body_len >= 8 && stack.size() < limits.ole.max_ppt_nesting) {
      stack.push_back({body, body + body_len});
    }
  }
  return parsed;
}

}  // namespace sluice::formats::ole
