#include "families/pe_hook.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "families/family.hpp"
#include "families/field_text.hpp"
#include "formats/pe/followers.hpp"
#include "meta/families.hpp"
#include "meta/ioc.hpp"

namespace sluice::families {
namespace {

// The scan's Budget behind the DecodeBudget interface: a cut is recorded as a
// limit hit by bounded_size, and what is decoded is charged to the scan.
class ContextBudget final : public DecodeBudget {
 public:
  explicit ContextBudget(core::UnpackContext& ctx) noexcept : ctx_(ctx) {}
  std::uint64_t allow(std::uint64_t wanted, std::uint64_t encoded, std::string_view what) override {
    bool capped = false;
    const std::uint64_t n = ctx_.bounded_size(wanted, encoded, what, capped);
    ctx_.budget().charge_decoded(n);
    return n;
  }

 private:
  core::UnpackContext& ctx_;
};

void add_once(std::vector<std::string>& seen, core::UnpackContext& ctx, const MetaKey<std::string>& key,
              const std::string& value) {
  const std::string tag = std::string(key.name) + '\n' + value;
  if (std::find(seen.begin(), seen.end(), tag) != seen.end()) return;
  seen.push_back(tag);
  ctx.meta(key, value);
}

void record_config(core::UnpackContext& ctx, const Family& family, const FamilyConfig& cfg) {
  const meta::FamilyKeys& keys = *family.keys;
  ctx.meta(meta::family, std::string(family.name));
  ctx.meta(keys.generation, cfg.generation);
  for (const auto& [key, value] : cfg.fields) ctx.meta(keys.field[key], value);
  // The report's IOC section reads `ioc.*` meta: C2s as host:port, hosts by kind.
  std::vector<std::string> seen;
  for (const C2Endpoint& c : cfg.c2) {
    const std::string endpoint = c.host + ":" + std::to_string(c.port);
    ctx.meta(keys.c2, endpoint + (c.tls ? " tls" : ""));
    add_once(seen, ctx, meta::ioc::c2, endpoint);
    add_once(seen, ctx, is_ipv4_literal(c.host) ? meta::ioc::ip : meta::ioc::domain, c.host);
  }
}

}  // namespace

void record_families(core::UnpackContext& ctx, const formats::pe::PeImage& pe, ByteView file) {
  std::vector<ResourceView> resources;
  for (const formats::pe::Resource& r : pe.resources) {
    if (!r.in_file || r.size == 0) continue;
    auto view = file.subview(r.file_offset, r.size);
    if (!view) continue;
    resources.push_back(ResourceView{r.type, r.name, r.lang, r.file_offset, *view});
  }
  ContextBudget budget(ctx);
  const PeSubject subject{file, resources};
  for (const Family& f : all_families()) {
    FamilyResult result = f.examine(subject, ctx.limits(), budget);
    for (Anomaly& issue : result.issues) {
      ctx.anomaly(std::move(issue.id), issue.severity, issue.offset, std::move(issue.message));
    }
    if (result.config) record_config(ctx, f, *result.config);
    if (!result.markers.empty()) {
      std::string joined;
      for (const std::string& m : result.markers) {
        if (!joined.empty()) joined += ", ";
        joined += m;
      }
      ctx.meta(f.keys->strings, joined);
    }
  }
}

namespace {

class FamilyFollower final : public formats::pe::PeFollower {
 public:
  void follow(core::UnpackContext& ctx, const formats::pe::PeImage& pe, ByteView file) const override {
    record_families(ctx, pe, file);
  }
};

}  // namespace

void register_followers(core::Registry& registry) {
  registry.add_follower(std::make_unique<FamilyFollower>());
}

}  // namespace sluice::families
