// `sluice features` and `sluice model train | eval`.
#include "model_cmd.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "campaigns/fingerprint.hpp"
#include "campaigns/store.hpp"
#include "config_file.hpp"
#include "console.hpp"
#include "inputs.hpp"
#include "model/model.hpp"
#include "training/trainer.hpp"

namespace sluice::cli {
namespace {

// The engine that computes features: the configuration's, without a model
// (features are the rules' view; a model never reads another's output).
Result<Engine> feature_engine(const std::string& config_file) {
  auto cfg = load_config(config_file);
  if (!cfg) return std::unexpected(cfg.error());
  cfg->model.enabled = false;
  return Engine::create(std::move(*cfg));
}

// Calls `each` with every message the paths hold: files, directories walked,
// mboxes split into their messages. Unreadable paths are errors.
Status for_each_message(const Engine& engine, const std::vector<std::string>& paths,
                        const std::function<void(const std::string&, const ScanResult&)>& each) {
  const Limits& limits = engine.config().limits;
  for (const Input& in : expand_paths(paths)) {
    if (!in.error.empty()) return fail(Errc::io, 0, in.path + ": " + in.error);
    Loaded l = load_input(in.path, limits.max_input_bytes);
    if (!l.error.empty()) return fail(Errc::io, 0, in.path + ": " + l.error);
    const ByteView whole(l.bytes.data(), l.bytes.size());
    const auto entries = l.cut ? std::vector<MailboxEntry>{} : split_mailbox(in.path, whole, limits.max_children);
    ScanOptions options;
    options.input_cut = l.cut;
    if (entries.empty()) {
      each(in.path, engine.scan(whole, in.path, options));
      continue;
    }
    for (const MailboxEntry& e : entries) each(e.name, engine.scan(e.view(), e.name, options));
  }
  return {};
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string number(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
  return buf;
}

std::string markdown(const model::FeatureSpace& space) {
  std::string s = "| # | feature | meaning | range |\n|---|---|---|---|\n";
  std::size_t i = 0;
  for (const model::FeatureInfo& f : space.features()) {
    s += "| " + std::to_string(i++) + " | `" + f.name + "` | " + f.meaning + " | " + f.range + " |\n";
  }
  return s;
}

struct Labelled {
  std::string path;
  bool malicious = false;
  std::string technique;
};

// path<TAB>malicious|benign[<TAB>technique]; '#' comments; paths relative to the file.
Result<std::vector<Labelled>> read_labels(const std::string& file) {
  std::ifstream in(file);
  if (!in) return fail(Errc::io, 0, "cannot read labels file " + file);
  const std::filesystem::path base = std::filesystem::path(file).parent_path();
  std::vector<Labelled> out;
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, '\t');) cols.push_back(c);
    if (cols.size() < 2 || (cols[1] != "malicious" && cols[1] != "benign")) {
      return fail(Errc::malformed, n, file + ":" + std::to_string(n) + ": want path<TAB>malicious|benign[<TAB>technique]");
    }
    std::filesystem::path p(cols[0]);
    if (p.is_relative()) p = base / p;
    out.push_back({p.string(), cols[1] == "malicious", cols.size() > 2 ? cols[2] : std::string()});
  }
  return out;
}

Result<std::vector<training::Sample>> gather(const Engine& engine, const model::FeatureSpace& space,
                                             const ModelArgs& a) {
  std::vector<Labelled> sets;
  for (const auto& p : a.malicious) sets.push_back({p, true, {}});
  for (const auto& p : a.benign) sets.push_back({p, false, {}});
  if (!a.labels.empty()) {
    auto more = read_labels(a.labels);
    if (!more) return std::unexpected(more.error());
    sets.insert(sets.end(), more->begin(), more->end());
  }
  std::vector<training::Sample> samples;
  if (!a.from_store.empty()) {
    // Labels from the field: messages an analyst labelled (or whose campaign
    // they labelled), with the features stored when they were recorded.
    auto store = campaigns::Store::open(a.from_store);
    if (!store) return std::unexpected(store.error());
    auto rows = store->labelled();
    if (!rows) return std::unexpected(rows.error());
    std::size_t other_version = 0, damaged = 0;
    for (const campaigns::LabelledMessage& m : *rows) {
      if (m.feature_version != space.version()) {
        ++other_version;
        continue;
      }
      std::size_t skipped = 0;
      std::vector<float> x = campaigns::decode_features(space, m.features, skipped);
      if (skipped != 0) {
        ++damaged;
        continue;
      }
      samples.push_back({a.from_store + "#" + std::to_string(m.id) + " " + m.input, std::move(x), m.malicious, m.campaign});
    }
    std::fprintf(stderr, "sluice: %s: %zu labelled messages, %zu used", a.from_store.c_str(), rows->size(),
                 rows->size() - other_version - damaged);
    if (other_version != 0) std::fprintf(stderr, ", %zu recorded with another feature version", other_version);
    if (damaged != 0) std::fprintf(stderr, ", %zu with damaged features", damaged);
    std::fprintf(stderr, "\n");
  }
  for (const Labelled& l : sets) {
    auto st = for_each_message(engine, {l.path}, [&](const std::string& name, const ScanResult& r) {
      samples.push_back({name, space.extract(r), l.malicious, l.technique});
    });
    if (!st) return std::unexpected(st.error());
  }
  return samples;
}

int train(const ModelArgs& a) {
  if (a.out.empty()) return command_error("model train: give -o FILE for the model");
  auto engine = feature_engine(a.config_file);
  if (!engine) return command_error(engine.error().what);
  const model::FeatureSpace space = model::FeatureSpace::builtin();
  auto samples = gather(*engine, space, a);
  if (!samples) return command_error(samples.error().what);
  training::TrainOptions o;
  o.folds = a.folds;
  o.threshold = a.threshold;
  o.boost.seed = a.seed;
  o.boost.rounds = a.rounds;
  o.boost.max_depth = a.max_depth;
  o.description = a.description;
  if (auto st = training::check_trainable(*samples, o.folds); !st) return command_error("model train: " + st.error().what);
  auto cv = training::cross_validate(*samples, space.size(), o);
  if (!cv) return command_error("model train: " + cv.error().what);
  for (std::size_t i = 0; i < cv->folds.size(); ++i) {
    print_out("fold " + std::to_string(i + 1) + ": " + training::to_text(cv->folds[i]));
  }
  print_out("cross-validated (" + std::to_string(o.folds) + " folds, " + std::to_string(samples->size()) +
      " messages): " + training::to_text(cv->pooled));
  auto doc = training::train_document(*samples, space, o, *cv);
  if (!doc) return command_error("model train: " + doc.error().what);
  // The document must load as scans will load it before it is written.
  if (auto m = model::Model::load(*doc, space); !m) return command_error("model train: the new model does not load: " + m.error().what);
  std::ofstream f(a.out, std::ios::binary | std::ios::trunc);
  f << *doc;
  if (!f) return command_error("model train: cannot write " + a.out);
  print_out("model written to " + a.out + " (feature version " + space.version() + ")\n");
  return kCommandOk;
}

int eval(const ModelArgs& a) {
  if (a.model.empty()) return command_error("model eval: give --model FILE");
  const model::FeatureSpace space = model::FeatureSpace::builtin();
  auto m = model::Model::load_file(a.model, space);
  if (!m) return command_error("model eval: " + m.error().what);
  auto engine = feature_engine(a.config_file);
  if (!engine) return command_error(engine.error().what);
  auto samples = gather(*engine, space, a);
  if (!samples) return command_error(samples.error().what);
  if (samples->empty()) return command_error("model eval: no messages to evaluate");
  const double threshold = m->header().threshold;
  std::vector<float> p, y;
  std::vector<std::string> t;
  for (const auto& s : *samples) {
    p.push_back(static_cast<float>(m->probability(s.x)));
    y.push_back(s.malicious ? 1.0f : 0.0f);
    t.push_back(s.technique);
  }
  const training::Metrics metrics = training::measure(p, y, t, threshold);
  nlohmann::ordered_json wrong = nlohmann::ordered_json::array();
  std::string wrong_text;
  for (std::size_t i = 0; i < samples->size(); ++i) {
    const auto& s = (*samples)[i];
    if ((p[i] >= threshold) == s.malicious) continue;
    const model::Explanation e = m->explain(s.x, 5);
    nlohmann::ordered_json top = nlohmann::ordered_json::array();
    wrong_text += "  " + s.source + " (" + (s.malicious ? "malicious" : "benign") + ", p=" + number(p[i]) + "):";
    for (const auto& c : e.top) {
      top.push_back({{"feature", space.features()[c.feature].name}, {"value", s.x[c.feature]}, {"contribution", c.value}});
      wrong_text += " " + space.features()[c.feature].name + " " + (c.value >= 0 ? "+" : "") + number(static_cast<float>(c.value));
    }
    wrong_text += "\n";
    wrong.push_back({{"input", s.source}, {"label", s.malicious ? "malicious" : "benign"}, {"probability", p[i]},
                     {"top_contributions", std::move(top)}});
  }
  if (a.format == "json") {
    auto j = nlohmann::ordered_json::parse(training::to_json(metrics));
    j["messages"] = samples->size();
    j["misclassified"] = std::move(wrong);
    print_out(j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
  } else {
    print_out(std::to_string(samples->size()) + " messages: " + training::to_text(metrics));
    if (!wrong_text.empty()) print_out("misclassified:\n" + wrong_text);
  }
  return kCommandOk;
}

}  // namespace

int run_features(const FeaturesArgs& a) {
  const model::FeatureSpace space = model::FeatureSpace::builtin();
  if (a.format == "markdown") {
    print_out(markdown(space));
    return kCommandOk;
  }
  if (a.paths.empty()) return command_error("features: give files or directories");
  auto engine = feature_engine(a.config_file);
  if (!engine) return command_error(engine.error().what);
  if (a.format == "csv") {
    std::string head = "input";
    for (const auto& f : space.features()) head += "," + csv_field(f.name);
    print_out(head + "\n");
  }
  auto st = for_each_message(*engine, a.paths, [&](const std::string& name, const ScanResult& r) {
    const std::vector<float> x = space.extract(r);
    if (a.format == "csv") {
      std::string line = csv_field(name);
      for (float v : x) line += "," + number(v);
      print_out(line + "\n");
      return;
    }
    nlohmann::ordered_json j;
    j["input"] = name;
    j["feature_version"] = space.version();
    nlohmann::ordered_json values = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < x.size(); ++i) values[space.features()[i].name] = x[i];
    j["features"] = std::move(values);
    print_out(j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
  });
  if (!st) return command_error(st.error().what);
  return kCommandOk;
}

int run_model(const ModelArgs& a) {
  if (a.action == "train") return train(a);
  if (a.action == "eval") return eval(a);
  return command_error("model: train or eval");
}

}  // namespace sluice::cli
