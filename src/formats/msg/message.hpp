#pragma once
// The MS-OXMSG layer over a compound file: which storages are messages and
// attachments, and which streams hold the properties Sluice reads. Storages are
// visited from a worklist, never by recursion; embedded messages are messages
// found in an attachment storage ("__substg1.0_3701000D").
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codecs/cfb/cfb.hpp"

namespace sluice::formats::msg {

using codecs::cfb::CompoundFile;
using codecs::cfb::DirEntry;

// A property stream: "__substg1.0_XXXXYYYY" (tag id, type) in a storage.
struct PropStream {
  std::uint16_t id = 0;
  std::uint16_t type = 0;
  std::uint32_t entry = 0;
};

struct MsgAttachment {
  std::uint32_t storage = 0;
  std::string name;  // the storage name, "__attach_version1.0_#00000000"
  std::vector<PropStream> props;
  std::optional<std::uint32_t> data;            // PidTagAttachDataBinary stream
  std::optional<std::uint32_t> embedded;        // PidTagAttachDataObject storage (a message)
  std::optional<std::uint32_t> object_storage;  // PidTagAttachDataObject storage (OLE)
};

struct MsgMessage {
  std::uint32_t storage = 0;
  std::vector<PropStream> props;
  std::vector<MsgAttachment> attachments;
};

// Parses the property-stream name of a storage's child; nullopt when the name is
// not one.
[[nodiscard]] std::optional<PropStream> prop_stream(const DirEntry& e, std::uint32_t entry);

// Reads one message storage: its property streams and its attachment storages.
[[nodiscard]] MsgMessage read_message(CompoundFile& cfb, std::uint32_t storage, std::vector<Anomaly>& issues);

[[nodiscard]] const PropStream* find(const std::vector<PropStream>& props, std::uint16_t id);

}  // namespace sluice::formats::msg
