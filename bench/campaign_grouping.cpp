// Grouping cost as the store grows (issue #15: "grouping a 100,000-message
// store stays under a millisecond per message"). Records N synthetic messages
// shaped like mail-flow campaigns — many waves, each with its own C2, template
// and infrastructure, payload hashes that change per message, and values that
// many waves share (imphash of a common builder, brands, container chains) —
// and prints the cost per message at each tenth of the store, for SQLite (and
// PostgreSQL when a URI is given).
//
// Usage: campaign_grouping [N] [STORE]   (default 100000, a temp SQLite file)
#include <algorithm>
#include <chrono>
#include <tuple>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "campaigns/store.hpp"

using namespace sluice;
using namespace sluice::campaigns;

namespace {

MessageRecord synthetic(std::mt19937_64& rng, std::int64_t i, std::int64_t waves) {
  std::uniform_int_distribution<std::int64_t> wave_of(0, waves - 1);
  const std::int64_t w = wave_of(rng);
  const std::string ws = std::to_string(w);
  MessageRecord m;
  m.facts.input = "msg" + std::to_string(i) + ".eml";
  m.facts.message_id = "m" + std::to_string(i) + "@wave" + ws + ".example";
  m.facts.from_domain = "wave" + ws + ".example";
  m.facts.recipient_domains = {"victim" + std::to_string(rng() % 5000) + ".example"};
  m.facts.subject = "Invoice " + std::to_string(rng() % 100000);
  m.facts.verdict = Verdict::malicious;
  m.facts.score = 150;
  m.facts.findings = {"container.executable_in_image", "lure.risky_attachment"};
  m.facts.evidence = "message › part[2]";
  auto add = [&](std::string k, std::string v) { m.fingerprints.push_back({std::move(k), std::move(v)}); };
  add("payload", std::to_string(rng()));                      // a new hash per message
  if (w % 3 == 0) add("c2", "c2-" + ws + ".example.invalid:2404");
  add("imphash", "imp" + std::to_string(w % 12));              // a dozen builders shared by everyone
  add("subject", "invoice # template " + ws);
  add("body", "body" + ws);
  add("from_domain", "wave" + ws + ".example");
  add("sender_ip", "198.51." + std::to_string(w % 250) + "." + std::to_string(w / 250 % 250));
  add("layout", "email>zip[1]>iso9660[1]>pe-exe invoice_#.zip>invoice_#.iso>/invoice_#.exe ---- " + std::to_string(w % 40));
  add("chain", "email>zip>iso9660>pe-exe");                     // everyone's technique
  add("brand", "Brand" + std::to_string(w % 25));
  add("recipient_domain", m.facts.recipient_domains[0]);
  std::sort(m.fingerprints.begin(), m.fingerprints.end(),
            [](const Fingerprint& a, const Fingerprint& b) { return std::tie(a.kind, a.value) < std::tie(b.kind, b.value); });
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 100000;
  std::string where = argc > 2 ? argv[2] : "";
  std::filesystem::path tmp;
  if (where.empty()) {
    tmp = std::filesystem::temp_directory_path() / ("sluice-grouping-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(tmp);
    where = (tmp / "campaigns.db").string();
  }
  auto store = Store::open(where, {.window_days = 3650});
  if (!store) {
    std::fprintf(stderr, "campaign_grouping: %s\n", store.error().what.c_str());
    return 2;
  }
  std::mt19937_64 rng(2020);
  const std::int64_t waves = std::max<std::int64_t>(1, n / 50);
  const std::int64_t step = std::max<std::int64_t>(1, n / 10);
  std::printf("campaign_grouping: %lld messages, %lld waves, store %s\n", static_cast<long long>(n),
              static_cast<long long>(waves), store->dialect() == Dialect::sqlite ? "SQLite" : "PostgreSQL");
  std::printf("%12s %16s\n", "stored", "ms per message");
  auto t = std::chrono::steady_clock::now();
  const std::int64_t t0 = 1589968800;
  for (std::int64_t i = 0; i < n; ++i) {
    auto r = store->record(synthetic(rng, i, waves), t0 + i * 10);
    if (!r) {
      std::fprintf(stderr, "campaign_grouping: %s\n", r.error().what.c_str());
      return 2;
    }
    if ((i + 1) % step == 0) {
      const auto now = std::chrono::steady_clock::now();
      const double ms = std::chrono::duration<double, std::milli>(now - t).count() / static_cast<double>(step);
      std::printf("%12lld %16.3f\n", static_cast<long long>(i + 1), ms);
      std::fflush(stdout);
      t = now;
    }
  }
  auto all = store->summaries();
  if (all) std::printf("campaigns formed: %zu (waves generated: %lld)\n", all->size(), static_cast<long long>(waves));
  if (!tmp.empty()) std::filesystem::remove_all(tmp);
  return 0;
}
