// OLE2 documents (Word, Excel, PowerPoint, and the OLE objects inside OOXML and
// ODF files) → the files they embed: OLE Package objects (`\x01Ole10Native`)
// with their original names, the "Package" and "CONTENTS" streams of embedded
// objects (an OOXML document, a PDF), and PowerPoint's compressed ExOleObjStg
// records, which are compound files of their own and come back here.
// Macros, DDE and remote templates are issue #23's; this unpacker only opens.
#include "core/unpacker.hpp"

#include <algorithm>
#include <array>

#include "core/inflate.hpp"
#include "core/reader.hpp"
#include "core/text.hpp"
#include "formats/msg/cfb.hpp"
#include "formats/ole/package.hpp"
#include "formats/ole/ppt_objects.hpp"

namespace sluice::formats::ole {
namespace {

using msg::CompoundFile;
using msg::Issue;
using msg::StreamBytes;

constexpr std::uint8_t kTypeStorage = 1;
constexpr std::uint8_t kTypeStream = 2;

// Stream names, as the directory spells them.
constexpr std::string_view kOle10Native("\x01Ole10Native");
constexpr std::string_view kPptDocument("PowerPoint Document");

class OleUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "ole"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    std::vector<Issue> issues;
    auto parsed = CompoundFile::parse(ctx.bytes(), issues);
    if (!parsed) {
      tnef::report_issues(ctx, issues);
      return std::unexpected(parsed.error());
    }
    CompoundFile& cfb = *parsed;
    State st{ctx, cfb, issues};
    // Storages nest; each directory entry is handed out once per file, so the
    // worklist is bounded by the directory.
    struct Dir {
      std::uint32_t entry;
      std::string path;
    };
    std::vector<Dir> todo{{0, ""}};
    while (!todo.empty() && !st.stopped) {
      if (ctx.budget().expired()) {
        ctx.limit_hit(LimitKind::deadline, "the scan's time ran out inside an OLE2 document");
        break;
      }
      const Dir d = std::move(todo.back());
      todo.pop_back();
      for (std::uint32_t e : cfb.children(d.entry, issues)) {
        const msg::DirEntry& de = cfb.entries()[e];
        if (de.type == kTypeStorage) {
          todo.push_back({e, d.path + printable(de.name) + "/"});
        } else if (de.type == kTypeStream) {
          visit_stream(st, e, d);
        }
        if (st.stopped) break;
      }
    }
    tnef::report_issues(ctx, issues);
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::ole2};

  struct State {
    core::UnpackContext& ctx;
    CompoundFile& cfb;
    std::vector<Issue>& issues;
    std::size_t packages = 0, embedded = 0;
    bool stopped = false;
  };

  template <class DirT>
  static void visit_stream(State& st, std::uint32_t e, const DirT& d) {
    const std::string& n = st.cfb.entries()[e].name;
    const bool in_object = d.entry != 0;  // "Package"/"CONTENTS" at the root are other things
    if (n == kOle10Native) {
      package(st, e, d.path);
    } else if (in_object && (n == "Package" || n == "CONTENTS")) {
      raw(st, e, d.path + n);
    } else if (n == kPptDocument && d.entry == 0) {
      powerpoint(st, e);
    }
  }

  // Directory names start with control characters (\x01, \x03, \x05): shown
  // escaped.
  static std::string printable(std::string_view name) {
    std::string out;
    for (char c : name) {
      if (static_cast<unsigned char>(c) < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\x";
        out += kHex[(c >> 4) & 0xF];
        out += kHex[c & 0xF];
      } else {
        out += c;
      }
    }
    return out;
  }

  static StreamBytes read_stream(State& st, std::uint32_t e, const std::string& what, bool& capped) {
    const std::uint64_t size = std::min<std::uint64_t>(st.cfb.entries()[e].size, st.ctx.bytes().size());
    const std::uint64_t allowed = st.ctx.bounded_size(size, st.ctx.bytes().size(), what, capped);
    StreamBytes sb = st.cfb.read(e, allowed, st.issues);
    if (!sb.is_view) st.ctx.budget().charge_decoded(sb.owned.size());
    return sb;
  }

  // A part of a stream as a child: a view when the stream is one, else a copy.
  static std::optional<ArtifactId> emit_part(State& st, const StreamBytes& sb, ByteView part, std::string locator,
                                             std::vector<Name> names, bool truncated) {
    if (sb.is_view) return st.ctx.emit(part, std::move(locator), std::move(names));
    std::vector<std::uint8_t> copy(part.data(), part.data() + part.size());
    return st.ctx.emit_owned(std::move(copy), std::move(locator), std::move(names), truncated);
  }

  static void package(State& st, std::uint32_t e, const std::string& path) {
    core::UnpackContext& ctx = st.ctx;
    bool capped = false;
    const StreamBytes sb = read_stream(st, e, "OLE package " + path, capped);
    const ByteView b = sb.bytes();
    const std::uint32_t total = core::load_le<std::uint32_t>(b, 0).value_or(0);
    auto p = decode_package(b.tail(4), 4);
    if (!p) {
      ctx.anomaly("ole.package_malformed", Severity::medium, p.error().offset,
                  "OLE package in " + path + ": " + p.error().what);
      return;
    }
    if (total != 0 && static_cast<std::uint64_t>(total) + 4 != st.cfb.entries()[e].size &&
        static_cast<std::uint64_t>(total) + 4 > b.size()) {
      ctx.anomaly("ole.package_size_mismatch", Severity::low, 0,
                  "OLE package in " + path + " declares " + std::to_string(total) + " bytes; its stream has " +
                      std::to_string(b.size() >= 4 ? b.size() - 4 : 0));
    }
    if (p->truncated) {
      ctx.anomaly("ole.package_truncated", Severity::medium, 0,
                  "OLE package \"" + ctx.clean_name(p->file_name()) + "\" declares " +
                      std::to_string(p->declared_size) + " bytes; " + std::to_string(p->data.size()) + " are present");
    }
    std::vector<Name> names;
    const std::string file = ctx.clean_name(p->file_name());
    const std::string label = ctx.clean_name(p->label);
    if (!file.empty()) names.push_back({"ole.package_file", file});
    if (!label.empty() && label != file) names.push_back({"ole.package_label", label});
    // The label is the caption under the icon the reader double-clicks; the
    // file's own extension decides what Windows runs. Different extensions:
    // the caption lies about what opens.
    if (core::extensions_differ(file, label)) {
      ctx.anomaly("ole.package_label_mismatch", Severity::medium, 0,
                  "OLE package shows \"" + label + "\" but holds \"" + file + "\"");
    }
    const std::string locator = "package[" + std::to_string(st.packages++) + "]";
    auto child = emit_part(st, sb, p->data, locator, std::move(names), capped || p->truncated || sb.short_chain);
    if (!child) {
      st.stopped = true;
      return;
    }
    if (!p->source_path.empty()) ctx.meta_on(*child, "ole.source_path", ctx.clean_name(p->source_path));
    if (!p->temp_path.empty()) ctx.meta_on(*child, "ole.temp_path", ctx.clean_name(p->temp_path));
  }

  static void raw(State& st, std::uint32_t e, const std::string& path) {
    bool capped = false;
    const StreamBytes sb = read_stream(st, e, "embedded object " + path, capped);
    const std::string locator = "object[" + std::to_string(st.embedded++) + "]";
    auto child =
        emit_part(st, sb, sb.bytes(), locator, {Name{"ole.stream", printable(path)}}, capped || sb.short_chain);
    if (!child) st.stopped = true;
  }

  static void powerpoint(State& st, std::uint32_t e) {
    core::UnpackContext& ctx = st.ctx;
    bool capped = false;
    const StreamBytes sb = read_stream(st, e, "PowerPoint Document stream", capped);
    const std::vector<PptObject> objects = find_ppt_objects(sb.bytes(), st.issues);
    for (const PptObject& o : objects) {
      const std::string locator = "object[" + std::to_string(st.embedded++) + "]";
      const std::vector<Name> names{Name{"ole.stream", "PowerPoint Document"}};
      if (!o.compressed) {
        if (!emit_part(st, sb, o.data, locator, names, capped)) {
          st.stopped = true;
          return;
        }
        continue;
      }
      bool cut = false;
      const std::uint64_t want = ctx.bounded_size(o.declared_size, o.data.size(), "PowerPoint OLE object", cut);
      std::vector<std::uint8_t> out;
      const core::InflateResult r = core::inflate_bounded(o.data, out, want, ctx.budget(), 15);
      if (r.end == core::InflateEnd::corrupt || r.end == core::InflateEnd::truncated) {
        ctx.anomaly("ppt.object_corrupt", Severity::low, o.offset,
                    "PowerPoint OLE object's zlib stream is " +
                        std::string(r.end == core::InflateEnd::corrupt ? "corrupt" : "truncated"));
      } else if (r.end == core::InflateEnd::complete && out.size() != o.declared_size) {
        ctx.anomaly("ppt.object_size_mismatch", Severity::low, o.offset,
                    "PowerPoint OLE object declares " + std::to_string(o.declared_size) + " bytes and inflates to " +
                        std::to_string(out.size()));
      } else if (r.end == core::InflateEnd::deadline) {
        ctx.limit_hit(LimitKind::deadline, "the scan's time ran out inflating a PowerPoint OLE object");
      }
      ctx.budget().charge_decoded(out.size());
      if (!ctx.emit_owned(std::move(out), locator, names, cut || r.end != core::InflateEnd::complete)) {
        st.stopped = true;
        return;
      }
    }
  }

};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<OleUnpacker>()); }

}  // namespace sluice::formats::ole
