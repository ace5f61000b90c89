// The scan-result record (isolation/result_wire): what a worker encodes, the
// parent decodes to the same result; a cut or damaged record is refused whole.
#include "isolation/result_wire.hpp"

#include <gtest/gtest.h>

#include "sluice/report.hpp"
#include "test_support.hpp"

namespace sluice::isolation {
namespace {

std::string report_of(ScanResult r) {
  r.elapsed = std::chrono::microseconds(0);
  return report::to_json(r, true);
}

void expect_round_trip(const std::string& fixture) {
  SCOPED_TRACE(fixture);
  const auto bytes = testing::read_file(testing::fixture(fixture));
  const ByteView input(bytes.data(), bytes.size());
  const Engine engine = testing::default_engine();
  const ScanResult r = engine.scan(input, fixture);
  auto record = encode_result(r);
  // Decoded bytes travel once; views into the input or an ancestor do not.
  EXPECT_LT(record.size(), r.tree.owned_bytes() + (1u << 20));
  auto back = decode_result(std::move(record), input, engine.config().limits);
  ASSERT_TRUE(back) << back.error().what;
  EXPECT_EQ(report_of(std::move(*back)), report_of(engine.scan(input, fixture)));
}

TEST(ResultWire, RoundTripsAScan) {
  expect_round_trip("campaigns/iso_as_pdf.eml");
  expect_round_trip("campaigns/benign_password_zip.eml");
  expect_round_trip("campaigns/lnk_hidden_dll.eml");
}

TEST(ResultWire, RoundTripsSparseDisks) {
  for (const auto& e : std::filesystem::directory_iterator(testing::fixture("vhd"))) {
    if (e.path().extension() == ".gz") {
      expect_round_trip("vhd/" + e.path().filename().string());
    }
  }
}

// The report shows typed values as text, so comparing reports would miss a
// mailbox or a digest lost on the way: the meta lists must be equal as values.
TEST(ResultWire, KeepsTypedMetaValues) {
  const Engine engine = testing::default_engine();
  std::size_t addresses = 0;
  std::size_t digests = 0;
  for (const char* fixture : {"campaigns/iso_as_pdf.eml", "campaigns/sba_icon_img.eml"}) {
    SCOPED_TRACE(fixture);
    const auto bytes = testing::read_file(testing::fixture(fixture));
    const ByteView input(bytes.data(), bytes.size());
    const ScanResult r = engine.scan(input, fixture);
    auto back = decode_result(encode_result(r), input, engine.config().limits);
    ASSERT_TRUE(back) << back.error().what;
    ASSERT_EQ(back->tree.size(), r.tree.size());
    for (std::size_t i = 0; i < r.tree.size(); ++i) {
      const auto& want = r.tree[static_cast<ArtifactId>(i)].meta;
      const auto& got = back->tree[static_cast<ArtifactId>(i)].meta;
      ASSERT_EQ(got.size(), want.size()) << i;
      for (std::size_t k = 0; k < want.size(); ++k) {
        EXPECT_EQ(got[k].key, want[k].key);
        EXPECT_TRUE(got[k].value == want[k].value) << want[k].key;
        addresses += std::holds_alternative<MailAddresses>(want[k].value) ? 1 : 0;
        digests += std::holds_alternative<Hash64>(want[k].value) ? 1 : 0;
      }
    }
  }
  EXPECT_GT(addresses, 0u);
  EXPECT_GT(digests, 0u);
}

TEST(ResultWire, RefusesEveryCutAndAForeignInput) {
  const auto bytes = testing::read_file(testing::fixture("campaigns/iso_as_pdf.eml"));
  const ByteView input(bytes.data(), bytes.size());
  const Engine engine = testing::default_engine();
  const auto record = encode_result(engine.scan(input, "m.eml"));
  for (std::size_t cut = 0; cut < record.size(); cut += 1 + cut / 64) {
    std::vector<std::uint8_t> part(record.begin(), record.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_FALSE(decode_result(std::move(part), input, engine.config().limits)) << cut;
  }
  // The root must be the parent's own input, byte count and all.
  auto copy = record;
  EXPECT_FALSE(decode_result(std::move(copy), input.clamp(0, input.size() - 1), engine.config().limits));
  // Trailing bytes are refused too.
  copy = record;
  copy.push_back(0);
  EXPECT_FALSE(decode_result(std::move(copy), input, engine.config().limits));
}

TEST(ResultWire, DamagedRecordsNeverBreakTheParent) {
  const auto bytes = testing::read_file(testing::fixture("campaigns/benign_zip_docs.eml"));
  const ByteView input(bytes.data(), bytes.size());
  const Engine engine = testing::default_engine();
  const auto record = encode_result(engine.scan(input, "m.eml"));
  std::size_t refused = 0;
  for (std::size_t i = 0; i < record.size(); i += 7) {
    auto bad = record;
    bad[i] ^= 0xA5;
    auto r = decode_result(std::move(bad), input, engine.config().limits);
    if (!r) {
      ++refused;
      continue;
    }
    // Whatever got through is a consistent tree the report can render.
    for (const Artifact& a : r->tree) EXPECT_TRUE(a.id == 0 || a.parent < a.id);
    (void)report::to_json(*r, false);
  }
  EXPECT_GT(refused, 0u);
}

}  // namespace
}  // namespace sluice::isolation

namespace sluice::isolation {
namespace {

// The committed fuzz seeds (tests/fixtures/make_result_wire_seeds.py) are
// valid records, so the fuzzer starts past the header checks.
TEST(ResultWire, FuzzSeedsDecode) {
  static const std::uint8_t input[] = "From: a@b.c\n\nhi\n";
  Limits limits;
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::string(SLUICE_SOURCE_DIR) + "/fuzz/seeds/result_wire")) {
    SCOPED_TRACE(e.path().string());
    auto r = decode_result(testing::read_file(e.path()), ByteView(input, 16), limits);
    ASSERT_TRUE(r) << r.error().what;
    EXPECT_EQ(r->tree[0].bytes.size(), 16u);
    ++n;
  }
  EXPECT_EQ(n, 3u);
}

}  // namespace
}  // namespace sluice::isolation
