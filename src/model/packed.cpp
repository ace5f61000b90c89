#include "model/packed.hpp"

#include <bit>
#include <cmath>
#include <string_view>

#include "core/reader.hpp"
#include "core/wire.hpp"

namespace sluice::model {
namespace {

using core::wire::put_str;
using core::wire::put_u32;
using core::wire::put_u64;
using core::wire::put_u8;

// "SLMODEL" and the layout's version: a build writes and reads its own.
constexpr std::string_view kMagic = "SLMODEL1";
// left, right, feature, value, cover (4 bytes each) and default_left.
constexpr std::uint64_t kNodeBytes = 21;

std::unexpected<Error> bad(const core::Reader& r, std::string what) {
  return fail(Errc::malformed, r.offset(), "packed model: " + std::move(what));
}

}  // namespace

std::vector<std::uint8_t> pack_model(const ModelParts& parts) {
  std::vector<std::uint8_t> o(kMagic.begin(), kMagic.end());
  const Header& h = parts.header;
  put_u32(o, static_cast<std::uint32_t>(h.format));
  put_str(o, h.feature_version);
  put_u32(o, static_cast<std::uint32_t>(h.features.size()));
  for (const std::string& f : h.features) put_str(o, f);
  put_u64(o, std::bit_cast<std::uint64_t>(h.threshold));
  put_str(o, h.training_json);
  put_str(o, h.metrics_json);
  put_u64(o, std::bit_cast<std::uint64_t>(parts.trees.base_score));
  put_u32(o, static_cast<std::uint32_t>(parts.trees.trees.size()));
  for (const auto& tree : parts.trees.trees) {
    put_u32(o, static_cast<std::uint32_t>(tree.size()));
    for (const SourceNode& n : tree) {
      put_u32(o, static_cast<std::uint32_t>(n.left));
      put_u32(o, static_cast<std::uint32_t>(n.right));
      put_u32(o, static_cast<std::uint32_t>(n.feature));
      put_u32(o, std::bit_cast<std::uint32_t>(n.value));
      put_u32(o, std::bit_cast<std::uint32_t>(n.cover));
      put_u8(o, n.default_left ? 1 : 0);
    }
  }
  return o;
}

Result<ModelParts> unpack_model(ByteView packed) {
  core::Reader r(packed);
  auto magic = r.bytes(kMagic.size());
  if (!magic || magic->chars() != kMagic) return bad(r, "no SLMODEL1 magic");
  ModelParts p;
  Header& h = p.header;
  auto format = r.le<std::uint32_t>();
  if (!format) return std::unexpected(format.error());
  h.format = static_cast<int>(*format);
  auto version = core::wire::get_str(r);
  if (!version) return std::unexpected(version.error());
  h.feature_version = std::move(*version);
  auto count = r.le<std::uint32_t>();
  if (!count) return std::unexpected(count.error());
  // Each name takes at least its 4-byte length: a count past the rest is a lie.
  if (*count > r.remaining() / 4) return bad(r, "more feature names than bytes");
  h.features.reserve(*count);
  for (std::uint32_t i = 0; i < *count; ++i) {
    auto name = core::wire::get_str(r);
    if (!name) return std::unexpected(name.error());
    h.features.push_back(std::move(*name));
  }
  auto threshold = r.le<std::uint64_t>();
  if (!threshold) return std::unexpected(threshold.error());
  h.threshold = std::bit_cast<double>(*threshold);
  auto training = core::wire::get_str(r);
  if (!training) return std::unexpected(training.error());
  h.training_json = std::move(*training);
  auto metrics = core::wire::get_str(r);
  if (!metrics) return std::unexpected(metrics.error());
  h.metrics_json = std::move(*metrics);
  if (auto st = check_header(h); !st) return std::unexpected(st.error());
  auto base = r.le<std::uint64_t>();
  if (!base) return std::unexpected(base.error());
  p.trees.base_score = std::bit_cast<double>(*base);
  auto trees = r.le<std::uint32_t>();
  if (!trees) return std::unexpected(trees.error());
  if (*trees > r.remaining() / 4) return bad(r, "more trees than bytes");
  p.trees.trees.resize(*trees);
  for (auto& tree : p.trees.trees) {
    auto nodes = r.le<std::uint32_t>();
    if (!nodes) return std::unexpected(nodes.error());
    if (*nodes > r.remaining() / kNodeBytes) return bad(r, "more nodes than bytes");
    tree.resize(*nodes);
    for (SourceNode& n : tree) {
      auto left = r.le<std::int32_t>();
      auto right = r.le<std::int32_t>();
      auto feature = r.le<std::int32_t>();
      auto value = r.le<std::uint32_t>();
      auto cover = r.le<std::uint32_t>();
      auto dl = r.u8();
      if (!left || !right || !feature || !value || !cover || !dl) return bad(r, "a node cut short");
      if (*dl > 1) return bad(r, "default_left is neither 0 nor 1");
      n = {*left, *right, *feature, std::bit_cast<float>(*value), std::bit_cast<float>(*cover), *dl == 1};
      // As the document reader refuses them: XGBoost writes finite floats.
      if (!std::isfinite(n.value) || !std::isfinite(n.cover)) return bad(r, "a node's value or cover is not finite");
    }
  }
  if (!r.at_end()) return bad(r, "bytes after the last tree");
  return p;
}

}  // namespace sluice::model
