#include <algorithm>

#include "sluice/artifact.hpp"

namespace sluice {

void write_hex(std::span<const std::uint8_t> bytes, char* out) noexcept {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (const std::uint8_t b : bytes) {
    *out++ = kDigits[b >> 4];
    *out++ = kDigits[b & 0xF];
  }
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string out(bytes.size() * 2, '\0');
  write_hex(bytes, out.data());
  return out;
}

const MetaValue* Artifact::find_meta(std::string_view key) const noexcept {
  for (const auto& m : meta) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

std::string Artifact::meta_string(std::string_view key) const {
  const MetaValue* v = find_meta(key);
  return v != nullptr ? meta_text(*v) : std::string();
}

std::vector<std::string> Artifact::meta_strings(std::string_view key) const {
  std::vector<std::string> out;
  for (const Meta& m : meta) {
    if (m.key != key) continue;
    if (!std::holds_alternative<std::int64_t>(m.value) && !std::holds_alternative<bool>(m.value)) {
      out.push_back(meta_text(m.value));
    }
  }
  return out;
}

bool Artifact::meta_flag(std::string_view key) const noexcept {
  const MetaValue* v = find_meta(key);
  const auto* b = v != nullptr ? std::get_if<bool>(v) : nullptr;
  return b != nullptr && *b;
}

ArtifactId ArtifactTree::add_root(ByteView bytes, std::string label, std::vector<Name> names) {
  nodes_.clear();
  Artifact a;
  a.id = 0;
  a.bytes = bytes;
  a.locator = std::move(label);
  a.names = std::move(names);
  nodes_.push_back(std::move(a));
  return 0;
}

ArtifactId ArtifactTree::add_child(ArtifactId parent, ByteView bytes, std::string locator,
                                   std::vector<Name> names) {
  Artifact a;
  a.id = static_cast<ArtifactId>(nodes_.size());
  a.parent = parent;
  a.depth = nodes_.at(parent).depth + 1;
  a.bytes = bytes;
  a.locator = std::move(locator);
  a.names = std::move(names);
  nodes_.push_back(std::move(a));
  nodes_.at(parent).children.push_back(nodes_.back().id);
  return nodes_.back().id;
}

ByteView ArtifactTree::adopt(std::vector<std::uint8_t>&& buffer) {
  owned_bytes_ += buffer.size();
  owned_.push_back(std::move(buffer));
  const auto& b = owned_.back();
  return {b.data(), b.size()};
}

ByteView ArtifactTree::adopt(SparseBuffer&& buffer) {
  buffer.seal();
  owned_bytes_ += buffer.present_bytes();
  sparse_.push_back(std::move(buffer));
  return sparse_.back().view();
}

std::optional<std::vector<Extent>> ArtifactTree::present_extents(ByteView bytes) const {
  for (const SparseBuffer& s : sparse_) {
    if (!s.holds(bytes)) continue;
    const auto at = static_cast<std::uint64_t>(bytes.data() - s.view().data());
    return s.present_in(at, bytes.size());
  }
  return std::nullopt;
}

std::string ArtifactTree::segment(ArtifactId id) const {
  const Artifact& a = nodes_.at(id);
  std::string s = a.locator;
  if (!a.names.empty()) {
    if (!s.empty()) s += ' ';
    s += '"';
    s += a.names.front().value;
    s += '"';
  }
  if (s.empty()) s = "#" + std::to_string(id);
  return s;
}

std::string ArtifactTree::evidence_path(ArtifactId id) const {
  std::vector<ArtifactId> chain;
  for (ArtifactId cur = id; cur != kNoArtifact; cur = nodes_.at(cur).parent) chain.push_back(cur);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!out.empty()) out += " \u203a ";
    out += segment(*it);
  }
  return out;
}

}  // namespace sluice
