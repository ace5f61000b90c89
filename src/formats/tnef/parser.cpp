#include "formats/tnef/parser.hpp"

#include <algorithm>
#include <cstring>
#include <span>

#include "core/reader.hpp"
#include "core/text.hpp"
#include "formats/tnef/layout.hpp"

namespace sluice::formats::tnef {

using codecs::mapi::MapiProp;
using codecs::mapi::props::kPrAttachDataObj;
using codecs::mapi::props::kPrAttachFilename;
using codecs::mapi::props::kPrAttachLongFilename;
using codecs::mapi::props::kPrAttachMethod;
using codecs::mapi::props::kPrAttachMimeTag;
using codecs::mapi::props::kPrBody;
using codecs::mapi::props::kPrBodyHtml;
using codecs::mapi::props::kPrDisplayName;
using codecs::mapi::props::kPrMessageClass;
using codecs::mapi::props::kPrRtfCompressed;
using codecs::mapi::props::kPrSenderEmail;
using codecs::mapi::props::kPrSenderName;
using codecs::mapi::props::kPrSubject;
using codecs::mapi::props::kPtBinary;
using codecs::mapi::props::kPtObject;
using codecs::mapi::props::kPtUnicode;
using codecs::mapi::parse_mapi_props;
using codecs::mapi::prop_string;
namespace {

std::uint16_t checksum(ByteView data) {
  std::uint32_t sum = 0;
  for (const std::uint8_t c : std::span<const std::uint8_t>(data.data(), data.size())) sum += c;
  return static_cast<std::uint16_t>(sum & 0xFFFF);
}

// TNEF's own 8-bit strings (attSubject, attAttachTitle ...) are NUL-terminated
// in the sender's OEM code page; Latin-1 keeps every byte visible.
std::string cstring(ByteView v) {
  std::string_view s = v.chars();
  if (const auto nul = s.find('\0'); nul != std::string_view::npos) s = s.substr(0, nul);
  return core::latin1_to_utf8(s);
}

Text text_of(const MapiProp& p) {
  if (p.values.empty()) return {};
  return Text{p.values.front(), p.type == kPtUnicode, p.offset};
}

void apply_message_props(Message& m, const std::vector<MapiProp>& props) {
  for (const MapiProp& p : props) {
    if (p.named || p.values.empty()) continue;
    switch (p.id) {
      case kPrSubject:
        if (m.subject.empty()) m.subject = prop_string(p);
        break;
      case kPrMessageClass:
        if (m.message_class.empty()) m.message_class = prop_string(p);
        break;
      case kPrSenderName:
        m.sender_name = prop_string(p);
        break;
      case kPrSenderEmail:
        m.sender_email = prop_string(p);
        break;
      case kPrBody:
        if (!m.body.present()) m.body = text_of(p);
        break;
      case kPrRtfCompressed:
        m.rtf_compressed = p.values.front();
        m.rtf_offset = p.offset;
        break;
      case kPrBodyHtml:
        m.html = text_of(p);
        break;
      default:
        break;
    }
  }
}

void apply_data_object(Attachment& a, const MapiProp& p) {
  const ByteView v = p.values.front();
  if (p.type == kPtBinary) {
    if (!a.has_data) {
      a.data = v;
      a.data_offset = p.offset;
      a.has_data = true;
    }
    return;
  }
  if (p.type != kPtObject || v.size() < kIidSize || a.has_object) return;
  a.object = v.tail(kIidSize);
  a.object_offset = p.offset;
  a.has_object = true;
  a.embedded_message = std::memcmp(v.data(), kIidIMessage, kIidSize) == 0;
}

void apply_attachment_props(Attachment& a, const std::vector<MapiProp>& props) {
  for (const MapiProp& p : props) {
    if (p.named || p.values.empty()) continue;
    switch (p.id) {
      case kPrAttachLongFilename:
        a.long_filename = prop_string(p);
        break;
      case kPrAttachFilename:
        a.filename = prop_string(p);
        break;
      case kPrDisplayName:
        a.display_name = prop_string(p);
        break;
      case kPrAttachMimeTag:
        a.mime_tag = prop_string(p);
        break;
      case kPrAttachMethod: {
        std::uint32_t v = 0;
        if (p.values.front().size() >= 4) std::memcpy(&v, p.values.front().data(), 4);
        a.method = static_cast<std::int64_t>(std::uint32_t{v});
        break;
      }
      case kPrAttachDataObj:
        apply_data_object(a, p);
        break;
      default:
        break;
    }
  }
}

}  // namespace

// Limits: every attribute costs at least its 9-byte header, so the records
// are bounded by the input; the unpacker caps what it emits (max_children).
Result<Parsed<Message>> parse(ByteView bytes, const Limits& /*limits*/) {
  core::Reader r(bytes);
  auto sig = r.le<std::uint32_t>();
  if (!sig || *sig != kSignature) return fail(Errc::malformed, 0, "no TNEF signature");
  auto key = r.le<std::uint16_t>();
  if (!key) return fail(Errc::truncated, 4, "TNEF header cut short");
  Parsed<Message> out;
  Message& m = out.model;
  m.key = *key;

  // Every pass consumes at least the 9-byte attribute header, so the loop is
  // bounded by the input.
  while (!r.at_end()) {
    const std::uint64_t at = r.offset();
    if (r.remaining() < kAttrHeaderSize) {
      out.anomalies.push_back({"tnef.trailing_data", Severity::low, at,
                          std::to_string(r.remaining()) + " bytes after the last attribute"});
      break;
    }
    // value_or: in bounds, remaining() >= the 9-byte header was checked above.
    const std::uint8_t level = r.u8().value_or(0);
    const std::uint32_t tag = r.le<std::uint32_t>().value_or(0);
    const std::uint32_t len = r.le<std::uint32_t>().value_or(0);
    if (level != kLevelMessage && level != kLevelAttachment) {
      out.anomalies.push_back({"tnef.trailing_data", Severity::low, at,
                          std::to_string(bytes.size() - at) +
                              " bytes that are not a TNEF attribute (level " + std::to_string(level) + ")"});
      break;
    }
    const std::uint64_t data_at = r.offset();
    ByteView data;
    bool truncated = false;
    if (len > r.remaining()) {
      out.anomalies.push_back({"tnef.truncated", Severity::medium, at,
                          "attribute 0x" + std::to_string(tag) + " claims " + std::to_string(len) +
                              " bytes, " + std::to_string(r.remaining()) + " remain"});
      data = r.rest();
      truncated = true;
      (void)r.skip(r.remaining());
    } else {
      data = r.bytes(len).value_or(ByteView{});
      auto sum = r.le<std::uint16_t>();
      if (!sum) {
        out.anomalies.push_back({"tnef.truncated", Severity::medium, data_at + len, "attribute checksum missing"});
        truncated = true;
      } else if (*sum != checksum(data)) {
        out.anomalies.push_back({"tnef.bad_checksum", Severity::low, data_at + len,
                            "attribute checksum " + std::to_string(*sum) + ", data sums to " +
                                std::to_string(checksum(data))});
      }
    }
    ++m.attributes;
    const auto id = static_cast<std::uint16_t>(tag & 0xFFFF);

    if (level == kLevelAttachment) {
      // attAttachRendData opens an attachment; anything before one gets its own.
      if (id == kAttAttachRendData || m.attachments.empty()) {
        m.attachments.push_back(Attachment{});
        m.attachments.back().offset = at;
      }
      Attachment& a = m.attachments.back();
      switch (id) {
        case kAttAttachTitle:
          a.title = cstring(data);
          break;
        case kAttAttachTransportFilename:
          a.transport_filename = cstring(data);
          break;
        case kAttAttachData:
          a.data = data;
          a.data_offset = data_at;
          a.has_data = true;
          a.data_truncated = truncated;
          break;
        case kAttAttachment:
          apply_attachment_props(a, parse_mapi_props(data, data_at, out.anomalies));
          break;
        default:
          break;
      }
    } else {
      switch (id) {
        case kAttSubject:
          m.subject = cstring(data);
          break;
        case kAttMessageClass:
          m.message_class = cstring(data);
          break;
        case kAttBody:
          m.body = Text{data, false, data_at};
          break;
        case kAttMapiProps:
          apply_message_props(m, parse_mapi_props(data, data_at, out.anomalies));
          break;
        default:
          break;
      }
    }
    if (truncated) break;
  }
  return out;
}

}  // namespace sluice::formats::tnef
