// YARA over every artifact's bytes: the decoded member of a ZIP inside an ISO is
// scanned as plainly as the attachment itself, which is what a rule written for
// a payload needs. Detectors do not parse; handing bytes to libyara is scanning,
// and libyara reads them under its own bounds with a timeout.
#include "analysis/yara/yara_detector.hpp"

#include <yara.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <functional>
#include <cstdio>
#include <optional>

#include "analysis/yara/rules.hpp"
#include "analysis/yara/literal_prefilter.hpp"
#include "analysis/yara/string_gate.hpp"
#include "core/files.hpp"
#include "core/text.hpp"

namespace sluice::embedded {
extern const unsigned char kYaraCompiled[];
extern const std::size_t kYaraCompiledSize;
}  // namespace sluice::embedded

namespace sluice::analysis::yara {
namespace {

struct StringHit {
  std::string id;
  std::uint64_t offset = 0;
};

struct RuleMatch {
  std::string rule;
  std::string rule_namespace;
  std::vector<std::string> tags;
  std::string description;
  std::optional<double> score;
  std::vector<StringHit> strings;
  bool more_strings = false;
};

struct ScanState {
  std::uint32_t max_strings = 0;
  std::vector<RuleMatch> matches;
  bool too_many_matches = false;
  bool any_string = false;  // some string of some rule matched (asked only where parts may be skipped)
  bool ask_strings = false;
};

// Meta text comes from rule files (user-written): valid UTF-8 and bounded, so
// evidence always serialises and stays readable.
std::string meta_text(const char* s) {
  return s == nullptr ? std::string() : core::truncate_utf8(core::to_valid_utf8(s), 512);
}

std::optional<double> parse_score(const YR_META* meta) {
  if (meta->type == META_TYPE_INTEGER) return static_cast<double>(meta->integer);
  if (meta->type == META_TYPE_STRING && meta->string != nullptr) {
    // Some rule sets write score = "75".
    const std::string_view s(meta->string);
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size()) return static_cast<double>(v);
  }
  return std::nullopt;
}

// libyara 4.2 hands out YR_MATCH records from its notebook allocator without
// aligning them (x86 does not care; UBSan does). The records are libyara's, read
// through its own foreach macros, so only the alignment check is lifted, here.
__attribute__((no_sanitize("alignment")))
RuleMatch describe(YR_SCAN_CONTEXT* context, const YR_RULE* rule, std::uint32_t max_strings) {
  RuleMatch m;
  m.rule = meta_text(rule->identifier);
  m.rule_namespace = meta_text(rule->ns != nullptr ? rule->ns->name : nullptr);
  const char* tag = nullptr;
  yr_rule_tags_foreach(rule, tag) { m.tags.push_back(meta_text(tag)); }
  const YR_META* meta = nullptr;
  yr_rule_metas_foreach(rule, meta) {
    const std::string_view key = meta->identifier != nullptr ? meta->identifier : "";
    if (key == "description" && meta->type == META_TYPE_STRING) {
      m.description = meta_text(meta->string);
    } else if (key == "score") {
      m.score = parse_score(meta);
    }
  }
  const YR_STRING* string = nullptr;
  yr_rule_strings_foreach(rule, string) {
    const YR_MATCH* match = nullptr;
    yr_string_matches_foreach(context, string, match) {
      if (m.strings.size() >= max_strings) {
        m.more_strings = true;
        break;
      }
      // `base` is the memory block's offset (a sparse disk's present range,
      // below); 0 for a plain buffer.
      m.strings.push_back({meta_text(string->identifier), static_cast<std::uint64_t>(match->base + match->offset)});
      // Fast mode records one match per string anyway; the first is the evidence.
      break;
    }
  }
  return m;
}

int on_scan_message(YR_SCAN_CONTEXT* context, int message, void* data, void* user) {
  auto* state = static_cast<ScanState*>(user);
  if (message == CALLBACK_MSG_RULE_MATCHING) {
    state->matches.push_back(describe(context, static_cast<const YR_RULE*>(data), state->max_strings));
  } else if (message == CALLBACK_MSG_SCAN_FINISHED && state->ask_strings) {
    // Every string's confirmed matches, matching rules or not (docs/adr/0039).
    const YR_RULES* rules = context->rules;
    for (std::uint32_t i = 0; i < rules->num_strings && !state->any_string; ++i) {
      if (context->matches[i].count > 0) state->any_string = true;
    }
  } else if (message == CALLBACK_MSG_TOO_MANY_MATCHES) {
    // A string matched more often than libyara keeps: the rule is still
    // evaluated on what was kept, so carry on and say so.
    state->too_many_matches = true;
  }
  return CALLBACK_CONTINUE;
}

Severity severity_for(const RuleMatch& m, double weight) {
  if (std::find(m.tags.begin(), m.tags.end(), "test") != m.tags.end()) return Severity::medium;
  if (weight >= 70) return Severity::high;
  if (weight >= 30) return Severity::medium;
  return Severity::low;
}

std::string hex_offset(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i != 0) out += sep;
    out += parts[i];
  }
  return out;
}

// A sparse view larger than yara.max_scan_bytes (a 2 TB virtual disk) is
// handed to libyara as memory blocks: its present ranges, at their true
// offsets, with `filesize` the full size. Rules see all of the data and none
// of the holes, which are zeros that no rule is written for.
struct SparseBlocks {
  ByteView bytes;
  std::vector<Extent> present;
  std::size_t next = 0;
  YR_MEMORY_BLOCK block{};
};

const std::uint8_t* sparse_fetch(YR_MEMORY_BLOCK* b) {
  const auto* s = static_cast<const SparseBlocks*>(b->context);
  return s->bytes.data() + b->base;
}

YR_MEMORY_BLOCK* sparse_next(YR_MEMORY_BLOCK_ITERATOR* it) {
  auto* s = static_cast<SparseBlocks*>(it->context);
  it->last_error = ERROR_SUCCESS;
  if (s->next >= s->present.size()) return nullptr;
  const Extent& e = s->present[s->next++];
  s->block.base = e.offset;
  s->block.size = static_cast<std::size_t>(e.length);
  s->block.context = s;
  s->block.fetch_data = sparse_fetch;
  return &s->block;
}

YR_MEMORY_BLOCK* sparse_first(YR_MEMORY_BLOCK_ITERATOR* it) {
  static_cast<SparseBlocks*>(it->context)->next = 0;
  return sparse_next(it);
}

std::uint64_t sparse_size(YR_MEMORY_BLOCK_ITERATOR* it) {
  return static_cast<const SparseBlocks*>(it->context)->bytes.size();
}

// The present ranges, up to `budget` bytes of them; `cut` says whether that
// left some out.
std::vector<Extent> first_present(std::vector<Extent> present, std::uint64_t budget, bool& cut) {
  std::uint64_t taken = 0;
  for (std::size_t i = 0; i < present.size(); ++i) {
    if (present[i].length > budget - taken) {
      present[i].length = budget - taken;
      present.resize(present[i].length == 0 ? i : i + 1);
      cut = true;
      break;
    }
    taken += present[i].length;
  }
  return present;
}

// Disk images are mostly zeros: a 2 TB dynamic VHD holding one file is a
// 10 MB attachment of zero-filled blocks, and scanning them was 40 % of its
// scan (issue #17). In a disk image, YARA is not given any 64 KiB-aligned
// chunk that is all zeros: the data around it keeps its true offsets and
// `filesize` its full size, and a rule can neither match nor read an integer
// inside such a chunk. The files inside the image are artifacts of their
// own and are scanned whole. docs/adr/0026.
constexpr std::uint64_t kZeroChunk = 64 * 1024;

// `present` (the view's data ranges) without its all-zero aligned chunks;
// nullopt when there is none to leave out.
std::optional<std::vector<Extent>> without_zero_chunks(ByteView bytes, const std::vector<Extent>& present) {
  std::vector<Extent> out;
  bool dropped = false;
  auto keep = [&out](std::uint64_t from, std::uint64_t to) {
    if (from >= to) return;
    if (!out.empty() && out.back().end() == from) {
      out.back().length += to - from;
    } else {
      out.push_back({from, to - from});
    }
  };
  for (const Extent& e : present) {
    std::uint64_t kept_from = e.offset;
    // The unaligned head stays; whole aligned chunks are tested.
    std::uint64_t chunk = (e.offset + kZeroChunk - 1) / kZeroChunk * kZeroChunk;
    for (; chunk + kZeroChunk <= e.end(); chunk += kZeroChunk) {
      if (!bytes.clamp(chunk, kZeroChunk).all_zero()) continue;
      keep(kept_from, chunk);
      kept_from = chunk + kZeroChunk;
      dropped = true;
    }
    keep(kept_from, e.end());
  }
  if (!dropped) return std::nullopt;
  return out;
}

class YaraDetector final : public Detector {
 public:
  // `texts`: every rule source's text, or nothing when one could not be read.
  YaraDetector(std::shared_ptr<const Rules> rules, YaraConfig config,
               const std::optional<std::vector<std::string>>& texts)
      : rules_(std::move(rules)), config_(std::move(config)) {
    if (!texts) return;
    // Each source read once: whether its rules are gated, and their strings.
    std::vector<StringDef> strings;
    for (const std::string& t : *texts) {
      std::optional<std::vector<StringDef>> defs = gated_strings(t);
      if (!defs) return;  // not gated: neither shortcut applies
      strings.insert(strings.end(), defs->begin(), defs->end());
    }
    gated_ = !rules_->fixed_offset_strings();
    prefilter_ = LiteralPrefilter::from_strings(strings);
  }

  std::string_view name() const noexcept override { return "yara"; }

  void inspect(const ArtifactTree& tree, FindingSink& sink) const override {
    // One scanner per message.
    const Scanner scanner = rules_->new_scanner();
    if (!scanner) {
      if (!tree.empty()) {
        sink.add("yara.incomplete", Severity::low, 0, "YARA could not start a scan (out of memory)");
      }
      return;
    }
    ScanState state;
    state.max_strings = config_.max_strings_reported;
    yr_scanner_set_callback(scanner.get(), on_scan_message, &state);
    yr_scanner_set_timeout(scanner.get(), static_cast<int>(config_.timeout_seconds));
    // libyara guards each scan with SIGBUS/SIGSEGV handlers it installs and
    // removes (five system calls per artifact, ~28 per ham message, up to a
    // tenth of a ham scan on this VM). The guard is kept where a fault can
    // happen: in process, with rules whose modules parse the artifact. In a
    // sandboxed worker a fault is contained and reported already; rules of
    // patterns and conditions alone read through libyara's bounds-checked
    // matcher, and the bytes are in memory Sluice owns — never a file mapping
    // that could shrink under the scan (docs/adr/0031).
    const bool guard = !sink.contained() && rules_->imports_modules();
    yr_scanner_set_flags(scanner.get(), SCAN_FLAGS_FAST_MODE | (guard ? 0 : SCAN_FLAGS_NO_TRYCATCH));

    const std::vector<ArtifactId> order = scan_order(tree);
    Totals totals;
    std::vector<std::optional<ArtifactId>> within;
    if (gated_) within = covering(tree, order);
    if (std::none_of(within.begin(), within.end(), [](const auto& w) { return w.has_value(); })) {
      for (const ArtifactId id : order) emit(tree, scan(tree, id, scanner.get(), state, totals), id, sink);
    } else {
      // The parts inside their message are scanned after it, so that its
      // outcome can answer for them; findings are still reported in the
      // usual order. (Everything fits max_total_scan_bytes here: covering()
      // checked, so the order cannot change what the budget leaves out.)
      state.ask_strings = true;
      std::vector<std::optional<Scanned>> done(tree.size());
      std::vector<std::size_t> inner;
      for (std::size_t k = 0; k < order.size(); ++k) {
        if (within[k]) {
          inner.push_back(k);
        } else {
          done[order[k]] = scan(tree, order[k], scanner.get(), state, totals);
        }
      }
      // Outer before inner (an artifact's id is larger than its parent's): a
      // part answered for by its message answers for the parts inside it.
      std::sort(inner.begin(), inner.end(), [&](std::size_t x, std::size_t y) { return order[x] < order[y]; });
      for (const std::size_t k : inner) {
        const std::optional<Scanned>& outer = done[*within[k]];
        if (outer && (outer->answered || (outer->plain && outer->rc == ERROR_SUCCESS && !outer->any_string))) {
          Scanned answered;
          answered.answered = true;
          done[order[k]] = std::move(answered);
          covered_.fetch_add(1, std::memory_order_relaxed);
        } else {
          done[order[k]] = scan(tree, order[k], scanner.get(), state, totals);
        }
      }
      for (const ArtifactId id : order) emit(tree, *done[id], id, sink);
    }
    if (totals.skipped > 0) {
      sink.add("yara.incomplete", Severity::low, 0,
               std::to_string(totals.skipped) + " artifacts not scanned by YARA: the message passed " +
                   std::to_string(config_.max_total_scan_bytes) + " bytes (yara.max_total_scan_bytes)",
               {{"unscanned_artifacts", std::to_string(totals.skipped)}});
    }
  }

  [[nodiscard]] std::uint64_t parts_answered() const noexcept { return covered_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t artifacts_prefiltered() const noexcept {
    return prefiltered_.load(std::memory_order_relaxed);
  }

 private:
  struct Totals {
    std::uint64_t bytes = 0;  // handed to libyara in this message
    std::size_t skipped = 0;  // past max_total_scan_bytes
  };

  // One artifact's scan, kept until its findings are reported.
  struct Scanned {
    bool answered = false;  // not scanned: its holder's scan answered for it
    bool ran = false;
    int rc = ERROR_SUCCESS;
    std::uint64_t size = 0;   // bytes libyara read
    bool sparse = false;
    bool sparse_cut = false;
    bool plain = false;       // the whole view, as one buffer
    bool any_string = false;
    bool too_many = false;
    std::vector<RuleMatch> matches;
  };

  Scanned scan(const ArtifactTree& tree, ArtifactId id, YR_SCANNER* scanner, ScanState& state, Totals& totals) const {
    Scanned out;
    const Artifact& a = tree[id];
    std::optional<SparseBlocks> sparse;
    std::uint64_t size = std::min<std::uint64_t>(a.bytes.size(), config_.max_scan_bytes);
    bool sparse_cut = false;
    const bool disk = info(a.type).cls == TypeClass::disk_image;
    std::optional<std::vector<Extent>> present;
    if (a.bytes.size() > config_.max_scan_bytes || disk) present = tree.present_extents(a.bytes);
    if (disk && a.bytes.size() >= 2 * kZeroChunk) {
      const std::vector<Extent> whole{{0, a.bytes.size()}};
      if (auto data = without_zero_chunks(a.bytes, present ? *present : whole)) present = std::move(data);
    }
    if (present) {
      sparse.emplace();
      sparse->bytes = a.bytes;
      sparse->present = first_present(std::move(*present), config_.max_scan_bytes, sparse_cut);
      size = 0;
      for (const Extent& e : sparse->present) size += e.length;
    }
    if (sparse && sparse->present.empty()) return out;  // all holes: nothing a rule could see
    if (size > config_.max_total_scan_bytes - std::min(totals.bytes, config_.max_total_scan_bytes)) {
      ++totals.skipped;
      return out;
    }
    totals.bytes += size;
    out.ran = true;
    out.size = size;
    out.sparse = sparse.has_value();
    out.sparse_cut = sparse_cut;
    out.plain = !sparse && size == a.bytes.size();
    if (!sparse && prefilter_ && !prefilter_->may_match(a.bytes.chars().substr(0, static_cast<std::size_t>(size)))) {
      // No needed string has the literals its matches hold: libyara would
      // find none of them, so no rule (each needs one; docs/adr/0040).
      out.rc = ERROR_SUCCESS;
      prefiltered_.fetch_add(1, std::memory_order_relaxed);
      return out;
    }
    state.matches.clear();
    state.too_many_matches = false;
    state.any_string = false;
    if (sparse) {
      YR_MEMORY_BLOCK_ITERATOR it{};
      it.context = &*sparse;
      it.first = sparse_first;
      it.next = sparse_next;
      it.file_size = sparse_size;
      out.rc = yr_scanner_scan_mem_blocks(scanner, &it);
    } else {
      out.rc = yr_scanner_scan_mem(scanner, a.bytes.data(), static_cast<std::size_t>(size));
    }
    out.any_string = state.any_string;
    out.too_many = state.too_many_matches;
    out.matches = std::move(state.matches);
    return out;
  }

  void emit(const ArtifactTree& tree, const Scanned& r, ArtifactId id, FindingSink& sink) const {
    if (!r.ran) return;
    const Artifact& a = tree[id];
    if (r.rc != ERROR_SUCCESS) {
      sink.add("yara.incomplete", Severity::low, id,
               r.rc == ERROR_SCAN_TIMEOUT
                   ? "YARA rules timed out after " + std::to_string(config_.timeout_seconds) + " s"
                   : "YARA scan failed (libyara error " + std::to_string(r.rc) + ")",
               {{"error", std::to_string(r.rc)}});
      return;
    }
    if (r.sparse && r.sparse_cut) {
      sink.add("yara.incomplete", Severity::low, id,
               "YARA saw only the first " + std::to_string(r.size) + " bytes of data of a sparse " +
                   std::to_string(a.bytes.size()) + "-byte view (yara.max_scan_bytes)",
               {{"scanned_bytes", std::to_string(r.size)}, {"size", std::to_string(a.bytes.size())}});
    } else if (!r.sparse && r.size < a.bytes.size()) {
      sink.add("yara.incomplete", Severity::low, id,
               "YARA saw only the first " + std::to_string(r.size) + " of " + std::to_string(a.bytes.size()) +
                   " bytes (yara.max_scan_bytes)",
               {{"scanned_bytes", std::to_string(r.size)}, {"size", std::to_string(a.bytes.size())}});
    }
    for (const RuleMatch& m : r.matches) report(m, id, r.too_many, sink);
  }

  // For each artifact of `order`, the artifact whose scan can answer for it:
  // its nearest ancestor in `order` whose bytes hold its bytes (a part sent
  // 7bit, 8bit or binary is a view into its message), with a line break or
  // the ancestor's edge on both sides — so that `fullword` and `\b` read the
  // same edges in both. Empty when no part is inside another, or when the
  // message may pass max_total_scan_bytes (the order must not change what
  // the budget leaves out). docs/adr/0039.
  std::vector<std::optional<ArtifactId>> covering(const ArtifactTree& tree,
                                                  const std::vector<ArtifactId>& order) const {
    std::vector<std::optional<ArtifactId>> within(order.size());
    std::vector<bool> scanned(tree.size(), false);
    std::uint64_t bytes = 0;
    for (const ArtifactId id : order) {
      scanned[id] = true;
      bytes += std::min<std::uint64_t>(tree[id].bytes.size(), config_.max_scan_bytes);
    }
    if (bytes > config_.max_total_scan_bytes) return {};
    const std::less<const std::uint8_t*> before;
    const auto line_break = [](std::uint8_t c) { return c == '\n' || c == '\r'; };
    bool any = false;
    for (std::size_t k = 0; k < order.size(); ++k) {
      const ByteView part = tree[order[k]].bytes;
      for (ArtifactId up = tree[order[k]].parent; up != kNoArtifact; up = tree[up].parent) {
        const ByteView outer = tree[up].bytes;
        const std::uint8_t* const lo = outer.data();
        const std::uint8_t* const hi = outer.data() + outer.size();
        if (outer.empty() || before(part.data(), lo) || before(hi, part.data() + part.size())) continue;
        // The nearest holder decides: a holder that cannot answer is not
        // skipped over for one further up.
        const bool plain = scanned[up] && outer.size() <= config_.max_scan_bytes &&
                           info(tree[up].type).cls != TypeClass::disk_image;
        // The part's offset in the holder; its neighbours read through the holder's view.
        const auto at = static_cast<std::uint64_t>(part.data() - lo);
        const auto edge = [&](std::uint64_t off) {
          std::uint8_t c = 0;
          return !outer.byte_at(off, c) || line_break(c);  // past the holder's end: its edge
        };
        const bool edges = (at == 0 || edge(at - 1)) && edge(at + part.size());
        if (plain && edges) {
          within[k] = up;
          any = true;
        }
        break;
      }
    }
    if (!any) return {};
    return within;
  }

  // Leaves first, then containers, each in tree order: when the per-message
  // byte budget runs out, what is left unscanned is the outer wrapping (a disk
  // image whose files were already scanned), not the payload inside it.
  // Duplicates were scanned as their first copy; empty artifacts hold nothing.
  static std::vector<ArtifactId> scan_order(const ArtifactTree& tree) {
    std::vector<ArtifactId> leaves, containers;
    for (const Artifact& a : tree) {
      if (a.duplicate_of || a.bytes.empty()) continue;
      (a.children.empty() ? leaves : containers).push_back(a.id);
    }
    leaves.insert(leaves.end(), containers.begin(), containers.end());
    return leaves;
  }

  void report(const RuleMatch& m, ArtifactId id, bool too_many, FindingSink& sink) const {
    Evidence ev{{"rule", m.rule}, {"namespace", m.rule_namespace}};
    if (!m.tags.empty()) ev.emplace_back("tags", join(m.tags, ","));
    if (!m.description.empty()) ev.emplace_back("description", m.description);
    std::vector<std::string> strings;
    for (const StringHit& s : m.strings) strings.push_back(s.id + "@" + hex_offset(s.offset));
    if (m.more_strings) strings.emplace_back("…");
    if (!strings.empty()) ev.emplace_back("strings", join(strings, ", "));
    if (too_many) ev.emplace_back("too_many_matches", "true");
    std::string message = "YARA rule " + m.rule_namespace + ":" + m.rule + " matched";
    if (!m.description.empty()) message += ": " + m.description;
    if (m.score) {
      const double weight = std::clamp(*m.score, 0.0, config_.max_rule_score);
      ev.emplace_back("rule_score", std::to_string(static_cast<std::int64_t>(*m.score)));
      sink.add_weighted("yara.match", severity_for(m, weight), id, std::move(message), std::move(ev),
                        weight);
    } else {
      // No score: the policy's weight for yara.match applies.
      sink.add("yara.match", Severity::medium, id, std::move(message), std::move(ev));
    }
  }

  std::shared_ptr<const Rules> rules_;
  YaraConfig config_;
  bool gated_ = false;  // every rule needs one of its strings (string_gate.hpp), none at a fixed offset
  std::optional<LiteralPrefilter> prefilter_;  // the literals each needed string's matches hold (docs/adr/0040)
  mutable std::atomic<std::uint64_t> covered_{0};
  mutable std::atomic<std::uint64_t> prefiltered_{0};
};

// Every source's text, for the readings above. A file that cannot be read
// here is read by libyara next, which then reports it; until then, nothing.
std::optional<std::vector<std::string>> source_texts(const std::vector<RuleSource>& sources) {
  std::vector<std::string> texts;
  for (const RuleSource& src : sources) {
    if (!src.from_file) {
      texts.push_back(src.text);
      continue;
    }
    std::optional<std::string> text = core::read_whole_file(src.name);
    if (!text) return std::nullopt;
    texts.push_back(std::move(*text));
  }
  return texts;
}

}  // namespace

std::uint64_t parts_answered_by_their_message(const Detector& d) {
  const auto* y = dynamic_cast<const YaraDetector*>(&d);
  return y == nullptr ? 0 : y->parts_answered();
}

std::uint64_t artifacts_prefiltered(const Detector& d) {
  const auto* y = dynamic_cast<const YaraDetector*>(&d);
  return y == nullptr ? 0 : y->artifacts_prefiltered();
}

Result<std::unique_ptr<Detector>> make_detector(const YaraConfig& config) {
  if (!config.enabled) return std::unique_ptr<Detector>();
  std::vector<RuleSource> sources;
  if (config.builtin_rules && config.rule_dirs.empty()) {
    // The starter rules alone: load what the build compiled from the same
    // sources. A libyara that cannot read it (upgraded since the build)
    // compiles them below instead, with the same result.
    auto saved = Rules::load({embedded::kYaraCompiled, embedded::kYaraCompiledSize});
    if (saved) {
      return std::unique_ptr<Detector>(
          std::make_unique<YaraDetector>(std::move(*saved), config, source_texts(builtin_sources())));
    }
  }
  if (config.builtin_rules) sources = builtin_sources();
  auto user = directory_sources(config.rule_dirs);
  if (!user) return std::unexpected(user.error());
  sources.insert(sources.end(), user->begin(), user->end());
  if (sources.empty()) return std::unique_ptr<Detector>();
  auto rules = Rules::compile(sources);
  if (!rules) return std::unexpected(rules.error());
  return std::unique_ptr<Detector>(
      std::make_unique<YaraDetector>(std::move(*rules), config, source_texts(sources)));
}

// No detector at all when YARA is disabled or has no rules.
Status register_detector(Detectors& d, const Config& config) {
  auto det = make_detector(config.yara);
  if (!det) return std::unexpected(det.error());
  if (*det) d.push_back(std::move(*det));
  return {};
}

}  // namespace sluice::analysis::yara
