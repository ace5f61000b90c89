// fuzz_campaign_fingerprint: a message through the engine (mail root, only the
// mail formats so mutations stay in the headers and parts), then the campaign
// fingerprints of its result — the Received, address, date and template
// readers of src/campaigns see attacker header text — and the same bytes
// straight into the text readers (and codecs/text/dates). The store is not involved: it only ever
// sees what extract() returned, bounded here.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "analysis/lure/domains.hpp"
#include "campaigns/fingerprint.hpp"
#include "codecs/text/dates.hpp"
#include "sluice/engine.hpp"

namespace {

sluice::Engine make_engine() {
  auto cfg = sluice::default_config();
  if (!cfg) std::abort();
  cfg->limits.max_depth = 4;
  cfg->limits.max_artifacts = 500;
  cfg->limits.deadline_ms = 5'000;
  auto engine = sluice::Engine::create(std::move(*cfg), {"mime", "html"});
  if (!engine) std::abort();
  return std::move(*engine);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace campaigns = sluice::campaigns;
  static const sluice::Engine engine = make_engine();
  static const auto psl = sluice::analysis::lure::PublicSuffixList::builtin();
  sluice::ScanOptions options;
  options.root_type = sluice::FileType::email;
  const sluice::ScanResult r = engine.scan(sluice::ByteView(data, size), "fuzz-input", options);
  const campaigns::MessageRecord m = campaigns::extract(r, psl);
  if (m.fingerprints.size() > 256) std::abort();
  for (const auto& f : m.fingerprints) {
    if (f.value.empty() || f.value.size() > 512) std::abort();
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (campaigns::text_template(text, 4096).size() > 4 * 4096) std::abort();
  if (auto t = sluice::codecs::text::parse_mail_date(text); t && (*t < -62'200'000'000LL || *t > 253'402'300'800LL)) std::abort();
  if (auto t = sluice::codecs::text::received_time(text); t && (*t < -62'200'000'000LL || *t > 253'402'300'800LL)) std::abort();
  return 0;
}
