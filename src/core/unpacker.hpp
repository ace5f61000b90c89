#pragma once
// The contract between the engine and a format: an Unpacker is stateless and
// thread-safe; everything it learns goes through the UnpackContext, which owns
// the bookkeeping (limits, budget, names, anomalies) so no format repeats it.
#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/budget.hpp"
#include "sluice/artifact.hpp"
#include "sluice/result.hpp"

namespace sluice::core {

class Registry;
class SearchMemo;

class UnpackContext {
 public:
  UnpackContext(ArtifactTree& tree, ArtifactId id, Budget& budget) noexcept
      : tree_(tree), id_(id), budget_(budget) {}

  [[nodiscard]] ArtifactId id() const noexcept { return id_; }
  // The container this artifact came from (kNoArtifact at the root): a part
  // may state a fact about its package (an OOXML part names the application).
  [[nodiscard]] ArtifactId parent() const { return tree_[id_].parent; }
  // Copies of what an unpacker reads about its artifact: references into the
  // tree would not survive the children it emits.
  [[nodiscard]] ByteView bytes() const { return tree_[id_].bytes; }
  [[nodiscard]] FileType type() const { return tree_[id_].type; }
  [[nodiscard]] std::string name() const { return std::string(tree_[id_].display_name()); }
  [[nodiscard]] std::uint32_t depth() const { return tree_[id_].depth; }
  [[nodiscard]] const Limits& limits() const noexcept { return budget_.limits(); }
  [[nodiscard]] Budget& budget() noexcept { return budget_; }

  // A child whose bytes are a view into this artifact (or anything else the
  // tree keeps alive). Returns nothing when a count limit refuses it; the limit
  // hit is already recorded, and the unpacker should stop emitting.
  std::optional<ArtifactId> emit(ByteView bytes, std::string locator, std::vector<Name> names);
  // A child whose bytes were decoded: the tree takes the buffer without a copy.
  // The caller has charged them to the budget through decode_allowance().
  std::optional<ArtifactId> emit_owned(std::vector<std::uint8_t>&& bytes, std::string locator,
                                       std::vector<Name> names, bool truncated = false);

  // What core::sniff(bytes) gave for a child this context emitted, when the
  // format had to sniff it anyway (a MIME part checked against its declared
  // type): the engine then takes it instead of sniffing the same bytes again.
  void sniffed_on(ArtifactId child, FileType type);

  // A sparse virtual disk of `size` bytes (docs/adr/0009-sparse-disks.md),
  // within max_virtual_bytes: beyond it the disk is cut (recorded, `capped`
  // set). When the system refuses that much address space, `fallback` bytes
  // (the end of the highest allocated block) are tried, and that is recorded
  // too. The caller copies blocks in, charges them through decode_allowance(),
  // and hands the buffer to emit_sparse().
  [[nodiscard]] Result<SparseBuffer> reserve_sparse(std::uint64_t size, std::uint64_t fallback,
                                                    std::string_view what, bool& capped);
  std::optional<ArtifactId> emit_sparse(SparseBuffer&& disk, std::string locator,
                                        std::vector<Name> names, bool truncated = false);
  // True when `bytes` holds no non-zero byte; for a view into a sparse disk
  // only its present ranges are read.
  [[nodiscard]] bool all_zero(ByteView bytes) const;

  // How many of the `wanted` bytes of an artifact decoded from `encoded` input
  // bytes the budget allows. When it cuts, the limit hit is recorded (naming
  // `what`) and `capped` is set; the caller decodes only that many bytes.
  [[nodiscard]] std::uint64_t bounded_size(std::uint64_t wanted, std::uint64_t encoded,
                                           std::string_view what, bool& capped);

  void anomaly(std::string id, Severity severity, std::uint64_t offset, std::string message);
  void anomaly_on(ArtifactId target, std::string id, Severity severity, std::uint64_t offset,
                  std::string message);
  // Records the hit in the report's limits_hit and as a `limit.exceeded` anomaly.
  void limit_hit(LimitKind kind, std::string detail);
  // Sets `target`'s readable text (Artifact::text): UTF-8 the caller decoded
  // and charged to the budget; the tree takes the buffer without a copy.
  void text_on(ArtifactId target, std::vector<std::uint8_t>&& utf8);
  // Meta on this artifact or on one it emitted, by declared key (src/meta):
  // the value's type is the declaration's.
  template <MetaType T>
  void meta(const MetaKey<T>& key, std::type_identity_t<T> value) {
    record_on(id_, key(std::move(value)));
  }
  template <MetaType T>
  void meta(const NamedMetaKey<T>& key, std::type_identity_t<T> value) {
    record_on(id_, key(std::move(value)));
  }
  template <MetaType T>
  void meta_on(ArtifactId target, const MetaKey<T>& key, std::type_identity_t<T> value) {
    record_on(target, key(std::move(value)));
  }
  template <MetaType T>
  void meta_on(ArtifactId target, const NamedMetaKey<T>& key, std::type_identity_t<T> value) {
    record_on(target, key(std::move(value)));
  }
  // An entry a parser made from a declared key (MetaKey's call operator).
  void record(Meta entry) { record_on(id_, std::move(entry)); }
  void record_on(ArtifactId target, Meta entry);

  // A hostile name made safe to carry: valid UTF-8 (bad bytes become U+FFFD),
  // NUL removed, cut at the name-length limit (which is then reported).
  [[nodiscard]] std::string clean_name(std::string_view raw);

  [[nodiscard]] std::size_t emitted() const noexcept { return emitted_; }

  // Passwords to try on an encrypted member, best first: harvested from the
  // enclosing message (subject, text and HTML parts), this artifact's names,
  // then common sample passwords (core/passwords.hpp).
  [[nodiscard]] std::vector<std::string> password_candidates() const;
  // The artifacts this one lies in, outermost first: a page's scripts see the
  // time its message arrived (formats/html/page_clock.hpp). Read them before
  // emitting anything: a child may move the tree's storage.
  [[nodiscard]] std::vector<const Artifact*> enclosing() const;

  // A forked reader works on a one-artifact tree of its own (core/isolate):
  // the message it came from is only in the parent's (a copy of which the
  // forked process holds), so candidates are asked of the parent's context,
  // and only when an encrypted member needs them.
  void take_password_candidates_from(const UnpackContext& parent) noexcept { candidates_from_ = &parent; }

  // The registry the engine unpacks with, for a format that hands its model on
  // to followers (Registry::followers); none in a bare context (tests, fuzzers).
  void use_registry(const Registry& registry) noexcept { registry_ = &registry; }
  [[nodiscard]] const Registry* registry() const noexcept { return registry_; }

  // The engine's memory of password searches that opened nothing
  // (core/search_memo.hpp); none in a bare context or a forked reader's.
  void use_search_memo(SearchMemo& memo) noexcept { search_memo_ = &memo; }
  [[nodiscard]] SearchMemo* search_memo() const noexcept { return search_memo_; }
  // The SHA-256 the engine took of this artifact before unpacking it (of its
  // present data, in order, where it lies in a sparse disk).
  [[nodiscard]] const std::array<std::uint8_t, 32>& content_sha256() const { return tree_[id_].hashes.sha256; }

 private:
  // Room for one more child, charged its overhead (names and locator included).
  std::optional<ArtifactId> admit(const std::string& locator, const std::vector<Name>& names);

  ArtifactTree& tree_;
  ArtifactId id_;
  Budget& budget_;
  std::size_t emitted_ = 0;
  bool refused_ = false;
  const UnpackContext* candidates_from_ = nullptr;
  const Registry* registry_ = nullptr;
  SearchMemo* search_memo_ = nullptr;
};

class Unpacker {
 public:
  virtual ~Unpacker() = default;
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  [[nodiscard]] virtual std::span<const FileType> handles() const noexcept = 0;
  // An error return means "this artifact could not be (fully) read": the engine
  // records it as an `unpack.error` finding; children already emitted are kept.
  [[nodiscard]] virtual Status unpack(UnpackContext& ctx) const = 0;
};

// A pure parser's anomalies on the artifact being unpacked, through
// anomaly(): Limits::max_anomalies_per_kind of each ID, and the limit
// reported where a hostile structure repeats one fault past it.
void report_anomalies(UnpackContext& ctx, std::span<const Anomaly> anomalies);

// A reader that follows a format's unpacker on the model that unpacker parsed:
// malware family configurations read a parsed PE's resources. The format
// declares the interface (a subclass of Follower with the model in its call)
// and asks the registry for its followers; it never includes who follows, so
// the layers stay one-way (docs/adr/0024).
class Follower {
 public:
  virtual ~Follower() = default;
};

class Registry {
 public:
  void add(std::unique_ptr<Unpacker> unpacker);
  void add_follower(std::unique_ptr<Follower> follower);
  // Every registered follower of type F, in registration order.
  template <class F>
  [[nodiscard]] std::vector<const F*> followers() const {
    std::vector<const F*> out;
    for (const auto& f : followers_) {
      if (const auto* typed = dynamic_cast<const F*>(f.get())) out.push_back(typed);
    }
    return out;
  }
  [[nodiscard]] const Unpacker* find(FileType type) const noexcept;
  [[nodiscard]] std::vector<std::string> names() const;
  // Keeps only the named unpackers; an unknown name is an error.
  [[nodiscard]] Status retain(std::span<const std::string> names);

 private:
  std::vector<std::unique_ptr<Unpacker>> unpackers_;
  std::vector<std::unique_ptr<Follower>> followers_;
};

}  // namespace sluice::core

namespace sluice::formats {
// Generated by CMake from the sluice_add_format() calls: one line per format.
void register_all(core::Registry& registry);
}  // namespace sluice::formats
