// The engine's worklist: breadth-first over the artifact tree, iterative (no
// recursion a hostile nesting depth could exhaust), deterministic (children are
// processed in the order they were emitted), with dedup by SHA-256 so a member
// repeated a thousand times is unpacked once.
#include "sluice/engine.hpp"

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "analysis/detector.hpp"
#include "core/budget.hpp"
#include "core/hash.hpp"
#include "core/search_memo.hpp"
#include "core/sniff.hpp"
#include "core/text.hpp"
#include "core/unpacker.hpp"
#include "engine/engine_factory.hpp"
#include "families/pe_hook.hpp"
#include "model/finding.hpp"
#include "scoring/scorer.hpp"
#include "sluice_version.hpp"
#include "meta/engine.hpp"

namespace sluice {

struct Engine::Impl {
  Config config;
  core::Registry registry;
  analysis::Detectors detectors;
  model::FeatureSpace features;
  std::optional<model::Model> model;
  // What password searches concluded when they opened nothing: shared by
  // every scan of this engine, so a campaign's copies are searched once.
  mutable core::SearchMemo search_memo;
};

namespace {

using Clock = std::chrono::steady_clock;

void note(ArtifactTree& tree, ArtifactId id, std::string anomaly_id, Severity sev,
          std::string message, std::uint64_t offset = 0) {
  tree.at(id).anomalies.push_back(Anomaly{std::move(anomaly_id), sev, offset, std::move(message)});
}

void record_limit(ArtifactTree& tree, ArtifactId id, const Limits& limits, LimitKind kind,
                  std::string detail) {
  tree.limits_hit.push_back(LimitHit{kind, id, limits.value(kind), detail});
  note(tree, id, "limit.exceeded", Severity::medium,
       std::string(to_string(kind)) + " limit reached: " + detail);
}

bool ancestor_has_hash(const ArtifactTree& tree, const Artifact& a) {
  for (ArtifactId p = a.parent; p != kNoArtifact; p = tree[p].parent) {
    if (tree[p].hashes.sha256 == a.hashes.sha256 && tree[p].hashed_by_extents == a.hashed_by_extents) {
      return true;
    }
  }
  return false;
}

// An extent hash never equals a content hash, whatever the bytes: a dense file
// crafted to equal a disk's canonical extent stream must not hide the disk.
using DedupKey = std::pair<std::array<std::uint8_t, 32>, bool>;

// Formats that read a view by its structure (a sector here, a table there), so
// a sparse view of terabytes costs what they touch. Any other format may read
// its artifact end to end, so it sees at most max_artifact_bytes of a sparse
// view, like any decoded artifact (docs/adr/0009-sparse-disks.md).
bool reads_sparsely(FileType t) {
  switch (t) {
    case FileType::unknown:
    case FileType::mbr:
    case FileType::gpt:
    case FileType::fat:
    case FileType::ntfs:
    case FileType::exfat: return true;
    default: return false;
  }
}

// SHA-256 of everything; MD5 and SHA-1 of executables, and of everything
// when [report] hashes lists them (ADR 0026).
void hash_artifact(ArtifactTree& tree, Artifact& a, const Config& config) {
  const Limits& limits = config.limits;
  const bool executable = is_executable(a.type);
  const DigestChoice choice = executable ? DigestChoice{} : config.report.hashes;
  a.hashed = true;
  auto present = tree.present_extents(a.bytes);
  if (!present) {
    a.hashes = core::compute_hashes(a.bytes, choice);
    return;
  }
  if (a.bytes.size() > limits.max_artifact_bytes && !reads_sparsely(a.type)) {
    record_limit(tree, a.id, limits, LimitKind::artifact_bytes,
                 "a " + std::string(to_string(a.type)) + " in a sparse disk claims " +
                     std::to_string(a.bytes.size()) + " bytes; only the first " +
                     std::to_string(limits.max_artifact_bytes) + " are read");
    a.bytes = a.bytes.clamp(0, limits.max_artifact_bytes);
    a.truncated = true;
    present = tree.present_extents(a.bytes);
  }
  std::uint64_t held = 0;
  for (const Extent& e : *present) held += e.length;
  // Said only where there are holes: a file inside the disk is usually whole.
  if (held < a.bytes.size()) a.meta.push_back(meta::sparse::present_bytes(static_cast<std::int64_t>(held)));
  if (a.bytes.size() <= limits.max_artifact_bytes) {
    a.hashes = core::compute_hashes(a.bytes, *present, choice);
    return;
  }
  // Hashing every zero of a 2 TiB disk would take an hour; the data alone
  // identifies it (core/hash.hpp has the exact form).
  a.hashes = core::compute_extent_hashes(a.bytes, *present, choice);
  a.hashed_by_extents = true;
  a.meta.push_back(meta::hash::scope(std::string("present-extents")));
  note(tree, a.id, "sparse.hashed_by_extents", Severity::info,
       "a sparse view of " + std::to_string(a.bytes.size()) +
           " bytes (more than max_artifact_bytes) is hashed over its " + std::to_string(present->size()) +
           " present ranges, not over every zero");
}

void unpack_tree(const Engine::Impl& impl, ArtifactTree& tree, core::Budget& budget,
                 const ScanOptions& options) {
  const Limits& limits = impl.config.limits;
  std::map<DedupKey, ArtifactId> seen;
  // The same byte range emitted twice (128 GPT entries spanning one disk,
  // aliased directory entries) is the same artifact: neither hashed nor
  // walked again. Keyed by address and length, so only true aliases match.
  std::map<std::pair<const std::uint8_t*, std::uint64_t>, ArtifactId> views;
  std::deque<ArtifactId> work{0};
  while (!work.empty()) {
    const ArtifactId id = work.front();
    work.pop_front();
    if (budget.expired()) {
      record_limit(tree, id, limits, LimitKind::deadline,
                   std::to_string(work.size() + 1) + " artifacts left unscanned after " +
                       std::to_string(limits.deadline_ms) + " ms");
      return;
    }
    Artifact& a = tree.at(id);
    if (id != 0 && !a.bytes.empty()) {
      const auto [view, fresh] = views.try_emplace({a.bytes.data(), a.bytes.size()}, id);
      if (!fresh) {
        const Artifact& first = tree[view->second];
        a.type = first.type;
        a.hashes = first.hashes;
        a.hashed = first.hashed;
        a.hashed_by_extents = first.hashed_by_extents;
        a.duplicate_of = first.duplicate_of ? *first.duplicate_of : first.id;
        if (ancestor_has_hash(tree, a)) {
          note(tree, id, "container.self_reference", Severity::medium,
               "a container holds a copy of itself or of an enclosing container (quine or loop)");
        }
        continue;
      }
    }
    if (id == 0 && options.root_type) {
      a.type = *options.root_type;
    } else if (!a.sniffed) {
      a.type = core::sniff(a.bytes);
    }
    hash_artifact(tree, a, impl.config);

    if (auto [it, fresh] = seen.try_emplace(DedupKey{a.hashes.sha256, a.hashed_by_extents}, id); !fresh) {
      a.duplicate_of = it->second;
      if (ancestor_has_hash(tree, a)) {
        note(tree, id, "container.self_reference", Severity::medium,
             "a container holds a copy of itself or of an enclosing container (quine or loop)");
      }
      continue;
    }
    const core::Unpacker* unpacker = impl.registry.find(a.type);
    if (unpacker == nullptr) continue;
    if (a.depth >= limits.max_depth) {
      record_limit(tree, id, limits, LimitKind::depth,
                   "a " + std::string(to_string(a.type)) + " at depth " +
                       std::to_string(a.depth) + " was not opened");
      continue;
    }
    core::UnpackContext ctx(tree, id, budget);
    ctx.use_registry(impl.registry);
    ctx.use_search_memo(impl.search_memo);
    const std::size_t first_child = tree[id].children.size();
    if (Status st = unpacker->unpack(ctx); !st) {
      note(tree, id, "unpack.error", Severity::low,
           std::string(unpacker->name()) + ": " + st.error().what + " (" +
               std::string(to_string(st.error().code)) + ")",
           st.error().offset);
    }
    const auto& kids = tree[id].children;
    for (std::size_t i = first_child; i < kids.size(); ++i) work.push_back(kids[i]);
  }
}

ScanResult run(const Engine::Impl& impl, ByteView input, std::string name,
               const ScanOptions& options, std::vector<std::uint8_t>* owned) {
  const auto start = Clock::now();
  ScanResult r;
  r.input = core::to_valid_utf8(name);
  core::Budget budget(impl.config.limits, start);
  budget.set_sandboxed(options.sandboxed);
  budget.set_in_flight(options.in_flight);
  ByteView root = input;
  if (owned != nullptr) root = r.tree.adopt(std::move(*owned));
  // Every byte is the attacker's claim until sniffed; "message" only once the
  // content says mail (in unpack_tree the root's type is set).
  // The root is named by its file name: the path is the analyst's, not the
  // attacker's, and stays in `input`.
  std::string base = core::to_valid_utf8(name);
  if (const auto slash = base.find_last_of('/'); slash != std::string::npos && slash + 1 < base.size()) {
    base.erase(0, slash + 1);
  }
  r.tree.add_root(root, "file", base.empty() ? std::vector<Name>{}
                                             : std::vector<Name>{{"input", std::move(base)}});
  budget.set_input_bytes(root.size());
  if (options.input_cut) {
    record_limit(r.tree, 0, impl.config.limits, LimitKind::input_bytes,
                 "only the first " + std::to_string(root.size()) + " bytes were read");
  }
  unpack_tree(impl, r.tree, budget, options);
  const FileType root_type = r.tree[0].type;
  if (root_type == FileType::email || root_type == FileType::mbox) r.tree.at(0).locator = "message";

  analysis::FindingSink sink(options.sandboxed);
  for (const auto& d : impl.detectors) d->inspect(r.tree, sink);
  r.findings = std::move(sink.findings());
  scoring::Score s = scoring::score(r.findings, impl.config.policy);
  if (impl.model) {
    // The model reads the rules' findings, then stands beside them in one
    // score (docs/model.md).
    r.features = impl.features.extract(r.tree, r.findings);
    r.feature_version = impl.features.version();
    const std::vector<float>& x = r.features;
    r.findings.push_back(model::score_finding(*impl.model, impl.features, x, impl.config.model));
    const scoring::Score rules = s;
    s = scoring::score(r.findings, impl.config.policy);
    if (model::cap_weight(r.findings, rules, impl.config.model, impl.config.policy, s)) {
      s = scoring::score(r.findings, impl.config.policy);
    }
  }
  r.score = s.score;
  r.verdict = s.verdict;
  r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  return r;
}

}  // namespace

namespace {

// The shipped model (as the build packed it), or the file [model] path
// names; read once, here.
Result<std::optional<model::Model>> load_model(const ModelConfig& config, const model::FeatureSpace& space) {
  if (!config.enabled) return std::optional<model::Model>{};
  auto m = config.path.empty() ? model::Model::load_packed(model::builtin_model_packed(), space)
                               : model::Model::load_file(config.path, space);
  if (!m) {
    const std::string source = config.path.empty() ? "the shipped model (data/model/sluice-model.json): " : "";
    return fail(m.error().code, m.error().offset, "model: " + source + m.error().what);
  }
  return std::optional<model::Model>(std::move(*m));
}

}  // namespace

Engine EngineFactory::make(Config config, core::Registry registry, analysis::Detectors detectors) {
  return make(std::move(config), std::move(registry), std::move(detectors), model::FeatureSpace::builtin(),
              std::nullopt);
}

Engine EngineFactory::make(Config config, core::Registry registry, analysis::Detectors detectors,
                           model::FeatureSpace features, std::optional<model::Model> model) {
  auto impl = std::make_shared<Engine::Impl>();
  impl->config = std::move(config);
  impl->registry = std::move(registry);
  impl->detectors = std::move(detectors);
  impl->features = std::move(features);
  impl->model = std::move(model);
  return Engine(std::move(impl));
}

const core::SearchMemo& EngineFactory::search_memo(const Engine& engine) { return engine.impl_->search_memo; }
const analysis::Detectors& EngineFactory::detectors(const Engine& engine) { return engine.impl_->detectors; }

Result<Engine> Engine::create(Config config, std::vector<std::string> formats) {
  core::Registry registry;
  formats::register_all(registry);
  families::register_followers(registry);
  if (!formats.empty()) {
    if (auto st = registry.retain(formats); !st) return std::unexpected(st.error());
  }
  // Detectors that read configuration (YARA compiles its rules, icons hash
  // the user's folders) do it once, here: a bad rule fails engine creation
  // like any other config error (docs/adr/0007).
  analysis::Detectors detectors;
  if (auto st = analysis::register_all(detectors, config); !st) return std::unexpected(st.error());
  model::FeatureSpace features = model::FeatureSpace::builtin();
  auto model = load_model(config.model, features);
  if (!model) return std::unexpected(model.error());
  return EngineFactory::make(std::move(config), std::move(registry), std::move(detectors), std::move(features),
                             std::move(*model));
}

ScanResult Engine::scan(ByteView input, std::string input_name, const ScanOptions& options) const {
  return run(*impl_, input, std::move(input_name), options, nullptr);
}

ScanResult Engine::scan(std::vector<std::uint8_t>&& input, std::string input_name,
                        const ScanOptions& options) const {
  return run(*impl_, {}, std::move(input_name), options, &input);
}

const Config& Engine::config() const noexcept { return impl_->config; }
std::vector<std::string> Engine::format_names() const { return impl_->registry.names(); }

std::string_view version() noexcept { return kSluiceVersion; }

}  // namespace sluice
