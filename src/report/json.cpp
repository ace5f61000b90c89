#include <algorithm>
#include <array>
#include <utility>
#include <string_view>
#include <variant>

#include "report/iocs.hpp"
#include "report/json_writer.hpp"
#include "sluice/report.hpp"

namespace sluice::report {
namespace {

// Typed values render as the text they were read from (meta_text), so the
// schema sees strings where the format stored an address header or a digest.
void meta_value(JsonWriter& w, const MetaValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) {
    w.value(*i);
  } else if (const auto* b = std::get_if<bool>(&v)) {
    w.value(*b);
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    w.value(*s);
  } else {
    w.value(meta_text(v));
  }
}

// An artifact's meta as one object: repeated keys (one per member, say)
// become arrays, in the order the keys first appeared. The entries' indices
// are sorted twice — by key, to find each key's first entry, then by that
// first entry — into one list, instead of a map of vectors (two allocations
// per key, per artifact; hostile input can make thousands of keys).
void meta_object(JsonWriter& w, const Artifact& a) {
  const std::vector<Meta>& meta = a.meta;
  // (the index of the key's first entry, the entry's index)
  std::vector<std::pair<std::uint32_t, std::uint32_t>> order(meta.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = {0, i};
  std::sort(order.begin(), order.end(), [&meta](const auto& x, const auto& y) {
    const int c = meta[x.second].key.compare(meta[y.second].key);
    return c != 0 ? c < 0 : x.second < y.second;
  });
  for (std::size_t b = 0; b < order.size();) {
    std::size_t e = b;
    while (e < order.size() && meta[order[e].second].key == meta[order[b].second].key) order[e++].first = order[b].second;
    b = e;
  }
  std::sort(order.begin(), order.end());
  w.begin_object();
  for (std::size_t b = 0; b < order.size();) {
    std::size_t e = b + 1;
    while (e < order.size() && order[e].first == order[b].first) ++e;
    w.key(meta[order[b].second].key);
    if (e - b == 1) {
      meta_value(w, meta[order[b].second].value);
    } else {
      w.begin_array();
      for (std::size_t k = b; k < e; ++k) meta_value(w, meta[order[k].second].value);
      w.end_array();
    }
    b = e;
  }
  w.end_object();
}

// A digest in hex, without a string of its own.
template <std::size_t N>
void hex_member(JsonWriter& w, std::string_view name, const std::array<std::uint8_t, N>& digest) {
  std::array<char, 2 * N> buf;
  write_hex(digest, buf.data());
  w.member(name, std::string_view(buf.data(), buf.size()));
}

// Everything of an artifact before its children.
void artifact_head(JsonWriter& w, const ArtifactTree& tree, const Artifact& a) {
  w.begin_object();
  w.member("id", a.id);
  w.member("path", tree.evidence_path(a.id));
  w.key("names");
  w.begin_array();
  for (const Name& n : a.names) {
    w.begin_object();
    w.member("view", n.view);
    w.member("name", n.value);
    w.end_object();
  }
  w.end_array();
  w.member("type", to_string(a.type));
  w.member("size", static_cast<std::uint64_t>(a.bytes.size()));
  // Executables always; everything else when [report] hashes asks (ADR 0026).
  if (a.hashes.has_md5) hex_member(w, "md5", a.hashes.md5);
  if (a.hashes.has_sha1) hex_member(w, "sha1", a.hashes.sha1);
  hex_member(w, "sha256", a.hashes.sha256);
  if (a.truncated) w.member("truncated", true);
  if (a.duplicate_of) w.member("duplicate_of", *a.duplicate_of);
  w.key("anomalies");
  w.begin_array();
  for (const Anomaly& an : a.anomalies) {
    w.begin_object();
    w.member("id", an.id);
    w.member("severity", to_string(an.severity));
    w.member("offset", an.offset);
    w.member("message", an.message);
    w.end_object();
  }
  w.end_array();
  w.key("meta");
  meta_object(w, a);
  w.key("children");
  w.begin_array();
}

// Depth first with an explicit stack: a hostile tree may be deep.
void artifacts(JsonWriter& w, const ArtifactTree& tree) {
  w.begin_array();
  if (tree.size() != 0) {
    struct Open {
      ArtifactId id;
      std::size_t next_child;
    };
    std::vector<Open> stack;
    artifact_head(w, tree, tree[0]);
    stack.push_back({0, 0});
    while (!stack.empty()) {
      Open& top = stack.back();
      const Artifact& a = tree[top.id];
      if (top.next_child == a.children.size()) {
        w.end_array();
        w.end_object();
        stack.pop_back();
        continue;
      }
      const ArtifactId c = a.children[top.next_child++];
      artifact_head(w, tree, tree[c]);
      stack.push_back({c, 0});
    }
  }
  w.end_array();
}

void strings(JsonWriter& w, std::string_view name, const std::vector<std::string>& list) {
  w.key(name);
  w.begin_array();
  for (const std::string& s : list) w.value(s);
  w.end_array();
}

void iocs(JsonWriter& w, const ArtifactTree& tree) {
  const Iocs found = collect_iocs(tree);
  w.begin_object();
  strings(w, "urls", found.urls);
  strings(w, "domains", found.domains);
  strings(w, "ips", found.ips);
  strings(w, "c2", found.c2);
  w.key("hashes");
  w.begin_array();
  for (const HashIoc& h : found.hashes) {
    w.begin_object();
    w.member("sha256", h.sha256);
    w.member("md5", h.md5);
    w.member("sha1", h.sha1);
    w.member("type", h.type);
    w.member("path", h.path);
    w.end_object();
  }
  w.end_array();
  strings(w, "truncated", found.truncated);
  w.end_object();
}

// Evidence keys are unique in the report: a repeated key keeps its first
// place and its last value.
void evidence(JsonWriter& w, const Evidence& ev) {
  w.begin_object();
  for (std::size_t i = 0; i < ev.size(); ++i) {
    bool seen = false;
    for (std::size_t j = 0; j < i && !seen; ++j) seen = ev[j].first == ev[i].first;
    if (seen) continue;
    std::size_t last = i;
    for (std::size_t j = i + 1; j < ev.size(); ++j) {
      if (ev[j].first == ev[i].first) last = j;
    }
    w.member(ev[i].first, ev[last].second);
  }
  w.end_object();
}

}  // namespace

std::string with_member(std::string doc, std::string_view name, std::string_view value_json) {
  std::size_t end = doc.find_last_of('}');
  if (end == std::string::npos) return doc;
  const bool pretty = end > 0 && doc[end - 1] == '\n';
  if (pretty) --end;
  std::string member = pretty ? ",\n  " : ",";
  JsonWriter::quote(member, name);
  member += pretty ? ": " : ":";
  member += value_json;
  doc.insert(end, member);
  return doc;
}

std::string to_json(const ScanResult& r, bool pretty) {
  std::string out;
  out.reserve(4096 + r.tree.size() * 512);
  JsonWriter w(out, pretty ? 2 : -1);
  w.begin_object();
  w.member("schema_version", kSchemaVersion);
  w.member("sluice_version", version());
  w.member("input", r.input);
  w.member("verdict", to_string(r.verdict));
  w.member("score", r.score);
  if (r.error) {
    w.key("error");
    w.begin_object();
    w.member("code", to_string(r.error->code));
    w.member("message", r.error->what);
    w.end_object();
  }
  w.key("findings");
  w.begin_array();
  for (const Finding& f : r.findings) {
    w.begin_object();
    w.member("id", f.id);
    w.member("severity", to_string(f.severity));
    w.member("score", f.score);
    w.member("artifact", f.artifact == kNoArtifact ? std::string() : r.tree.evidence_path(f.artifact));
    w.key("artifact_id");
    if (f.artifact == kNoArtifact) {
      w.null();
    } else {
      w.value(f.artifact);
    }
    w.member("message", f.message);
    w.key("evidence");
    evidence(w, f.evidence);
    w.end_object();
  }
  w.end_array();
  w.key("iocs");
  iocs(w, r.tree);
  w.key("artifacts");
  artifacts(w, r.tree);
  w.key("limits_hit");
  w.begin_array();
  for (const LimitHit& h : r.tree.limits_hit) {
    w.begin_object();
    w.member("limit", to_string(h.kind));
    w.member("value", h.limit);
    w.member("artifact", h.artifact == kNoArtifact ? std::string() : r.tree.evidence_path(h.artifact));
    w.member("detail", h.detail);
    w.end_object();
  }
  w.end_array();
  w.member("elapsed_ms", static_cast<double>(r.elapsed.count()) / 1000.0);
  w.end_object();
  return out;
}

}  // namespace sluice::report
