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
#include "core/budget.hpp"
#include "core/parsed.hpp"

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

// A message of the file: the file's own (depth 0), then embedded ones
// breadth-first, as the unpacker emits them.
struct MsgNode {
  MsgMessage message;
  std::uint32_t depth = 0;
  std::string path;  // "" or "attachment[2]/" — the locator prefix of its parts
};

struct MsgFile {
  CompoundFile cfb;  // the unpacker reads the property streams through it
  std::vector<MsgNode> messages;
  bool deadline = false;  // the scan's time ran out before every message was read
};

// The parser contract (core/parsed.hpp), Budget variant: the compound file and
// every message in it. Each storage is read once (the directory walk hands out
// every entry once), so the walk is bounded by the directory; the engine's
// depth limit is the unpacker's to apply, since only it knows how deep the
// file itself sits. The error side: no usable compound-file header.
[[nodiscard]] Result<Parsed<MsgFile>> parse(ByteView bytes, const core::Budget& budget);

}  // namespace sluice::formats::msg
