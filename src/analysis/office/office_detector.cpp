// What an Office document runs or reaches when it opens: VBA macros (with the
// procedures Office starts by itself and the calls droppers make), Excel 4.0
// macro sheets (hidden ones, EXEC/CALL/REGISTER), DDE fields and formulas,
// remote templates and linked objects, protocol-handler links (Follina). The
// formats (ole, office, rtf) recorded the facts as meta on the part that
// states them; this detector judges them (ADR 0022).
#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "analysis/detector.hpp"
#include "analysis/office/vba_keywords.hpp"
#include "core/text.hpp"
#include "codecs/office/fields.hpp"
#include "meta/office.hpp"
#include "meta/ole.hpp"

namespace sluice::analysis::office {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}



// The package a part belongs to: the nearest ancestor that is a ZIP (OOXML)
// or a compound file; the part itself at the root.
ArtifactId package_of(const ArtifactTree& tree, ArtifactId id) {
  for (ArtifactId p = tree[id].parent; p != kNoArtifact; p = tree[p].parent) {
    if (tree[p].type == FileType::zip || tree[p].type == FileType::ole2) return p;
  }
  return id;
}

// Excel 4.0 functions that run programs or call into DLLs (the XLM dropper's
// whole point), and ones that fetch or write files.
constexpr std::array<std::string_view, 9> kXlmRuns{"EXEC",  "CALL",   "REGISTER", "REGISTER.ID", "RUN",
                                                   "FOPEN", "FWRITE", "FWRITELN", "URLDOWNLOADTOFILEA"};

// Schemes that hand a URL to a Windows protocol handler rather than fetch a
// template: ms-msdt (Follina, CVE-2022-30190), search-ms, ms-officecmd …
bool protocol_handler(std::string_view target) {
  const std::string t = core::ascii_lower(target);
  return t.starts_with("mhtml:") || t.starts_with("ms-") || t.starts_with("search-ms:") || t.starts_with("search:") ||
         t.find("!x-usc:") != std::string::npos;
}

class OfficeDetector final : public Detector {
 public:
  std::string_view name() const noexcept override { return "office"; }

  void inspect(const ArtifactTree& tree, FindingSink& sink) const override {
    // Per package: macro sheets by relationship ID and part, hidden sheets.
    std::map<ArtifactId, std::vector<std::string>> macro_sheets, hidden_sheets;
    std::set<ArtifactId> xlm_packages;  // one office.xlm_macro per package, however many parts say so
    for (const Artifact& a : tree) {
      if (a.type == FileType::vba) vba(tree, a, sink);
      if (a.type == FileType::text) csv(a, sink);
      if (a.meta.empty()) continue;
      fields(tree, a, sink);
      links(tree, a, sink);
      const ArtifactId pkg = package_of(tree, a.id);
      xlm(a, pkg, xlm_packages, sink);
      for (auto& m : a.meta_strings(meta::office::macro_sheet)) macro_sheets[pkg].push_back(std::move(m));
      for (auto& h : a.meta_strings(meta::office::hidden_sheet)) hidden_sheets[pkg].push_back(std::move(h));
    }
    // OOXML: <sheet state="hidden" r:id="rId1"> in the workbook, rId1 a macro
    // sheet in its relationships.
    for (const auto& [pkg, hidden] : hidden_sheets) {
      const auto it = macro_sheets.find(pkg);
      if (it == macro_sheets.end()) continue;
      for (const std::string& h : hidden) {
        const std::size_t s1 = h.find(' '), s2 = h.find(' ', s1 + 1);
        if (s1 == std::string::npos || s2 == std::string::npos) continue;
        const std::string rid = h.substr(s1 + 1, s2 - s1 - 1);
        for (const std::string& m : it->second) {
          if (rid.empty() || !m.starts_with(rid + " ")) continue;
          sink.add("office.hidden_macro_sheet", Severity::medium, pkg,
                   "Excel 4.0 macro sheet \"" + h.substr(s2 + 1) + "\" is " + h.substr(0, s1),
                   {{"sheet", h.substr(s2 + 1)}, {"state", h.substr(0, s1)}, {"part", m.substr(rid.size() + 1)}});
        }
      }
    }
  }

 private:
  static void vba(const ArtifactTree& tree, const Artifact& a, FindingSink& sink) {
    const VbaReading r = read_vba(a.readable_text());
    if (r.code_lines == 0) return;
    const std::string module(a.display_name());
    Evidence base{{"module", module}, {"code_lines", std::to_string(r.code_lines)}};
    if (a.parent != kNoArtifact) base.emplace_back("project", tree.evidence_path(a.parent));
    sink.add("office.macro", Severity::medium, a.id,
             "VBA macro module \"" + module + "\" with " + std::to_string(r.code_lines) + " lines of code", base);
    if (!r.autoexec.empty()) {
      Evidence ev = base;
      ev.emplace_back("procedures", join(r.autoexec));
      sink.add("office.macro_autoexec", Severity::medium, a.id,
               "VBA macro runs when the document opens or closes: " + join(r.autoexec), std::move(ev));
    }
    if (!r.strong.empty() || r.weak.size() >= 3) {
      std::vector<std::string> all = r.strong;
      all.insert(all.end(), r.weak.begin(), r.weak.end());
      Evidence ev = base;
      ev.emplace_back("calls", join(all));
      sink.add("office.macro_suspicious", Severity::high, a.id, "VBA macro calls " + join(all), std::move(ev));
    }
  }

  static void fields(const ArtifactTree& tree, const Artifact& a, FindingSink& sink) {
    for (const std::string& f : a.meta_strings(meta::office::field)) {
      const auto kw = codecs::office::external_field_keyword(f);
      if (!kw) continue;
      if (*kw == "DDE" || *kw == "DDEAUTO") {
        sink.add("office.dde", Severity::high, a.id, "DDE field runs: " + f,
                 {{"field", f}, {"document", tree.evidence_path(a.id)}});
      } else {
        const std::string l = core::ascii_lower(f);
        if (l.find("http:") != std::string::npos || l.find("https:") != std::string::npos ||
            l.find("\\\\") != std::string::npos || l.find("ftp:") != std::string::npos) {
          sink.add("office.external_object", Severity::medium, a.id, *kw + " field fetches from outside: " + f,
                   {{"field", f}});
        }
      }
    }
    for (const std::string& d : a.meta_strings(meta::office::dde_link)) {
      sink.add("office.dde", Severity::high, a.id, "DDE link runs: " + d, {{"command", d}});
    }
  }

  static void links(const ArtifactTree&, const Artifact& a, FindingSink& sink) {
    for (const std::string& rel : a.meta_strings(meta::office::external_rel)) {
      const std::size_t sp = rel.find(' ');
      const std::string type = rel.substr(0, sp);
      const std::string target = sp == std::string::npos ? "" : rel.substr(sp + 1);
      Evidence ev{{"relationship", type}, {"target", target}};
      if (protocol_handler(target)) {
        sink.add("office.protocol_handler", Severity::high, a.id,
                 "relationship " + type + " hands \"" + target + "\" to a Windows protocol handler", std::move(ev));
      } else if (type == "attachedTemplate" || type == "frame" || type == "subDocument") {
        sink.add("office.external_template", Severity::high, a.id,
                 "document loads its " + type + " from " + target, std::move(ev));
      } else if (type == "oleObject" || type == "package" || type == "externalLinkPath" ||
                 type == "externalLink") {
        sink.add("office.external_object", Severity::medium, a.id,
                 "document links the " + type + " at " + target, std::move(ev));
      }
    }
  }

  static void xlm(const Artifact& a, ArtifactId pkg, std::set<ArtifactId>& reported, FindingSink& sink) {
    const std::vector<std::string> sheets = a.meta_strings(meta::xlm::macro_sheet);
    const std::vector<std::string> parts = a.meta_strings(meta::office::macro_sheet);
    if ((!sheets.empty() || !parts.empty()) && reported.insert(pkg).second) {
      const std::string what = !sheets.empty() ? join(sheets) : join(parts);
      sink.add("office.xlm_macro", Severity::medium, a.id, "Excel 4.0 macro sheet: " + what, {{"sheets", what}});
    }
    for (const std::string& h : a.meta_strings(meta::xlm::hidden_macro_sheet)) {
      sink.add("office.hidden_macro_sheet", Severity::medium, a.id, "Excel 4.0 macro sheet \"" + h + "\" is hidden",
               {{"sheet", h}});
    }
    std::vector<std::string> runs;
    for (const std::string& f : a.meta_strings(meta::xlm::function)) {
      if (std::find(kXlmRuns.begin(), kXlmRuns.end(), f) != kXlmRuns.end()) runs.push_back(f);
    }
    if (!runs.empty()) {
      sink.add("office.xlm_suspicious", Severity::high, a.id, "Excel 4.0 macro calls " + join(runs),
               {{"functions", join(runs)}});
    }
    const std::vector<std::string> autos = a.meta_strings(meta::office::auto_name);
    if (!autos.empty()) {
      sink.add("office.macro_autoexec", Severity::medium, a.id, "Excel runs the macro named " + join(autos) +
                                                                    " when the workbook opens",
               {{"names", join(autos)}});
    }
  }

  // A CSV (or any text) whose cells are DDE formulas: Excel asks once, then runs.
  static void csv(const Artifact& a, FindingSink& sink) {
    std::string_view t = a.readable_text().substr(0, 1 << 20);
    if (t.find('|') == std::string_view::npos) return;
    std::size_t pos = 0;
    while (pos < t.size()) {
      std::size_t nl = t.find('\n', pos);
      if (nl == std::string_view::npos) nl = t.size();
      const std::string_view line = t.substr(pos, nl - pos);
      pos = nl + 1;
      if (line.find('|') == std::string_view::npos) continue;
      // Cells start a line or follow a separator.
      for (std::size_t c = 0; c < line.size(); ++c) {
        if (c != 0 && line[c - 1] != ',' && line[c - 1] != ';' && line[c - 1] != '\t') continue;
        if (auto d = codecs::office::dde_formula(line.substr(c))) {
          sink.add("office.dde", Severity::high, a.id, "spreadsheet text with a DDE formula: " + *d, {{"command", *d}});
          return;
        }
      }
    }
  }
};

}  // namespace

Status register_detector(Detectors& d, const Config&) {
  d.push_back(std::make_unique<OfficeDetector>());
  return {};
}

}  // namespace sluice::analysis::office
