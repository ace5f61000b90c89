#include "model/packed.hpp"

#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "core/wire.hpp"
#include "model/model.hpp"

namespace sluice::model {
namespace {

// What the build embeds is what the document loads to: the same header, the
// same trees node for node, and so the same score and contributions for any
// vector. A stale or wrongly packed copy fails here, not in a verdict.
TEST(PackedModel, TheShippedCopyIsTheShippedDocumentsModel) {
  const FeatureSpace space = FeatureSpace::builtin();
  auto from_json = Model::load(builtin_model_document(), space);
  ASSERT_TRUE(from_json) << from_json.error().what;
  auto packed = Model::load_packed(builtin_model_packed(), space);
  ASSERT_TRUE(packed) << packed.error().what;
  EXPECT_TRUE(packed->header() == from_json->header());
  EXPECT_TRUE(packed->forest() == from_json->forest());
  auto parts = read_model_document(builtin_model_document());
  ASSERT_TRUE(parts);
  const auto repacked = pack_model(*parts);
  ASSERT_EQ(repacked.size(), builtin_model_packed().size());
  EXPECT_EQ(std::memcmp(repacked.data(), builtin_model_packed().data(), repacked.size()), 0)
      << "the embedded copy is not what packing the document gives now";

  // Vectors that take every kind of branch: zeros, counts, missing values.
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> pick(0, 5);
  for (int round = 0; round < 200; ++round) {
    std::vector<float> x(space.size());
    for (float& v : x) {
      const int k = pick(rng);
      v = k == 0 ? 0.0f : k == 1 ? 1.0f : k == 2 ? std::nanf("") : static_cast<float>(rng() % 1000) / 7.0f;
    }
    const Explanation a = from_json->explain(x, 5), b = packed->explain(x, 5);
    ASSERT_EQ(a.margin, b.margin);
    ASSERT_EQ(a.bias, b.bias);
    ASSERT_EQ(a.top.size(), b.top.size());
    for (std::size_t i = 0; i < a.top.size(); ++i) {
      EXPECT_EQ(a.top[i].feature, b.top[i].feature);
      EXPECT_EQ(a.top[i].value, b.top[i].value);
    }
  }
}

const FeatureSpace& small_space() {
  static const FeatureSpace s = FeatureSpace::from_catalog("\n### `a.one`\n\n### `b.two`\n");
  return s;
}

// One split on feature 0 at 0.5, leaves -1 and +2 (model_test.cpp's stump).
ModelParts small_parts() {
  ModelParts p;
  p.header.format = kModelFormat;
  p.header.feature_version = small_space().version();
  for (const FeatureInfo& f : small_space().features()) p.header.features.push_back(f.name);
  p.header.threshold = 0.5;
  p.header.training_json = R"({"malicious":1})";
  p.trees.base_score = 0.5;
  p.trees.trees = {{{1, 2, 0, 0.5f, 4, false}, {-1, -1, 0, -1, 3, false}, {-1, -1, 0, 2, 1, false}}};
  return p;
}

TEST(PackedModel, RoundTripsItsParts) {
  const ModelParts p = small_parts();
  const auto bytes = pack_model(p);
  auto back = unpack_model({bytes.data(), bytes.size()});
  ASSERT_TRUE(back) << back.error().what;
  EXPECT_TRUE(back->header == p.header);
  EXPECT_EQ(back->trees.base_score, p.trees.base_score);
  EXPECT_TRUE(back->trees.trees == p.trees.trees);
}

// The packed bytes are read as any input: every prefix is refused, every
// single-byte change is refused or loads a model that still scores within
// its checks; lies about counts are refused before anything is allocated.
TEST(PackedModel, CutShortDamagedOrLyingBytesAreAnErrorNotACrash) {
  const std::vector<std::uint8_t> good = pack_model(small_parts());
  ASSERT_TRUE(Model::load_packed({good.data(), good.size()}, small_space()));
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(unpack_model({good.data(), n})) << "a prefix of " << n << " bytes";
  }
  std::vector<std::uint8_t> longer = good;
  longer.push_back(0);
  EXPECT_FALSE(unpack_model({longer.data(), longer.size()}));
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (const std::uint8_t flip : {0x01, 0x80, 0xFF}) {
      std::vector<std::uint8_t> bad = good;
      bad[i] ^= flip;
      auto m = Model::load_packed({bad.data(), bad.size()}, small_space());
      if (!m) continue;
      std::vector<float> x(small_space().size(), 1.0f);
      const Explanation e = m->explain(x, 2);
      EXPECT_TRUE(std::isfinite(e.margin)) << "byte " << i;
    }
  }
  // A node count far beyond the bytes left.
  ModelParts p = small_parts();
  std::vector<std::uint8_t> lie = pack_model(p);
  const std::size_t nodes_at = lie.size() - 3 * 21 - 4;
  lie[nodes_at + 3] = 0x7F;
  auto r = unpack_model({lie.data(), lie.size()});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().what.find("more nodes than bytes"), std::string::npos) << r.error().what;
  // A leaf that is not a number, a threshold outside (0, 1), a wrong format.
  p.trees.trees[0][1].value = std::nanf("");
  auto nan = pack_model(p);
  EXPECT_FALSE(unpack_model({nan.data(), nan.size()}));
  p = small_parts();
  p.header.threshold = 1.5;
  auto far = pack_model(p);
  EXPECT_FALSE(Model::load_packed({far.data(), far.size()}, small_space()));
  p = small_parts();
  p.header.format = kModelFormat + 1;
  auto later = pack_model(p);
  auto refused = Model::load_packed({later.data(), later.size()}, small_space());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::unsupported);
  // A tree that is not one (a child pointing back at the root).
  p = small_parts();
  p.trees.trees[0][0].right = 0;
  auto cycle = pack_model(p);
  EXPECT_FALSE(Model::load_packed({cycle.data(), cycle.size()}, small_space()));
}

}  // namespace
}  // namespace sluice::model
