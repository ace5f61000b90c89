#pragma once
// TNEF (winmail.dat) model (MS-OXTNEF): pure, views into the input, no limits of
// its own beyond the input's size (every loop advances through it).
#include <cstdint>
#include <string>
#include <vector>

#include "codecs/mapi/mapi.hpp"
#include "sluice/byte_view.hpp"
#include "core/parsed.hpp"
#include "sluice/limits.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::tnef {

// A body as stored: PT_UNICODE bodies are UTF-16LE, others 8-bit.
struct Text {
  ByteView bytes;
  bool utf16 = false;
  std::uint64_t offset = 0;
  [[nodiscard]] bool present() const noexcept { return !bytes.empty(); }
};

struct Attachment {
  std::uint64_t offset = 0;  // of the attribute that started it
  ByteView data;             // attAttachData, else a PT_BINARY PidTagAttachDataObject
  std::uint64_t data_offset = 0;
  bool has_data = false;
  bool data_truncated = false;
  // A PT_OBJECT PidTagAttachDataObject, after its interface ID: an embedded
  // message (IID_IMessage, itself a TNEF stream) or an OLE storage. Outlook
  // also writes an attAttachData for such attachments (a text stub or a
  // rendering); both are kept, as MimeKit does: either may be what is opened.
  ByteView object;
  std::uint64_t object_offset = 0;
  bool has_object = false;
  bool embedded_message = false;
  std::string title;              // attAttachTitle (8.3 on old writers)
  std::string long_filename;      // PidTagAttachLongFilename
  std::string filename;           // PidTagAttachFilename
  std::string display_name;       // PidTagDisplayName
  std::string transport_filename; // attAttachTransportFilename
  std::string mime_tag;           // PidTagAttachMimeTag
  std::int64_t method = -1;       // PidTagAttachMethod
};

struct Message {
  std::uint16_t key = 0;
  std::uint32_t attributes = 0;
  std::string subject;
  std::string message_class;
  std::string sender_name;
  std::string sender_email;
  Text body;       // attBody, else PidTagBody
  Text html;       // PidTagBodyHtml
  ByteView rtf_compressed;
  std::uint64_t rtf_offset = 0;
  std::vector<Attachment> attachments;
};

// Fails only when the signature is wrong; damage after it becomes anomalies and
// the parse keeps what it read (a truncated winmail.dat still shows its files).
[[nodiscard]] Result<Parsed<Message>> parse(ByteView bytes, const Limits& limits);

}  // namespace sluice::formats::tnef
