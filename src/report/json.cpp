#include <nlohmann/json.hpp>

#include <variant>

#include "report/iocs.hpp"
#include "sluice/report.hpp"

namespace sluice::report {
namespace {

using Json = nlohmann::ordered_json;

Json meta_value(const MetaValue& v) {
  return std::visit([](const auto& x) { return Json(x); }, v);
}

// Built bottom-up without recursion: a hostile tree may be deep, and the JSON
// library's own recursion is bounded by our depth limit only for containers
// we opened, so each node is built once its children are.
Json artifacts(const ArtifactTree& tree) {
  std::vector<Json> built(tree.size());
  for (std::size_t i = tree.size(); i-- > 0;) {
    const Artifact& a = tree[static_cast<ArtifactId>(i)];
    Json j;
    j["id"] = a.id;
    j["path"] = tree.evidence_path(a.id);
    Json names = Json::array();
    for (const Name& n : a.names) names.push_back({{"view", n.view}, {"name", n.value}});
    j["names"] = std::move(names);
    j["type"] = to_string(a.type);
    j["size"] = a.bytes.size();
    j["md5"] = to_hex(a.hashes.md5);
    j["sha1"] = to_hex(a.hashes.sha1);
    j["sha256"] = to_hex(a.hashes.sha256);
    if (a.truncated) j["truncated"] = true;
    if (a.duplicate_of) j["duplicate_of"] = *a.duplicate_of;
    Json anomalies = Json::array();
    for (const Anomaly& an : a.anomalies) {
      anomalies.push_back({{"id", an.id},
                           {"severity", to_string(an.severity)},
                           {"offset", an.offset},
                           {"message", an.message}});
    }
    j["anomalies"] = std::move(anomalies);
    Json meta = Json::object();
    for (const Meta& m : a.meta) {
      // Repeated keys (one per member, say) become arrays.
      if (meta.contains(m.key)) {
        if (!meta[m.key].is_array()) meta[m.key] = Json::array({meta[m.key]});
        meta[m.key].push_back(meta_value(m.value));
      } else {
        meta[m.key] = meta_value(m.value);
      }
    }
    j["meta"] = std::move(meta);
    Json children = Json::array();
    for (ArtifactId c : a.children) children.push_back(std::move(built[c]));
    j["children"] = std::move(children);
    built[i] = std::move(j);
  }
  Json out = Json::array();
  if (!built.empty()) out.push_back(std::move(built[0]));
  return out;
}

Json iocs(const ArtifactTree& tree) {
  const Iocs found = collect_iocs(tree);
  Json hashes = Json::array();
  for (const HashIoc& h : found.hashes) {
    hashes.push_back({{"sha256", h.sha256}, {"md5", h.md5}, {"sha1", h.sha1}, {"type", h.type},
                      {"path", h.path}});
  }
  return {{"urls", found.urls},       {"domains", found.domains}, {"ips", found.ips},
          {"c2", found.c2},           {"hashes", std::move(hashes)},
          {"truncated", found.truncated}};
}

}  // namespace

std::string with_member(std::string doc, std::string_view name, std::string_view value_json) {
  std::size_t end = doc.find_last_of('}');
  if (end == std::string::npos) return doc;
  const bool pretty = end > 0 && doc[end - 1] == '\n';
  if (pretty) --end;
  const std::string member = (pretty ? std::string(",\n  ") : std::string(",")) + Json(std::string(name)).dump() +
                             (pretty ? ": " : ":") + std::string(value_json);
  doc.insert(end, member);
  return doc;
}

std::string to_json(const ScanResult& r, bool pretty) {
  Json j;
  j["schema_version"] = kSchemaVersion;
  j["sluice_version"] = std::string(version());
  j["input"] = r.input;
  j["verdict"] = to_string(r.verdict);
  j["score"] = r.score;
  if (r.error) {
    j["error"] = {{"code", to_string(r.error->code)}, {"message", r.error->what}};
  }
  Json findings = Json::array();
  for (const Finding& f : r.findings) {
    Json ev = Json::object();
    for (const auto& [k, v] : f.evidence) ev[k] = v;
    findings.push_back({{"id", f.id},
                        {"severity", to_string(f.severity)},
                        {"score", f.score},
                        {"artifact", f.artifact == kNoArtifact ? std::string()
                                                               : r.tree.evidence_path(f.artifact)},
                        {"artifact_id", f.artifact == kNoArtifact ? Json(nullptr) : Json(f.artifact)},
                        {"message", f.message},
                        {"evidence", std::move(ev)}});
  }
  j["findings"] = std::move(findings);
  j["iocs"] = iocs(r.tree);
  j["artifacts"] = artifacts(r.tree);
  Json limits = Json::array();
  for (const LimitHit& h : r.tree.limits_hit) {
    limits.push_back({{"limit", to_string(h.kind)},
                      {"value", h.limit},
                      {"artifact", h.artifact == kNoArtifact ? std::string()
                                                             : r.tree.evidence_path(h.artifact)},
                      {"detail", h.detail}});
  }
  j["limits_hit"] = std::move(limits);
  j["elapsed_ms"] = static_cast<double>(r.elapsed.count()) / 1000.0;
  // Names come from hostile input and were made valid UTF-8 at the source;
  // `replace` is the second line of defence, so a dump can never throw.
  return j.dump(pretty ? 2 : -1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace sluice::report
