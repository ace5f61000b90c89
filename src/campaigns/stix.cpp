#include "campaigns/stix.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdio>

#include "campaigns/render.hpp"

namespace sluice::campaigns {
namespace {

using Json = nlohmann::ordered_json;

// Sluice's own namespace for name-based UUIDs (itself uuid5(DNS, "sluice.invalid")).
constexpr std::array<std::uint8_t, 16> kNamespace{0x3c, 0x5e, 0x7a, 0x1e, 0x8b, 0x2f, 0x5d, 0x41,
                                                  0x9a, 0x0e, 0x6f, 0x52, 0x13, 0xc4, 0x7b, 0x90};

bool ipv4(std::string_view h) {
  int dots = 0;
  for (char c : h) {
    if (c == '.') ++dots;
    else if (c < '0' || c > '9') return false;
  }
  return dots == 3;
}

struct Bundle {
  Json objects = Json::array();
  std::string created, modified;

  std::string add_indicator(const std::string& label, std::string_view kind, const std::string& value,
                            const std::string& pattern, const std::string& name) {
    const std::string id = "indicator--" + uuid5(label + "\n" + std::string(kind) + "\n" + value);
    objects.push_back(Json{{"type", "indicator"},
                           {"spec_version", "2.1"},
                           {"id", id},
                           {"created", created},
                           {"modified", modified},
                           {"name", name},
                           {"indicator_types", Json::array({"malicious-activity"})},
                           {"pattern", pattern},
                           {"pattern_type", "stix"},
                           {"valid_from", created}});
    return id;
  }
  void relate(const std::string& label, const std::string& source, std::string_view type, const std::string& target) {
    objects.push_back(Json{{"type", "relationship"},
                           {"spec_version", "2.1"},
                           {"id", "relationship--" + uuid5(label + "\n" + source + "\n" + std::string(type) + "\n" + target)},
                           {"created", created},
                           {"modified", modified},
                           {"relationship_type", type},
                           {"source_ref", source},
                           {"target_ref", target}});
  }
};

std::string host_pattern(std::string_view host) {
  if (ipv4(host)) return "[ipv4-addr:value = '" + stix_literal(host) + "']";
  if (host.find(':') != std::string_view::npos) return "[ipv6-addr:value = '" + stix_literal(host) + "']";
  return "[domain-name:value = '" + stix_literal(host) + "']";
}

}  // namespace

std::string uuid5(std::string_view name) {
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> h{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned len = 0;
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx, kNamespace.data(), kNamespace.size());
  EVP_DigestUpdate(ctx, name.data(), name.size());
  EVP_DigestFinal_ex(ctx, h.data(), &len);
  EVP_MD_CTX_free(ctx);
  h[6] = static_cast<std::uint8_t>((h[6] & 0x0F) | 0x50);  // version 5
  h[8] = static_cast<std::uint8_t>((h[8] & 0x3F) | 0x80);  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", h[0], h[1],
                h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]);
  return out;
}

std::string stix_time(std::int64_t t) {
  std::string iso = iso_time(t);  // ...T10:00:00Z
  iso.insert(iso.size() - 1, ".000");
  return iso;
}

std::string stix_literal(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out;
}

Json to_stix_bundle(const CampaignSummary& c, std::int64_t now) {
  Bundle b;
  b.created = stix_time(c.first_seen);
  // Objects are (re)written at export time; created is when the campaign began.
  b.modified = stix_time(std::max({c.first_seen, c.last_seen, now}));
  const std::string label = c.label;
  std::string targets;
  for (std::size_t i = 0; i < c.recipient_domains.size() && i < 10; ++i) {
    targets += (i ? ", " : "") + c.recipient_domains[i].value;
  }
  const std::string campaign_id = "campaign--" + uuid5(label);
  Json campaign{{"type", "campaign"},
                {"spec_version", "2.1"},
                {"id", campaign_id},
                {"created", b.created},
                {"modified", b.modified},
                {"name", "Sluice " + label},
                {"description", std::to_string(c.size) + " messages (worst verdict " + c.max_verdict +
                                    ") recorded by Sluice" + (targets.empty() ? "" : "; aimed at " + targets) +
                                    (c.sample_evidence.empty() ? "" : "; sample: " + c.sample_evidence)},
                {"first_seen", stix_time(c.first_seen)},
                {"last_seen", stix_time(c.last_seen)}};
  if (!c.brands.empty()) {
    Json aliases = Json::array();
    for (const auto& br : c.brands) aliases.push_back(br.value + " lure");
    campaign["aliases"] = std::move(aliases);
  }
  b.objects.push_back(std::move(campaign));

  std::vector<std::string> malware_ids;
  for (const auto& f : c.families) {
    const std::string id = "malware--" + uuid5("family\n" + f.value);
    b.objects.push_back(Json{{"type", "malware"},
                             {"spec_version", "2.1"},
                             {"id", id},
                             {"created", b.created},
                             {"modified", b.modified},
                             {"name", f.value},
                             {"is_family", true}});
    b.relate(label, campaign_id, "uses", id);
    malware_ids.push_back(id);
  }
  auto indicate = [&](const std::string& id, bool payload) {
    b.relate(label, id, "indicates", campaign_id);
    if (payload) {
      for (const auto& m : malware_ids) b.relate(label, id, "indicates", m);
    }
  };
  for (const auto& h : c.payload_hashes) {
    indicate(b.add_indicator(label, "payload", h.value, "[file:hashes.'SHA-256' = '" + stix_literal(h.value) + "']",
                             "payload of " + label),
             true);
  }
  for (const auto& e : c.c2) {
    const std::string& v = e.value;
    const auto colon = v.rfind(':');
    const std::string host = colon == std::string::npos ? v : v.substr(0, colon);
    indicate(b.add_indicator(label, "c2", v, host_pattern(host), "C2 " + v), true);
  }
  for (const auto& d : c.sender_domains) {
    indicate(b.add_indicator(label, "sender", d.value, host_pattern(d.value), "sender domain of " + label), false);
  }
  return Json{{"type", "bundle"}, {"id", "bundle--" + uuid5(label + "\nbundle")}, {"objects", std::move(b.objects)}};
}

}  // namespace sluice::campaigns
