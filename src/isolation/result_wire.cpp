#include "isolation/result_wire.hpp"

#include <bit>
#include <cstring>
#include <string>

#include "core/reader.hpp"
#include "core/wire.hpp"

namespace sluice::isolation {
namespace {

using namespace core::wire;

constexpr std::string_view kMagic = "SLR1";
constexpr std::string_view kEnd = "END!";
constexpr std::uint32_t kMaxNames = 64;
constexpr std::uint32_t kMaxEvidence = 4096;

enum class BytesKind : std::uint8_t { input = 0, reference = 1, inline_bytes = 2, sparse = 3 };

enum Flags : std::uint8_t {
  kTruncated = 1,
  kHashed = 2,
  kHashedByExtents = 4,
  kDuplicate = 8,
  kHasMd5 = 16,
  kHasSha1 = 32,
};

void put_f64(std::vector<std::uint8_t>& o, double v) { put_u64(o, std::bit_cast<std::uint64_t>(v)); }

bool inside(ByteView outer, ByteView inner) {
  if (outer.data() == nullptr || inner.data() == nullptr) return false;
  const auto o = reinterpret_cast<std::uintptr_t>(outer.data());
  const auto i = reinterpret_cast<std::uintptr_t>(inner.data());
  return i >= o && i - o <= outer.size() && inner.size() <= outer.size() - (i - o);
}

void put_bytes(std::vector<std::uint8_t>& o, const ArtifactTree& tree, const Artifact& a) {
  if (a.id == 0) {
    put_u8(o, static_cast<std::uint8_t>(BytesKind::input));
    put_u64(o, a.bytes.size());
    return;
  }
  // The nearest ancestor that holds these bytes: a member of an ISO is a view
  // into the ISO, which may itself be a view into the input.
  for (ArtifactId p = a.parent; p != kNoArtifact && !a.bytes.empty(); p = tree[p].parent) {
    if (!inside(tree[p].bytes, a.bytes)) continue;
    put_u8(o, static_cast<std::uint8_t>(BytesKind::reference));
    put_u32(o, p);
    put_u64(o, static_cast<std::uint64_t>(a.bytes.data() - tree[p].bytes.data()));
    put_u64(o, a.bytes.size());
    return;
  }
  if (auto extents = tree.present_extents(a.bytes)) {
    put_u8(o, static_cast<std::uint8_t>(BytesKind::sparse));
    put_u64(o, a.bytes.size());
    put_u32(o, static_cast<std::uint32_t>(extents->size()));
    for (const Extent& e : *extents) {
      put_u64(o, e.offset);
      put_u64(o, e.length);
      const ByteView piece = a.bytes.clamp(e.offset, e.length);
      o.insert(o.end(), piece.data(), piece.data() + piece.size());
    }
    return;
  }
  put_u8(o, static_cast<std::uint8_t>(BytesKind::inline_bytes));
  put_u64(o, a.bytes.size());
  o.insert(o.end(), a.bytes.data(), a.bytes.data() + a.bytes.size());
}

void put_names(std::vector<std::uint8_t>& o, const std::vector<Name>& names) {
  const std::size_t n = std::min<std::size_t>(names.size(), kMaxNames);
  put_u32(o, static_cast<std::uint32_t>(n));
  for (std::size_t k = 0; k < n; ++k) {
    put_str(o, names[k].view);
    put_str(o, names[k].value);
  }
}

// ------------------------------------------------------------ reading

std::unexpected<Error> bad(const core::Reader& r, std::string what) {
  return fail(Errc::malformed, r.offset(), "worker result: " + std::move(what));
}

Result<double> get_f64(core::Reader& r) {
  auto v = r.le<std::uint64_t>();
  if (!v) return std::unexpected(v.error());
  return std::bit_cast<double>(*v);
}

Status get_names(core::Reader& r, std::vector<Name>& out) {
  auto n = r.le<std::uint32_t>();
  if (!n) return std::unexpected(n.error());
  if (*n > kMaxNames) return bad(r, "too many names");
  for (std::uint32_t k = 0; k < *n; ++k) {
    auto view = get_str(r);
    if (!view) return std::unexpected(view.error());
    auto value = get_str(r);
    if (!value) return std::unexpected(value.error());
    out.push_back(Name{std::move(*view), std::move(*value)});
  }
  return {};
}

template <typename E>
Result<E> get_enum(core::Reader& r, E last, std::string_view what) {
  auto v = r.u8();
  if (!v) return std::unexpected(v.error());
  if (*v > static_cast<std::uint8_t>(last)) return bad(r, std::string(what) + " out of range");
  return static_cast<E>(*v);
}

// Bytes of one artifact, as a view the decoded tree keeps alive.
Result<ByteView> get_bytes(core::Reader& r, ArtifactTree& tree, ArtifactId self, ByteView record,
                           ByteView input, const Limits& limits) {
  auto kind = get_enum(r, BytesKind::sparse, "bytes kind");
  if (!kind) return std::unexpected(kind.error());
  switch (*kind) {
    case BytesKind::input: {
      auto size = r.le<std::uint64_t>();
      if (!size) return std::unexpected(size.error());
      if (self != 0 || *size != input.size()) return bad(r, "only the root is the input");
      return input;
    }
    case BytesKind::reference: {
      auto from = r.le<std::uint32_t>();
      auto off = r.le<std::uint64_t>();
      auto size = r.le<std::uint64_t>();
      if (!from || !off || !size) return std::unexpected(Error{Errc::truncated, r.offset(), "worker result cut"});
      if (self == 0 || *from >= self) return bad(r, "a reference to a later artifact");
      auto v = tree[*from].bytes.subview(*off, *size);
      if (!v) return bad(r, "a reference past its artifact's end");
      return *v;
    }
    case BytesKind::inline_bytes: {
      auto size = r.le<std::uint64_t>();
      if (!size) return std::unexpected(size.error());
      const std::uint64_t at = r.offset();
      auto b = r.bytes(*size);
      if (!b) return std::unexpected(b.error());
      // A view into the record, which the tree adopts: no copy.
      return record.clamp(at, *size);
    }
    case BytesKind::sparse: {
      auto size = r.le<std::uint64_t>();
      auto n = r.le<std::uint32_t>();
      if (!size || !n) return std::unexpected(Error{Errc::truncated, r.offset(), "worker result cut"});
      // The worker reserved no more than this either (one scan at a time).
      if (*size > limits.max_virtual_bytes) return bad(r, "a sparse disk past max_virtual_bytes");
      auto buf = SparseBuffer::reserve(*size);
      if (!buf) return std::unexpected(buf.error());
      std::uint64_t end = 0;
      for (std::uint32_t i = 0; i < *n; ++i) {
        auto off = r.le<std::uint64_t>();
        auto len = r.le<std::uint64_t>();
        if (!off || !len) return std::unexpected(Error{Errc::truncated, r.offset(), "worker result cut"});
        if (*off < end) return bad(r, "sparse extents out of order");
        auto piece = r.bytes(*len);
        if (!piece) return std::unexpected(piece.error());
        if (!buf->write(*off, *piece)) return bad(r, "a sparse extent past the disk's end");
        end = *off + *len;
      }
      return tree.adopt(std::move(*buf));
    }
  }
  return bad(r, "bytes kind");
}

Status get_artifact(core::Reader& r, ArtifactTree& tree, ArtifactId self, ByteView record,
                    ByteView input, const Limits& limits) {
  auto parent = r.le<std::uint32_t>();
  if (!parent) return std::unexpected(parent.error());
  if ((self == 0) != (*parent == kNoArtifact)) return bad(r, "root and parents disagree");
  if (self != 0 && *parent >= self) return bad(r, "a parent after its child");
  auto locator = get_str(r);
  if (!locator) return std::unexpected(locator.error());
  std::vector<Name> names;
  if (auto s = get_names(r, names); !s) return s;
  auto type = r.le<std::uint16_t>();
  auto flags = r.u8();
  if (!type || !flags) return std::unexpected(Error{Errc::truncated, r.offset(), "worker result cut"});
  // Checked against the type table, not a last enumerator a new format would
  // silently move past (svg was added after ico).
  if (*type >= all_file_types().size()) return bad(r, "file type out of range");
  std::optional<ArtifactId> duplicate_of;
  if (*flags & kDuplicate) {
    auto d = r.le<std::uint32_t>();
    if (!d) return std::unexpected(d.error());
    if (*d >= self) return bad(r, "a duplicate of a later artifact");
    duplicate_of = *d;
  }
  Hashes h;
  for (std::span<std::uint8_t> part : {std::span<std::uint8_t>(h.md5), std::span<std::uint8_t>(h.sha1),
                     std::span<std::uint8_t>(h.sha256)}) {
    auto b = r.bytes(part.size());
    if (!b) return std::unexpected(b.error());
    std::memcpy(part.data(), b->data(), part.size());
  }
  if (self == 0) {
    tree.add_root({}, std::move(*locator), std::move(names));
  } else {
    if (tree[*parent].depth >= limits.max_depth + 1) return bad(r, "deeper than max_depth");
    tree.add_child(*parent, {}, std::move(*locator), std::move(names));
  }
  auto bytes = get_bytes(r, tree, self, record, input, limits);
  if (!bytes) return std::unexpected(bytes.error());
  Artifact& a = tree.at(self);
  a.bytes = *bytes;
  a.type = static_cast<FileType>(*type);
  a.truncated = (*flags & kTruncated) != 0;
  a.hashed = (*flags & kHashed) != 0;
  a.hashed_by_extents = (*flags & kHashedByExtents) != 0;
  a.duplicate_of = duplicate_of;
  h.has_md5 = (*flags & kHasMd5) != 0;
  h.has_sha1 = (*flags & kHasSha1) != 0;
  a.hashes = h;
  if (auto s = get_anomalies(r, a.anomalies); !s) return s;
  if (auto s = get_meta(r, a.meta); !s) return s;
  return {};
}

Status get_finding(core::Reader& r, std::size_t artifacts, std::vector<Finding>& out) {
  Finding f;
  auto id = get_str(r);
  if (!id) return std::unexpected(id.error());
  auto sev = get_enum(r, Severity::critical, "severity");
  if (!sev) return std::unexpected(sev.error());
  auto artifact = r.le<std::uint32_t>();
  if (!artifact) return std::unexpected(artifact.error());
  if (*artifact != kNoArtifact && *artifact >= artifacts) return bad(r, "a finding on no artifact");
  auto message = get_str(r);
  auto nev = r.le<std::uint32_t>();
  if (!message || !nev) return std::unexpected(Error{Errc::truncated, r.offset(), "worker result cut"});
  if (*nev > kMaxEvidence) return bad(r, "too much evidence");
  for (std::uint32_t i = 0; i < *nev; ++i) {
    auto k = get_str(r);
    if (!k) return std::unexpected(k.error());
    auto v = get_str(r);
    if (!v) return std::unexpected(v.error());
    f.evidence.emplace_back(std::move(*k), std::move(*v));
  }
  auto score = get_f64(r);
  auto has_weight = r.u8();
  if (!score || !has_weight) return std::unexpected(Error{Errc::truncated, r.offset(), "worker result cut"});
  if (*has_weight != 0) {
    auto w = get_f64(r);
    if (!w) return std::unexpected(w.error());
    f.weight = *w;
  }
  f.id = std::move(*id);
  f.severity = *sev;
  f.artifact = *artifact;
  f.message = std::move(*message);
  f.score = *score;
  out.push_back(std::move(f));
  return {};
}

}  // namespace

std::vector<std::uint8_t> encode_result(const ScanResult& res) {
  std::vector<std::uint8_t> o(kMagic.begin(), kMagic.end());
  // Decoded bytes dominate: one allocation instead of a doubling series of copies.
  o.reserve(res.tree.owned_bytes() + (16u << 10));
  put_str(o, res.input);
  put_u8(o, static_cast<std::uint8_t>(res.verdict));
  put_f64(o, res.score);
  put_u64(o, static_cast<std::uint64_t>(res.elapsed.count()));
  put_u8(o, res.error ? 1 : 0);
  if (res.error) {
    put_u8(o, static_cast<std::uint8_t>(res.error->code));
    put_u64(o, res.error->offset);
    put_str(o, res.error->what);
  }
  put_u32(o, static_cast<std::uint32_t>(res.tree.size()));
  for (const Artifact& a : res.tree) {
    put_u32(o, a.parent);
    put_str(o, a.locator);
    put_names(o, a.names);
    o.push_back(static_cast<std::uint8_t>(static_cast<std::uint16_t>(a.type) & 0xff));
    o.push_back(static_cast<std::uint8_t>(static_cast<std::uint16_t>(a.type) >> 8));
    const std::uint8_t flags = (a.truncated ? kTruncated : 0) | (a.hashed ? kHashed : 0) |
                               (a.hashed_by_extents ? kHashedByExtents : 0) |
                               (a.duplicate_of ? kDuplicate : 0) | (a.hashes.has_md5 ? kHasMd5 : 0) |
                               (a.hashes.has_sha1 ? kHasSha1 : 0);
    put_u8(o, flags);
    if (a.duplicate_of) put_u32(o, *a.duplicate_of);
    o.insert(o.end(), a.hashes.md5.begin(), a.hashes.md5.end());
    o.insert(o.end(), a.hashes.sha1.begin(), a.hashes.sha1.end());
    o.insert(o.end(), a.hashes.sha256.begin(), a.hashes.sha256.end());
    put_bytes(o, res.tree, a);
    put_anomalies(o, a.anomalies, false);
    put_meta(o, a.meta);
  }
  put_u32(o, static_cast<std::uint32_t>(res.tree.limits_hit.size()));
  for (const LimitHit& h : res.tree.limits_hit) {
    put_u8(o, static_cast<std::uint8_t>(h.kind));
    put_u32(o, h.artifact);
    put_u64(o, h.limit);
    put_str(o, h.detail);
  }
  put_u32(o, static_cast<std::uint32_t>(res.findings.size()));
  for (const Finding& f : res.findings) {
    put_str(o, f.id);
    put_u8(o, static_cast<std::uint8_t>(f.severity));
    put_u32(o, f.artifact);
    put_str(o, f.message);
    put_u32(o, static_cast<std::uint32_t>(std::min<std::size_t>(f.evidence.size(), kMaxEvidence)));
    for (std::size_t i = 0; i < f.evidence.size() && i < kMaxEvidence; ++i) {
      put_str(o, f.evidence[i].first);
      put_str(o, f.evidence[i].second);
    }
    put_f64(o, f.score);
    put_u8(o, f.weight ? 1 : 0);
    if (f.weight) put_f64(o, *f.weight);
  }
  o.insert(o.end(), kEnd.begin(), kEnd.end());
  return o;
}

Result<ScanResult> decode_result(std::vector<std::uint8_t>&& record_bytes, ByteView input,
                                 const Limits& limits) {
  ScanResult res;
  // The tree owns the record from here on: inline bytes are views into it.
  const ByteView record = res.tree.adopt(std::move(record_bytes));
  core::Reader r(record);
  auto magic = r.bytes(kMagic.size());
  if (!magic || magic->chars() != kMagic) return bad(r, "no header");
  auto input_name = get_str(r);
  if (!input_name) return std::unexpected(input_name.error());
  res.input = std::move(*input_name);
  auto verdict = get_enum(r, Verdict::error, "verdict");
  if (!verdict) return std::unexpected(verdict.error());
  auto score = get_f64(r);
  auto elapsed = r.le<std::uint64_t>();
  auto has_error = r.u8();
  if (!score || !elapsed || !has_error) return std::unexpected(Error{Errc::truncated, r.offset(), "worker result cut"});
  res.verdict = *verdict;
  res.score = *score;
  res.elapsed = std::chrono::microseconds(static_cast<std::int64_t>(*elapsed & INT64_MAX));
  if (*has_error != 0) {
    auto code = get_enum(r, Errc::invalid_argument, "error code");
    if (!code) return std::unexpected(code.error());
    auto off = r.le<std::uint64_t>();
    if (!off) return std::unexpected(off.error());
    auto what = get_str(r);
    if (!what) return std::unexpected(what.error());
    res.error = Error{*code, *off, std::move(*what)};
  }
  auto count = r.le<std::uint32_t>();
  if (!count) return std::unexpected(count.error());
  // The engine never makes more than max_artifacts (+ the root).
  if (*count == 0 || *count > static_cast<std::uint64_t>(limits.max_artifacts) + 1) {
    return bad(r, "artifact count out of range");
  }
  for (std::uint32_t i = 0; i < *count; ++i) {
    if (auto s = get_artifact(r, res.tree, i, record, input, limits); !s) return std::unexpected(s.error());
  }
  auto nlimits = r.le<std::uint32_t>();
  if (!nlimits) return std::unexpected(nlimits.error());
  for (std::uint32_t i = 0; i < *nlimits; ++i) {
    auto kind = get_enum(r, LimitKind::worker_cpu, "limit kind");
    if (!kind) return std::unexpected(kind.error());
    auto artifact = r.le<std::uint32_t>();
    auto value = r.le<std::uint64_t>();
    if (!artifact || !value) return std::unexpected(Error{Errc::truncated, r.offset(), "worker result cut"});
    if (*artifact != kNoArtifact && *artifact >= *count) return bad(r, "a limit hit on no artifact");
    auto detail = get_str(r);
    if (!detail) return std::unexpected(detail.error());
    res.tree.limits_hit.push_back(LimitHit{*kind, *artifact, *value, std::move(*detail)});
  }
  auto nfindings = r.le<std::uint32_t>();
  if (!nfindings) return std::unexpected(nfindings.error());
  for (std::uint32_t i = 0; i < *nfindings; ++i) {
    if (auto s = get_finding(r, *count, res.findings); !s) return std::unexpected(s.error());
  }
  auto end = r.bytes(kEnd.size());
  if (!end || end->chars() != kEnd || !r.at_end()) return bad(r, "end missing");
  return res;
}

}  // namespace sluice::isolation
