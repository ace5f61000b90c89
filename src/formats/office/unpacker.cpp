// Office XML parts (OOXML parts inside the package ZIP, Word/Excel 2003 XML,
// flat OPC) and ActiveMime blobs → the facts a detector judges: external
// relationships (remote templates, linked objects, protocol handlers), field
// codes and DDE links, macro sheets and their formulas, hidden sheets,
// Auto_Open names, the package's application; and children: the base64 parts
// a flat document carries (editdata.mso, vbaProject.bin) and the compound
// file inside ActiveMime. Each part is its own artifact, so every fact lands on
// the part that states it and its evidence path names it.
#include "core/unpacker.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "core/fixed.hpp"
#include "core/inflate.hpp"
#include "core/text.hpp"
#include "codecs/text/decode.hpp"
#include "codecs/office/fields.hpp"
#include "codecs/office/xlm.hpp"
#include "formats/office/xml_scan.hpp"
#include "meta/ioc.hpp"
#include "meta/office.hpp"

namespace sluice::formats::office {

using codecs::office::Biff12Part;
using codecs::office::DefinedName;
using codecs::office::MacroFacts;
using codecs::office::Sheet;
using codecs::office::SheetState;
using codecs::office::biff12_part_kind;
using codecs::office::collapse_spaces;
using codecs::office::dde_formula;
using codecs::office::external_field_keyword;
using codecs::office::is_auto_name;
using codecs::office::read_biff12_dde_link;
using codecs::office::read_biff12_macrosheet;
using codecs::office::read_biff12_workbook;
using codecs::office::to_string;
namespace {

// Facts per part are bounded: a part listing a million relationships says so once.
constexpr std::size_t kMaxFacts = 256;

std::string_view last_segment(std::string_view type) {
  const std::size_t slash = type.rfind('/');
  return slash == std::string_view::npos ? type : type.substr(slash + 1);
}

bool has_scheme(std::string_view target) {
  const std::size_t colon = target.find(':');
  if (colon == std::string_view::npos || colon < 2) return false;  // "C:" is a drive, not a scheme
  for (std::size_t i = 0; i < colon; ++i) {
    const char c = target[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
          c == '.'))
      return false;
  }
  return true;
}

// The application a package's main part names ([Content_Types].xml).
struct MainPart {
  std::string_view marker, application;
  bool macro_enabled;
};
constexpr std::array kMainParts{
    MainPart{"wordprocessingml.document.main", "word", false},
    MainPart{"wordprocessingml.template.main", "word", false},
    MainPart{"ms-word.document.macroenabled.main", "word", true},
    MainPart{"ms-word.template.macroenabledtemplate.main", "word", true},
    MainPart{"spreadsheetml.sheet.main", "excel", false},
    MainPart{"spreadsheetml.template.main", "excel", false},
    MainPart{"ms-excel.sheet.macroenabled.main", "excel", true},
    MainPart{"ms-excel.sheet.binary.macroenabled.main", "excel", true},
    MainPart{"ms-excel.template.macroenabled.main", "excel", true},
    MainPart{"ms-excel.addin.macroenabled.main", "excel", true},
    MainPart{"presentationml.presentation.main", "powerpoint", false},
    MainPart{"presentationml.slideshow.main", "powerpoint", false},
    MainPart{"presentationml.template.main", "powerpoint", false},
    MainPart{"ms-powerpoint.presentation.macroenabled.main", "powerpoint", true},
    MainPart{"ms-powerpoint.slideshow.macroenabled.main", "powerpoint", true},
    MainPart{"ms-powerpoint.template.macroenabled.main", "powerpoint", true},
    MainPart{"ms-powerpoint.addin.macroenabled.main", "powerpoint", true},
};

// Excel 4.0 function names a formula calls: an upper-case word (dots allowed:
// GET.WORKSPACE, FORMULA.FILL) followed by '('.
void formula_functions(std::string_view f, std::vector<std::string>& out) {
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '(') continue;
    std::size_t s = i;
    while (s > 0 && ((f[s - 1] >= 'A' && f[s - 1] <= 'Z') || (f[s - 1] >= 'a' && f[s - 1] <= 'z') ||
                     (f[s - 1] >= '0' && f[s - 1] <= '9') || f[s - 1] == '.' || f[s - 1] == '_'))
      --s;
    if (s == i) continue;
    std::string name = core::ascii_upper(f.substr(s, i - s));
    if (std::find(out.begin(), out.end(), name) == out.end() && out.size() < kMaxFacts) out.push_back(name);
  }
}

class Facts {
 public:
  explicit Facts(core::UnpackContext& ctx) : ctx_(ctx) {}
  void add(const MetaKey<std::string>& key, std::string value) {
    value = ctx_.clean_name(value);
    if (value.empty()) return;
    auto& seen = seen_[key.name];
    if (std::find(seen.begin(), seen.end(), value) != seen.end()) return;
    if (seen.size() >= kMaxFacts) {
      if (!capped_) ctx_.anomaly("office.fact_limit", Severity::low, 0, "more than " + std::to_string(kMaxFacts) +
                                                                             " " + std::string(key.name) + " facts in one part");
      capped_ = true;
      return;
    }
    seen.push_back(value);
    ctx_.meta(key, std::move(value));
  }

 private:
  core::UnpackContext& ctx_;
  std::map<std::string_view, std::vector<std::string>> seen_;  // by key name (static text)
  bool capped_ = false;
};

class OfficeUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "office"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    if (ctx.type() == FileType::activemime) return activemime(ctx);
    if (ctx.type() == FileType::biff12) return biff12(ctx);
    return xml(ctx);
  }

 private:
  static constexpr std::array kTypes{FileType::office_xml, FileType::activemime, FileType::biff12};

  // .xlsb parts: the workbook's sheets and names, a sheet's formulas (a macro
  // sheet is one by its relationship, not by its records), an external link's
  // DDE server and topic. The same facts the XML parts give.
  static Status biff12(core::UnpackContext& ctx) {
    const ByteView b = ctx.bytes();
    Facts facts(ctx);
    switch (biff12_part_kind(b)) {
      case Biff12Part::workbook: {
        auto wb = read_biff12_workbook(b);
        if (!wb) return {};
        for (const Sheet& sh : wb->sheets) {
          if (sh.state == SheetState::hidden || sh.state == SheetState::very_hidden) {
            facts.add(meta::office::hidden_sheet, std::string(to_string(sh.state)) + " " + sh.rel_id + " " + sh.name);
          }
        }
        for (const DefinedName& n : wb->names) {
          if (is_auto_name(n.name)) facts.add(meta::office::auto_name, n.name);
        }
        return {};
      }
      case Biff12Part::sheet: {
        const MacroFacts m = read_biff12_macrosheet(b);
        if (m.formulas > 0) ctx.meta(meta::xlm::formulas, static_cast<std::int64_t>(m.formulas));
        for (const auto& [fn, count] : m.functions) facts.add(meta::xlm::function, fn);
        for (std::string_view url : m.urls()) facts.add(meta::ioc::url, std::string(url));
        return {};
      }
      case Biff12Part::external_link:
        if (auto link = read_biff12_dde_link(b)) facts.add(meta::office::dde_link, *link);
        return {};
      case Biff12Part::other:
        return {};
    }
    return {};
  }

  static Status xml(core::UnpackContext& ctx) {
    const std::string_view text = ctx.bytes().chars();
    Facts facts(ctx);
    bool macrosheet = false;
    std::uint64_t formulas = 0;
    std::vector<std::string> functions;
    // A Word field's instruction is split across runs between its "begin"
    // and "separate" (or "end") markers.
    bool in_field = false;
    std::string instruction;
    auto flush_field = [&] {
      const std::string clean = collapse_spaces(instruction);
      if (external_field_keyword(clean)) facts.add(meta::office::field, clean);
      instruction.clear();
      in_field = false;
    };
    std::string package_part;  // flat OPC: the part whose binaryData follows
    std::size_t children = 0;
    bool stopped = false;
    for_each_tag(text, [&](const XmlTag& t) {
      if (ctx.budget().expired()) {
        ctx.limit_hit(LimitKind::deadline, "the scan's time ran out inside an Office XML part");
        return false;
      }
      const std::string_view n = t.name;
      if (t.closing) return true;
      if (n == "Relationship") {
        relationship(ctx, facts, t);
      } else if (n == "Override" || n == "Default") {
        content_type(ctx, facts, t);
      } else if (n == "macrosheet") {
        macrosheet = true;
      } else if (n == "f") {
        const std::string f = unescape(t.text);
        ++formulas;
        if (macrosheet) formula_functions(f, functions);
        if (auto dde = dde_formula("=" + f)) facts.add(meta::office::dde_link, *dde);
      } else if (n == "Cell") {
        if (auto f = attr(t.attrs, "Formula")) {
          if (auto dde = dde_formula(*f)) facts.add(meta::office::dde_link, *dde);
        }
      } else if (n == "ddeLink") {
        const std::string service = attr(t.attrs, "ddeService").value_or("");
        const std::string topic = attr(t.attrs, "ddeTopic").value_or("");
        if (!service.empty()) facts.add(meta::office::dde_link, collapse_spaces(service + " " + topic));
      } else if (n == "fldChar") {
        const std::string kind = attr(t.attrs, "fldCharType").value_or("");
        if (kind == "begin") {
          if (in_field) flush_field();
          in_field = true;
          instruction.clear();
        } else if (kind == "separate" || kind == "end") {
          if (in_field) flush_field();
        }
      } else if (n == "instrText") {
        if (instruction.size() < 4096) instruction += unescape(t.text);
        if (!in_field) flush_field();  // an instruction outside begin/separate markers stands alone
      } else if (n == "fldSimple") {
        if (auto instr = attr(t.attrs, "instr")) {
          const std::string clean = collapse_spaces(*instr);
          if (external_field_keyword(clean)) facts.add(meta::office::field, clean);
        }
      } else if (n == "sheet") {
        const std::string state = attr(t.attrs, "state").value_or("visible");
        if (state != "visible") {
          facts.add(meta::office::hidden_sheet, state + " " + attr(t.attrs, "id").value_or("") + " " +
                                               attr(t.attrs, "name").value_or(""));
        }
      } else if (n == "definedName") {
        const std::string name = attr(t.attrs, "name").value_or("");
        if (is_auto_name(name)) facts.add(meta::office::auto_name, name);
      } else if (n == "binData" && !stopped) {
        // Word 2003 XML: <w:binData w:name="editdata.mso"> holds the macros (ActiveMime).
        stopped = !emit_base64(ctx, t.text, "bindata[" + std::to_string(children++) + "]",
                               attr(t.attrs, "name").value_or(""));
      } else if (n == "part") {
        package_part = attr(t.attrs, "name").value_or("");
      } else if (n == "binaryData" && !stopped) {
        // Flat OPC (a whole package as one XML file): vbaProject.bin, embeddings.
        stopped = !emit_base64(ctx, t.text, "part[" + std::to_string(children++) + "]", package_part);
      }
      return true;
    });
    if (in_field) flush_field();
    if (macrosheet) {
      ctx.meta(meta::xlm::macro_sheet, ctx.name());
      ctx.meta(meta::xlm::formulas, static_cast<std::int64_t>(formulas));
      for (auto& f : functions) ctx.meta(meta::xlm::function, std::move(f));
    }
    return {};
  }

  static void relationship(core::UnpackContext& ctx, Facts& facts, const XmlTag& t) {
    const std::string type(last_segment(attr(t.attrs, "Type").value_or("")));
    const std::string target = attr(t.attrs, "Target").value_or("");
    const std::string id = attr(t.attrs, "Id").value_or("");
    const bool external = core::ascii_lower(attr(t.attrs, "TargetMode").value_or("")) == "external";
    if (type == "xlMacrosheet" || type == "xlIntlMacrosheet") facts.add(meta::office::macro_sheet, id + " " + target);
    if (!external) return;
    facts.add(meta::office::external_rel, type + " " + target);
    if (has_scheme(target)) {
      const std::string clean = ctx.clean_name(target);
      ctx.meta(meta::ioc::url, clean);
    }
  }

  static void content_type(core::UnpackContext& ctx, Facts& facts, const XmlTag& t) {
    const std::string type = core::ascii_lower(attr(t.attrs, "ContentType").value_or(""));
    if (type.find("ms-excel.macrosheet") != std::string::npos ||
        type.find("ms-excel.intlmacrosheet") != std::string::npos) {
      facts.add(meta::office::macro_sheet, attr(t.attrs, "PartName").value_or(""));
    }
    for (const MainPart& m : kMainParts) {
      if (type.find(m.marker) == std::string::npos) continue;
      // The package (the ZIP this part came from) is what the name claims to be.
      const ArtifactId package = ctx.parent();
      if (package == kNoArtifact) return;
      ctx.meta_on(package, meta::office::application, std::string(m.application));
      ctx.meta_on(package, meta::office::container, std::string("ooxml"));
      if (m.macro_enabled) ctx.meta_on(package, meta::office::macro_enabled, true);
      return;
    }
  }

  // Returns false when the tree refused the child (a limit).
  static bool emit_base64(core::UnpackContext& ctx, std::string_view b64, std::string locator,
                          const std::string& name) {
    if (b64.empty()) return true;
    bool capped = false;
    const std::uint64_t want = ctx.bounded_size(b64.size() / 4 * 3 + 3, b64.size(), "base64 part " + name, capped);
    std::vector<std::uint8_t> out;
    codecs::text::DecodeStats stats;
    codecs::text::decode_base64(ByteView(reinterpret_cast<const std::uint8_t*>(b64.data()), b64.size()), out, want, stats);
    ctx.budget().charge_decoded(out.size());
    std::vector<Name> names;
    if (!name.empty()) names.push_back({"office.part", ctx.clean_name(name)});
    return ctx.emit_owned(std::move(out), std::move(locator), std::move(names), capped).has_value();
  }

  // ActiveMime ("ActiveMime" + header): a zlib stream holding the compound
  // file (Word's editdata.mso, MHT-saved documents). oletools reads the stream
  // at 0x32; the header's length field moves it in some writers, so the first
  // zlib header in the first KiB is the fallback.
  static Status activemime(core::UnpackContext& ctx) {
    const ByteView b = ctx.bytes();
    auto is_zlib = [&](std::uint64_t at) {
      const auto head = core::Fixed<2>::at(b, at);  // RFC 1950 2.2: CMF, FLG
      if (!head) return false;
      const unsigned cmf = head->u8<0>(), flg = head->u8<1>();
      return (cmf & 0x0F) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
    };
    std::uint64_t at = 0x32;
    if (!is_zlib(at)) {
      at = 0;
      for (std::uint64_t i = 10; i < std::min<std::uint64_t>(b.size(), 1024); ++i) {
        if (is_zlib(i)) {
          at = i;
          break;
        }
      }
      if (at == 0) {
        ctx.anomaly("office.activemime_malformed", Severity::low, 0, "ActiveMime blob without a zlib stream");
        return {};
      }
    }
    bool capped = false;
    const ByteView z = b.tail(at);
    const std::uint64_t want = ctx.bounded_size(ctx.limits().max_artifact_bytes, z.size(), "ActiveMime stream", capped);
    std::vector<std::uint8_t> out;
    const core::InflateResult r = core::inflate_bounded(z, out, want, ctx.budget(), 15);
    if (r.end == core::InflateEnd::corrupt || r.end == core::InflateEnd::truncated) {
      ctx.anomaly("office.activemime_malformed", Severity::low, at,
                  std::string("ActiveMime zlib stream is ") + (r.end == core::InflateEnd::corrupt ? "corrupt" : "truncated"));
    } else if (r.end == core::InflateEnd::deadline) {
      ctx.limit_hit(LimitKind::deadline, "the scan's time ran out inflating an ActiveMime stream");
    }
    ctx.budget().charge_decoded(out.size());
    if (out.empty()) return {};
    (void)ctx.emit_owned(std::move(out), "activemime", {}, capped || r.end != core::InflateEnd::complete);
    return {};
  }
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<OfficeUnpacker>()); }

}  // namespace sluice::formats::office
