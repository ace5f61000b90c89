#include "core/unpacker.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "core/passwords.hpp"
#include "core/text.hpp"

namespace sluice::core {

namespace {
// What one artifact costs besides its bytes: the node, its hashes, the meta,
// anomalies and children it will carry (measured ~0.6 KiB on the corpora),
// and its names and locator. Charged to the decoded-bytes budget, so
// max_total_bytes bounds the tree's memory, not only what was decoded: 50,000
// tiny members cost what they occupy.
constexpr std::uint64_t kArtifactOverhead = 1024;

std::uint64_t overhead(const std::string& locator, const std::vector<Name>& names) {
  std::uint64_t n = kArtifactOverhead + locator.size();
  for (const Name& nm : names) n += nm.view.size() + nm.value.size();
  return n;
}
}  // namespace

std::optional<ArtifactId> UnpackContext::admit(const std::string& locator, const std::vector<Name>& names) {
  if (refused_) return std::nullopt;
  if (emitted_ >= limits().max_children) {
    refused_ = true;
    limit_hit(LimitKind::children,
              "more than " + std::to_string(limits().max_children) + " children");
    return std::nullopt;
  }
  if (!budget_.take_artifact()) {
    refused_ = true;
    limit_hit(LimitKind::artifacts,
              "more than " + std::to_string(limits().max_artifacts) + " artifacts in the scan");
    return std::nullopt;
  }
  ++emitted_;
  budget_.charge_decoded(overhead(locator, names));
  return id_;
}

std::optional<ArtifactId> UnpackContext::emit(ByteView bytes, std::string locator,
                                              std::vector<Name> names) {
  if (!admit(locator, names)) return std::nullopt;
  return tree_.add_child(id_, bytes, std::move(locator), std::move(names));
}

std::optional<ArtifactId> UnpackContext::emit_owned(std::vector<std::uint8_t>&& bytes,
                                                    std::string locator, std::vector<Name> names,
                                                    bool truncated) {
  if (!admit(locator, names)) return std::nullopt;
  const ByteView view = tree_.adopt(std::move(bytes));
  const ArtifactId child = tree_.add_child(id_, view, std::move(locator), std::move(names));
  tree_.at(child).truncated = truncated;
  return child;
}

void UnpackContext::sniffed_on(ArtifactId child, FileType type) {
  Artifact& a = tree_.at(child);
  if (a.parent != id_) return;  // only a child of this context's artifact
  a.type = type;
  a.sniffed = true;
}

Result<SparseBuffer> UnpackContext::reserve_sparse(std::uint64_t size, std::uint64_t fallback,
                                                  std::string_view what, bool& capped) {
  const std::uint64_t left = budget_.virtual_left();
  if (size > left) {
    limit_hit(LimitKind::virtual_bytes, std::string(what) + " of " + std::to_string(size) +
                                            " bytes cut to " + std::to_string(left));
    size = left;
    capped = true;
  }
  auto buf = SparseBuffer::reserve(size);
  if (!buf && fallback < size) {
    limit_hit(LimitKind::virtual_bytes, std::string(what) + ": " + buf.error().what +
                                            "; read up to its last allocated byte (" +
                                            std::to_string(fallback) + ")");
    capped = true;
    size = fallback;
    buf = SparseBuffer::reserve(size);
  }
  if (buf) budget_.charge_virtual(size);
  return buf;
}

std::optional<ArtifactId> UnpackContext::emit_sparse(SparseBuffer&& disk, std::string locator,
                                                     std::vector<Name> names, bool truncated) {
  if (!admit(locator, names)) return std::nullopt;
  const ByteView view = tree_.adopt(std::move(disk));
  const ArtifactId child = tree_.add_child(id_, view, std::move(locator), std::move(names));
  tree_.at(child).truncated = truncated;
  return child;
}

bool UnpackContext::all_zero(ByteView bytes) const {
  const auto present = tree_.present_extents(bytes);
  if (!present) return bytes.all_zero();
  return std::all_of(present->begin(), present->end(),
                     [&](const Extent& e) { return bytes.clamp(e.offset, e.length).all_zero(); });
}

std::uint64_t UnpackContext::bounded_size(std::uint64_t wanted, std::uint64_t encoded,
                                          std::string_view what, bool& capped) {
  const auto allowance = budget_.decode_allowance(encoded);
  if (wanted <= allowance.bytes) return wanted;
  limit_hit(allowance.binding, std::string(what) + " of " + std::to_string(wanted) +
                                   " bytes assembled only to " + std::to_string(allowance.bytes));
  capped = true;
  return allowance.bytes;
}

void UnpackContext::anomaly(std::string id, Severity severity, std::uint64_t offset,
                            std::string message) {
  anomaly_on(id_, std::move(id), severity, offset, std::move(message));
}

void UnpackContext::anomaly_on(ArtifactId target, std::string id, Severity severity,
                               std::uint64_t offset, std::string message) {
  Artifact& a = tree_.at(target);
  const std::uint32_t cap = limits().max_anomalies_per_kind;
  const auto same = std::count_if(a.anomalies.begin(), a.anomalies.end(), [&](const Anomaly& x) { return x.id == id; });
  if (std::cmp_less(same, cap)) {
    a.anomalies.push_back(Anomaly{std::move(id), severity, offset, to_valid_utf8(message)});
    return;
  }
  // The first one past the cap is reported as the limit, once per ID and
  // artifact; the rest of that ID go unlisted.
  const std::string named = "`" + id + "`";
  for (const LimitHit& h : tree_.limits_hit) {
    if (h.kind == LimitKind::anomalies && h.artifact == target && h.detail.find(named) != std::string::npos) return;
  }
  std::string detail = "more than " + std::to_string(cap) + " " + named + " anomalies on one artifact; the rest are not listed";
  a.anomalies.push_back(Anomaly{"limit.exceeded", Severity::medium, 0,
                                std::string(to_string(LimitKind::anomalies)) + " limit reached: " + detail});
  tree_.limits_hit.push_back(LimitHit{LimitKind::anomalies, target, cap, std::move(detail)});
}

void UnpackContext::limit_hit(LimitKind kind, std::string detail) {
  tree_.limits_hit.push_back(LimitHit{kind, id_, limits().value(kind), detail});
  anomaly("limit.exceeded", Severity::medium, 0,
          std::string(to_string(kind)) + " limit reached: " + detail);
}

void UnpackContext::text_on(ArtifactId target, std::vector<std::uint8_t>&& utf8) {
  const ByteView view = tree_.adopt(std::move(utf8));
  Artifact& a = tree_.at(target);
  a.text = view;
  a.has_text = true;
}

void UnpackContext::record_on(ArtifactId target, Meta entry) {
  if (auto* s = std::get_if<std::string>(&entry.value)) make_valid_utf8(*s);
  if (auto* a = std::get_if<MailAddresses>(&entry.value)) {
    make_valid_utf8(a->text);
    for (Mailbox& m : a->mailboxes) {
      make_valid_utf8(m.display);
      make_valid_utf8(m.address);
      make_valid_utf8(m.domain);
    }
  }
  tree_.at(target).meta.push_back(std::move(entry));
}

std::string UnpackContext::clean_name(std::string_view raw) {
  std::string s;
  s.reserve(raw.size());
  for (char c : raw) {
    if (c != '\0') s.push_back(c);
  }
  make_valid_utf8(s);
  if (s.size() > limits().max_name_length) {
    limit_hit(LimitKind::name_length,
              "a name of " + std::to_string(s.size()) + " bytes was cut");
    s = truncate_utf8(std::move(s), limits().max_name_length);
  }
  return s;
}

std::vector<const Artifact*> UnpackContext::enclosing() const {
  std::vector<const Artifact*> out;
  for (ArtifactId a = tree_[id_].parent; a != kNoArtifact; a = tree_[a].parent) out.push_back(&tree_[a]);
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<std::string> UnpackContext::password_candidates() const {
  if (candidates_from_ != nullptr) return candidates_from_->password_candidates();
  return core::password_candidates(tree_, id_);
}

void Registry::add(std::unique_ptr<Unpacker> unpacker) { unpackers_.push_back(std::move(unpacker)); }

void Registry::add_follower(std::unique_ptr<Follower> follower) {
  followers_.push_back(std::move(follower));
}

const Unpacker* Registry::find(FileType type) const noexcept {
  for (const auto& u : unpackers_) {
    const auto h = u->handles();
    if (std::find(h.begin(), h.end(), type) != h.end()) return u.get();
  }
  return nullptr;
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const auto& u : unpackers_) out.emplace_back(u->name());
  return out;
}

Status Registry::retain(std::span<const std::string> names) {
  for (const auto& n : names) {
    const bool known = std::any_of(unpackers_.begin(), unpackers_.end(),
                                   [&](const auto& u) { return u->name() == n; });
    if (!known) return fail(Errc::invalid_argument, 0, "no format named '" + n + "'");
  }
  std::erase_if(unpackers_, [&](const auto& u) {
    return std::find(names.begin(), names.end(), u->name()) == names.end();
  });
  return {};
}

void report_anomalies(UnpackContext& ctx, std::span<const Anomaly> anomalies) {
  for (const Anomaly& a : anomalies) ctx.anomaly(a.id, a.severity, a.offset, a.message);
}

}  // namespace sluice::core
