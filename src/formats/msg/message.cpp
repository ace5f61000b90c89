#include "formats/msg/message.hpp"

#include <deque>
#include <string_view>

#include "codecs/cfb/layout.hpp"
#include "codecs/mapi/layout.hpp"

namespace sluice::formats::msg {

using codecs::cfb::CompoundFile;
using codecs::cfb::DirEntry;
using codecs::cfb::kTypeStorage;
using codecs::cfb::kTypeStream;
namespace {

constexpr std::string_view kSubstg = "__substg1.0_";
constexpr std::string_view kAttach = "__attach_version1.0_#";

std::optional<std::uint32_t> hex(std::string_view s) {
  std::uint32_t v = 0;
  for (char c : s) {
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
    else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
    else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
    else return std::nullopt;
  }
  return v;
}

}  // namespace

std::optional<PropStream> prop_stream(const DirEntry& e, std::uint32_t entry) {
  std::string_view n = e.name;
  if (!n.starts_with(kSubstg) || n.size() < kSubstg.size() + 8) return std::nullopt;
  // Multi-valued properties add "-XXXXXXXX" per value; Sluice reads none of them.
  const auto tag = hex(n.substr(kSubstg.size(), 8));
  if (!tag || n.size() != kSubstg.size() + 8) return std::nullopt;
  return PropStream{static_cast<std::uint16_t>(*tag >> 16), static_cast<std::uint16_t>(*tag & 0xFFFF), entry};
}

const PropStream* find(const std::vector<PropStream>& props, std::uint16_t id) {
  for (const PropStream& p : props) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

MsgMessage read_message(CompoundFile& cfb, std::uint32_t storage, std::vector<Anomaly>& issues) {
  MsgMessage m;
  m.storage = storage;
  for (std::uint32_t id : cfb.children(storage, issues)) {
    const DirEntry& e = cfb.entries()[id];
    if (auto p = prop_stream(e, id); p && e.type == kTypeStream) {
      m.props.push_back(*p);
    } else if (e.type == kTypeStorage && std::string_view(e.name).starts_with(kAttach)) {
      MsgAttachment a;
      a.storage = id;
      a.name = e.name;
      m.attachments.push_back(std::move(a));
    }
  }
  for (MsgAttachment& a : m.attachments) {
    for (std::uint32_t id : cfb.children(a.storage, issues)) {
      const DirEntry& e = cfb.entries()[id];
      const auto p = prop_stream(e, id);
      if (!p) continue;
      if (p->id == codecs::mapi::props::kPrAttachDataObj && p->type == codecs::mapi::props::kPtObject && e.type == kTypeStorage) {
        // An embedded message has its own property streams; any other storage
        // under 0x3701 is an OLE object (a document kept as a storage).
        bool message = false;
        for (std::uint32_t c : cfb.children(id, issues)) {
          message = message || prop_stream(cfb.entries()[c], c).has_value();
          if (message) break;
        }
        (message ? a.embedded : a.object_storage) = id;
        continue;
      }
      if (e.type != kTypeStream) continue;
      if (p->id == codecs::mapi::props::kPrAttachDataObj && p->type == codecs::mapi::props::kPtBinary) a.data = id;
      a.props.push_back(*p);
    }
  }
  return m;
}

Result<Parsed<MsgFile>> parse(ByteView bytes, const core::Budget& budget) {
  std::vector<Anomaly> issues;
  auto cfb = CompoundFile::parse(bytes, issues);
  if (!cfb) return std::unexpected(cfb.error());
  Parsed<MsgFile> out{MsgFile{std::move(*cfb), {}, false}, std::move(issues)};
  MsgFile& f = out.model;
  std::deque<MsgNode> todo;
  todo.push_back({read_message(f.cfb, 0, out.anomalies), 0, ""});
  while (!todo.empty()) {
    MsgNode n = std::move(todo.front());
    todo.pop_front();
    for (std::size_t i = 0; i < n.message.attachments.size(); ++i) {
      const std::optional<std::uint32_t> embedded = n.message.attachments[i].embedded;
      if (!embedded) continue;
      if (budget.expired()) {
        f.deadline = true;
        break;
      }
      todo.push_back({read_message(f.cfb, *embedded, out.anomalies), n.depth + 1,
                      n.path + "attachment[" + std::to_string(i) + "]/"});
    }
    f.messages.push_back(std::move(n));
    if (f.deadline) break;
  }
  return out;
}

}  // namespace sluice::formats::msg
