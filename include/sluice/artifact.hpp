#pragma once
// The artifact tree: the message (or file) at the root, every unpacked member
// below it. Nodes live in a deque addressed by id, so an unpacker that emits
// children never invalidates a reference another part of the engine holds.
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sluice/byte_view.hpp"
#include "sluice/file_type.hpp"
#include "sluice/finding.hpp"
#include "sluice/limits.hpp"
#include "sluice/meta_key.hpp"
#include "sluice/sparse_buffer.hpp"

namespace sluice {

// One name one view of a container gives an artifact: the ISO 9660 name, the
// Joliet name, a MIME filename parameter ... The first name is the one the victim
// sees; the others stay for comparison.
struct Name {
  std::string view;
  std::string value;
};

// SHA-256 always; MD5 and SHA-1 where the configuration or the artifact's
// type asks for them ([report] hashes, docs/adr/0026): without, they are
// zero and `has_md5` / `has_sha1` false.
struct Hashes {
  std::array<std::uint8_t, 16> md5{};
  std::array<std::uint8_t, 20> sha1{};
  std::array<std::uint8_t, 32> sha256{};
  bool has_md5 = false;
  bool has_sha1 = false;
};

// Which digests besides SHA-256 to compute.
struct DigestChoice {
  bool md5 = true;
  bool sha1 = true;
};
// SHA-256 alone: identities inside Sluice (dedup keys, digests of lists) and
// the default for artifacts that are not executables.
inline constexpr DigestChoice kSha256Only{.md5 = false, .sha1 = false};
[[nodiscard]] std::string to_hex(std::span<const std::uint8_t> bytes);
// The same digits written to `out` (2 × bytes.size() chars), for a caller
// that has room for them already.
void write_hex(std::span<const std::uint8_t> bytes, char* out) noexcept;

struct LimitHit {
  LimitKind kind;
  ArtifactId artifact = kNoArtifact;
  std::uint64_t limit = 0;
  std::string detail;
};

struct Artifact {
  ArtifactId id = kNoArtifact;
  ArtifactId parent = kNoArtifact;
  std::uint32_t depth = 0;
  std::string locator;  // where in the parent: "part[2]", "member[0]"; may be empty
  std::vector<Name> names;
  FileType type = FileType::unknown;
  // The unpacker that emitted it ran core::sniff on exactly these bytes and
  // kept the answer in `type` (UnpackContext::sniffed_on): the engine does not
  // sniff them again.
  bool sniffed = false;
  ByteView bytes;
  // What a reader of this artifact sees as text, when a format knows better
  // than the raw bytes: a MIME text part converted from its charset to UTF-8,
  // HTML reduced to its visible text. Owned by the tree; not hashed, not in the
  // report; read it through readable_text().
  ByteView text;
  bool has_text = false;
  Hashes hashes;
  bool hashed = false;
  // Hashed over its present extents, not over every byte: a sparse artifact
  // larger than max_artifact_bytes (docs/adr/0009-sparse-disks.md). Such hashes
  // never equal a dense artifact's, so dedup keys on both.
  bool hashed_by_extents = false;
  bool truncated = false;  // bytes are a prefix: a limit or damage stopped decoding
  std::optional<ArtifactId> duplicate_of;
  std::vector<Anomaly> anomalies;
  std::vector<Meta> meta;
  std::vector<ArtifactId> children;

  [[nodiscard]] std::string_view display_name() const noexcept {
    return names.empty() ? std::string_view{} : std::string_view{names.front().value};
  }
  // `text` when a format set it, else the bytes as they are.
  [[nodiscard]] std::string_view readable_text() const noexcept {
    return has_text ? text.chars() : bytes.chars();
  }
  // Readers in src/ and apps/ name keys by their declarations (src/meta); the
  // string forms serve generic walks (the report) and tests.
  [[nodiscard]] const MetaValue* find_meta(std::string_view key) const noexcept;
  template <MetaType T>
  [[nodiscard]] const MetaValue* find_meta(const MetaKey<T>& key) const noexcept {
    return find_meta(key.name);
  }
  // The first value under a declared key, typed; null when absent.
  template <MetaType T>
  [[nodiscard]] const T* meta_value(const MetaKey<T>& key) const noexcept {
    const MetaValue* v = find_meta(key.name);
    return v != nullptr ? std::get_if<T>(v) : nullptr;
  }
  // The text of the first value under `key` (meta_text: a string, an address
  // header's text, a digest's hex), or empty.
  [[nodiscard]] std::string meta_string(std::string_view key) const;
  [[nodiscard]] std::string meta_string(const MetaKey<std::string>& key) const { return meta_string(key.name); }
  // The text of every value under a repeated key (ioc.url, office.field), in order.
  [[nodiscard]] std::vector<std::string> meta_strings(std::string_view key) const;
  [[nodiscard]] std::vector<std::string> meta_strings(const MetaKey<std::string>& key) const {
    return meta_strings(key.name);
  }
  // The first mailbox of an address header (mail.from …); empty when absent.
  [[nodiscard]] Mailbox first_mailbox(const MetaKey<MailAddresses>& key) const {
    const MailAddresses* a = meta_value(key);
    return a != nullptr && !a->mailboxes.empty() ? a->mailboxes.front() : Mailbox{};
  }
  // True only when `key` holds the boolean true.
  [[nodiscard]] bool meta_flag(std::string_view key) const noexcept;
  [[nodiscard]] bool meta_flag(const MetaKey<bool>& key) const noexcept { return meta_flag(key.name); }
};

class ArtifactTree {
 public:
  ArtifactTree() = default;
  ArtifactTree(ArtifactTree&&) noexcept = default;
  ArtifactTree& operator=(ArtifactTree&&) noexcept = default;
  ArtifactTree(const ArtifactTree&) = delete;
  ArtifactTree& operator=(const ArtifactTree&) = delete;

  // The root's label is "message" for mail and "file" otherwise.
  ArtifactId add_root(ByteView bytes, std::string label, std::vector<Name> names);
  ArtifactId add_child(ArtifactId parent, ByteView bytes, std::string locator,
                       std::vector<Name> names);
  // Takes ownership of decoded bytes and returns a view that stays valid for the
  // tree's lifetime (moving a vector keeps its buffer, so no copy is made).
  ByteView adopt(std::vector<std::uint8_t>&& buffer);
  // Takes a sparse virtual disk, sealed read-only; its view stays valid for the
  // tree's lifetime. Only its present bytes count as owned.
  ByteView adopt(SparseBuffer&& buffer);
  // For bytes that lie in a sparse buffer the tree owns (a virtual disk, or a
  // view into one such as a partition): the ranges that hold data, relative to
  // `bytes`; everything else reads as zeros and costs no memory. Nothing for
  // ordinary bytes.
  [[nodiscard]] std::optional<std::vector<Extent>> present_extents(ByteView bytes) const;

  [[nodiscard]] const Artifact& operator[](ArtifactId id) const { return nodes_.at(id); }
  [[nodiscard]] Artifact& at(ArtifactId id) { return nodes_.at(id); }
  [[nodiscard]] std::size_t size() const noexcept { return nodes_.size(); }
  [[nodiscard]] bool empty() const noexcept { return nodes_.empty(); }
  [[nodiscard]] auto begin() const noexcept { return nodes_.begin(); }
  [[nodiscard]] auto end() const noexcept { return nodes_.end(); }

  // `message › part[2] "invoice.zip" › "Invoice.iso" › "/INVOICE.SCR"`
  [[nodiscard]] std::string evidence_path(ArtifactId id) const;
  [[nodiscard]] std::string segment(ArtifactId id) const;
  [[nodiscard]] std::uint64_t owned_bytes() const noexcept { return owned_bytes_; }

  std::vector<LimitHit> limits_hit;

 private:
  std::deque<Artifact> nodes_;
  std::vector<std::vector<std::uint8_t>> owned_;
  std::vector<SparseBuffer> sparse_;
  std::uint64_t owned_bytes_ = 0;
};

}  // namespace sluice
