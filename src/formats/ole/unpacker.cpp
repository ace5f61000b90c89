// OLE2 documents (Word, Excel, PowerPoint, and the OLE objects inside OOXML and
// ODF files) → the files they embed: OLE Package objects (`\x01Ole10Native`)
// with their original names, the "Package" and "CONTENTS" streams of embedded
// objects (an OOXML document, a PDF), and PowerPoint's compressed ExOleObjStg
// records, which are compound files of their own and come back here.
// And what Office runs or reaches from them (ADR 0022): VBA modules (as `vba`
// children, their source decompressed), Excel 4.0 macro sheets of the
// Workbook stream, Word field codes that reach outside (DDE, INCLUDETEXT),
// and encrypted documents (opened with the default or the message's password).
#include "core/unpacker.hpp"

#include <algorithm>
#include <array>

#include "core/inflate.hpp"
#include "core/reader.hpp"
#include "core/text.hpp"
#include "codecs/cfb/cfb.hpp"
#include "codecs/office/fields.hpp"
#include "codecs/office/offcrypto.hpp"
#include "codecs/office/vba.hpp"
#include "codecs/office/xlm.hpp"
#include "codecs/ole1/package.hpp"
#include "codecs/ole1/package_report.hpp"
#include "formats/ole/ppt_objects.hpp"
#include "meta/ioc.hpp"
#include "meta/office.hpp"
#include "meta/ole.hpp"

namespace sluice::formats::ole {

using codecs::ole1::PackageReport;
using codecs::ole1::decode_package;
using codecs::ole1::report_package;
namespace {

using codecs::cfb::CompoundFile;
using codecs::cfb::StreamBytes;

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
    std::vector<Anomaly> issues;
    auto parsed = CompoundFile::parse(ctx.bytes(), issues);
    if (!parsed) {
      core::report_anomalies(ctx, issues);
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
        const codecs::cfb::DirEntry& de = cfb.entries()[e];
        if (de.type == kTypeStorage) {
          if (iequals(de.name, "VBA")) vba_project(st, e, d.path + printable(de.name) + "/");
          todo.push_back({e, d.path + printable(de.name) + "/"});
        } else if (de.type == kTypeStream) {
          if (d.entry == 0) st.root_streams.emplace_back(de.name, e);
          visit_stream(st, e, d);
        }
        if (st.stopped) break;
      }
    }
    if (!st.stopped) documents(st);
    core::report_anomalies(ctx, issues);
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::ole2};

  struct State {
    core::UnpackContext& ctx;
    CompoundFile& cfb;
    std::vector<Anomaly>& issues;
    std::size_t packages = 0, embedded = 0, modules = 0;
    bool stopped = false;
    std::vector<std::pair<std::string, std::uint32_t>> root_streams{};
  };

  static bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && core::ascii_lower(a) == core::ascii_lower(b);
  }

  static std::optional<std::uint32_t> root_stream(const State& st, std::string_view name) {
    for (const auto& [n, e] : st.root_streams) {
      if (iequals(n, name)) return e;
    }
    return std::nullopt;
  }

  // What the root's streams say the document is, and what it hides.
  static void documents(State& st) {
    core::UnpackContext& ctx = st.ctx;
    if (auto e = root_stream(st, "WordDocument")) {
      ctx.meta(meta::office::application, std::string("word"));
      ctx.meta(meta::office::container, std::string("ole2"));
      word(st, *e);
    } else if (auto wb = root_stream(st, "Workbook"); wb || root_stream(st, "Book")) {
      ctx.meta(meta::office::application, std::string("excel"));
      ctx.meta(meta::office::container, std::string("ole2"));
      excel(st, wb ? *wb : *root_stream(st, "Book"));
    } else if (root_stream(st, kPptDocument)) {
      ctx.meta(meta::office::application, std::string("powerpoint"));
      ctx.meta(meta::office::container, std::string("ole2"));
      if (root_stream(st, "EncryptedSummary")) {
        ctx.anomaly("office.encrypted", Severity::low, 0, "PowerPoint presentation is encrypted (CryptoAPI RC4)");
        ctx.anomaly("office.encrypted_unopened", Severity::medium, 0,
                    "encrypted PowerPoint presentation: legacy RC4 is not decrypted, its content was not scanned");
      }
    }
    const auto info = root_stream(st, "EncryptionInfo");
    const auto package = root_stream(st, "EncryptedPackage");
    if (info && package) encrypted_package(st, *info, *package);
  }

  // Excel 97-2003: macro sheets, their formulas' functions, Auto_Open names,
  // and FILEPASS encryption (codecs::office::read_biff8_workbook).
  static void excel(State& st, std::uint32_t e) {
    core::UnpackContext& ctx = st.ctx;
    bool capped = false;
    const StreamBytes sb = read_stream(st, e, "Workbook stream", capped);
    auto wb = codecs::office::read_biff8_workbook(sb.bytes());
    if (!wb) return;  // not BIFF5/8: nothing Excel would run either
    if (wb->encrypted()) {
      const std::string scheme(codecs::office::to_string(wb->encryption));
      ctx.meta(meta::office::encryption, scheme);
      ctx.anomaly("office.encrypted", Severity::low, 0, "Excel workbook is encrypted (" + scheme + ")");
      auto plain = decrypt_workbook(st, sb.bytes());
      if (!plain) {
        ctx.anomaly("office.encrypted_unopened", Severity::medium, 0,
                    "encrypted Excel workbook (" + scheme + "): " + plain.error().what +
                        ", its sheets and formulas were not scanned");
        return;
      }
      auto opened = codecs::office::read_biff8_workbook(ByteView(plain->data(), plain->size()));
      if (!opened) return;
      wb = std::move(opened);
    }
    bool macro_sheet = false;
    for (const codecs::office::Sheet& sh : wb->sheets) {
      if (sh.kind != codecs::office::SheetKind::macro) continue;
      macro_sheet = true;
      const std::string name = ctx.clean_name(sh.name);
      ctx.meta(meta::xlm::macro_sheet, name);
      if (sh.state == codecs::office::SheetState::hidden || sh.state == codecs::office::SheetState::very_hidden) {
        ctx.meta(meta::xlm::hidden_macro_sheet, name + " (" + std::string(codecs::office::to_string(sh.state)) + ")");
      }
    }
    // An encrypted workbook still shows its substreams' types in clear.
    if (!macro_sheet) {
      for (const codecs::office::Substream& sub : wb->substreams) {
        if (sub.kind != codecs::office::SheetKind::macro) continue;
        ctx.meta(meta::xlm::macro_sheet, "substream at " + std::to_string(sub.offset));
        break;
      }
    }
    for (const codecs::office::DefinedName& n : wb->names) {
      if (codecs::office::is_auto_name(n.name)) ctx.meta(meta::office::auto_name, ctx.clean_name(n.name));
    }
    const codecs::office::MacroFacts& m = wb->macros;
    if (m.formulas > 0) ctx.meta(meta::xlm::formulas, static_cast<std::int64_t>(m.formulas));
    for (const auto& [fn, count] : m.functions) ctx.meta(meta::xlm::function, ctx.clean_name(fn));
    for (const auto& [fn, count] : m.udf_calls) ctx.meta(meta::xlm::function, ctx.clean_name(core::ascii_upper(fn)));
    for (std::string_view url : m.urls()) ctx.meta(meta::ioc::url, ctx.clean_name(url));
    for (const std::string& link : wb->dde_links) ctx.meta(meta::office::dde_link, ctx.clean_name(link));
  }

  // MS-XLS §2.2.10: an encrypted workbook's records after FILEPASS, decrypted
  // with Excel's default password (a "VelvetSweatshop" workbook opens without
  // asking) or one the message gives. The password is recorded on success.
  static Result<std::vector<std::uint8_t>> decrypt_workbook(State& st, ByteView stream) {
    core::UnpackContext& ctx = st.ctx;
    const auto fp = codecs::office::find_filepass(stream);
    if (!fp) return fail(Errc::malformed, 0, "no readable FILEPASS record");
    if (fp->encryption_type != 1) return fail(Errc::unsupported, fp->offset, "XOR obfuscation is not decrypted");
    auto info = codecs::office::parse_encryption_info(fp->header);
    if (!info) return fail(info.error().code, fp->offset, "FILEPASS: " + info.error().what);
    if (!info->supported) return fail(Errc::unsupported, fp->offset, info->algorithm + ": " + info->unsupported_reason);
    auto found = try_passwords(st, *info);
    if (!found) return fail(Errc::unsupported, fp->offset, "no candidate password opened it");
    const auto& [password, base] = *found;
    bool capped = false;
    const std::uint64_t max = ctx.bounded_size(stream.size(), stream.size(), "decrypted Excel workbook", capped);
    std::vector<std::uint8_t> plain = codecs::office::decrypt_workbook(
        stream, *fp,
        [&](std::uint64_t offset, std::span<std::uint8_t> bytes) {
          codecs::office::rc4_decrypt_at(*info, base, 1024, offset, bytes);
        },
        max);
    ctx.budget().charge_decoded(plain.size());
    ctx.meta(meta::office::password, ctx.clean_name(password));
    return plain;
  }

  // Excel's default password first, then the message's, within the
  // candidate and key-derivation limits: {password, key} of the first that
  // verifies.
  static std::optional<std::pair<std::string, std::vector<std::uint8_t>>> try_passwords(
      State& st, const codecs::office::EncryptionInfo& info) {
    core::UnpackContext& ctx = st.ctx;
    if (!info.supported) return std::nullopt;
    std::size_t tried = 0;
    std::optional<std::pair<std::string, std::vector<std::uint8_t>>> found;
    auto attempt = [&](const std::string& pw) {
      if (found || tried >= ctx.limits().max_password_candidates) return;
      if (!ctx.budget().take_key_rounds(codecs::office::derivation_rounds(info))) {
        // The scan's key-derivation allowance is spent: no more candidates.
        ctx.limit_hit(LimitKind::key_derivation, "password key derivation for an encrypted Office document");
        tried = ctx.limits().max_password_candidates;
        return;
      }
      ++tried;
      if (auto k = codecs::office::verify_password(info, pw)) found.emplace(pw, std::move(*k));
    };
    attempt(std::string(codecs::office::kExcelDefaultPassword));
    if (!found) {
      for (const std::string& pw : ctx.password_candidates()) {
        if (found || tried >= ctx.limits().max_password_candidates) break;
        attempt(pw);
      }
    }
    return found;
  }

  // MS-OFFCRYPTO: an encrypted OOXML document is a compound file holding
  // EncryptionInfo and EncryptedPackage. Excel's default password first (a
  // workbook "protected" with it opens without asking), then the message's.
  static void encrypted_package(State& st, std::uint32_t info_e, std::uint32_t package_e) {
    core::UnpackContext& ctx = st.ctx;
    bool capped = false;
    const StreamBytes info_sb = read_stream(st, info_e, "EncryptionInfo stream", capped);
    auto info = codecs::office::parse_encryption_info(info_sb.bytes());
    if (!info) {
      ctx.anomaly("office.encryption_malformed", Severity::low, info.error().offset,
                  "EncryptionInfo: " + info.error().what);
      ctx.anomaly("office.encrypted", Severity::low, 0, "encrypted Office document (unreadable EncryptionInfo)");
      ctx.anomaly("office.encrypted_unopened", Severity::medium, 0,
                  "encrypted Office document whose encryption cannot be read: its content was not scanned");
      return;
    }
    ctx.meta(meta::office::encryption, info->algorithm);
    ctx.anomaly("office.encrypted", Severity::low, 0, "encrypted Office document (" + info->algorithm + ")");
    if (!info->supported) {
      ctx.anomaly("office.encrypted_unopened", Severity::medium, 0,
                  "encrypted Office document (" + info->algorithm + ", " + info->unsupported_reason +
                      "): its content was not scanned");
      return;
    }
    auto found = try_passwords(st, *info);
    if (!found) {
      ctx.anomaly("office.encrypted_unopened", Severity::medium, 0,
                  "encrypted Office document: no candidate password opened it, its content was not scanned");
      return;
    }
    const auto& [password, key] = *found;
    ctx.meta(meta::office::password, ctx.clean_name(password));
    const StreamBytes pkg_sb = read_stream(st, package_e, "EncryptedPackage stream", capped);
    const ByteView enc = pkg_sb.bytes();
    // value_or(0): a stream shorter than its size field declares 0 bytes; the
    // decryption below refuses a package that short.
    const std::uint64_t declared = core::load_le<std::uint64_t>(enc, 0).value_or(0);
    const std::uint64_t max = ctx.bounded_size(declared, enc.size(), "decrypted Office package", capped);
    auto plain = codecs::office::decrypt_package(*info, key, enc, max);
    if (!plain) {
      ctx.anomaly("office.encryption_malformed", Severity::low, plain.error().offset,
                  "EncryptedPackage: " + plain.error().what);
      return;
    }
    if (plain->bytes.size() < plain->declared_size && !capped) {
      ctx.anomaly("office.encryption_malformed", Severity::low, 0,
                  "EncryptedPackage declares " + std::to_string(plain->declared_size) + " bytes; " +
                      std::to_string(plain->bytes.size()) + " decrypt");
    }
    ctx.budget().charge_decoded(plain->bytes.size());
    if (!ctx.emit_owned(std::move(plain->bytes), "package", {}, capped || plain->truncated)) st.stopped = true;
  }

  // Word 97-2003: the FIB's fEncrypted flag, and field codes in the text.
  static void word(State& st, std::uint32_t e) {
    core::UnpackContext& ctx = st.ctx;
    bool capped = false;
    const StreamBytes sb = read_stream(st, e, "WordDocument stream", capped);
    const ByteView b = sb.bytes();
    // [MS-DOC] 2.5.2 FibBase: wIdent 0xA5EC, flags at 0x0A; fEncrypted is bit 8,
    // fObfuscated (XOR) bit 15.
    // value_or(0): a stream too short for the FIB is not one (0 is no wIdent);
    // once wIdent matched, the flags word past it is a fact of a short stream.
    if (core::load_le<std::uint16_t>(b, 0).value_or(0) == 0xA5EC) {
      const std::uint16_t flags = core::load_le<std::uint16_t>(b, 0x0A).value_or(0);
      if ((flags & 0x0100) != 0) {
        ctx.anomaly("office.encrypted", Severity::low, 0x0A,
                    std::string("Word document is encrypted (") +
                        ((flags & 0x8000) != 0 ? "XOR obfuscation" : "RC4") + "): its text and fields are unreadable");
        ctx.anomaly("office.encrypted_unopened", Severity::medium, 0x0A,
                    "encrypted Word document: no password was tried on legacy RC4 encryption, its content was not "
                    "scanned");
        return;
      }
    }
    for (auto& f : codecs::office::word_binary_fields(b, ctx.limits().max_children)) ctx.meta(meta::office::field, ctx.clean_name(f));
  }

  // A VBA project: the dir stream lists the modules; each module stream holds
  // p-code, then the compressed source from its text offset.
  static void vba_project(State& st, std::uint32_t storage, const std::string& path) {
    core::UnpackContext& ctx = st.ctx;
    const std::vector<std::uint32_t> kids = st.cfb.children(storage, st.issues);
    auto find = [&](std::string_view name) -> std::optional<std::uint32_t> {
      for (std::uint32_t k : kids) {
        const codecs::cfb::DirEntry& de = st.cfb.entries()[k];
        if (de.type == kTypeStream && iequals(de.name, name)) return k;
      }
      return std::nullopt;
    };
    const auto dir_entry = find("dir");
    if (!dir_entry) {
      ctx.anomaly("office.vba_malformed", Severity::low, 0, "VBA storage " + path + " has no dir stream");
      return;
    }
    bool capped = false;
    const StreamBytes dir_sb = read_stream(st, *dir_entry, "VBA dir stream", capped);
    const std::uint64_t dir_max = ctx.bounded_size(std::max<std::uint64_t>(dir_sb.bytes().size() * 16, 65536),
                                                   dir_sb.bytes().size(), "VBA dir stream", capped);
    auto dir = codecs::office::decompress(dir_sb.bytes(), dir_max);
    if (!dir) {
      ctx.anomaly("office.vba_malformed", Severity::low, dir.error().offset, "VBA dir stream: " + dir.error().what);
      return;
    }
    ctx.budget().charge_decoded(dir->bytes.size());
    auto project = codecs::office::parse_dir(ByteView(dir->bytes.data(), dir->bytes.size()), ctx.limits().max_children);
    if (!project) {
      ctx.anomaly("office.vba_malformed", Severity::low, project.error().offset, "VBA dir stream: " + project.error().what);
      return;
    }
    for (const std::string& issue : project->issues) ctx.anomaly("office.vba_malformed", Severity::low, 0, issue);
    ctx.meta(meta::vba::project, ctx.clean_name(project->name.empty() ? path : project->name));
    for (const codecs::office::VbaModule& m : project->modules) {
      if (st.stopped) return;
      module(st, m, find(m.stream_name));
    }
  }

  static void module(State& st, const codecs::office::VbaModule& m, std::optional<std::uint32_t> entry) {
    core::UnpackContext& ctx = st.ctx;
    const std::string name = ctx.clean_name(m.name);
    if (!entry) {
      ctx.anomaly("office.vba_malformed", Severity::low, 0,
                  "VBA module \"" + name + "\" names stream \"" + ctx.clean_name(m.stream_name) + "\", which is absent");
      return;
    }
    bool capped = false;
    const StreamBytes sb = read_stream(st, *entry, "VBA module " + name, capped);
    const ByteView b = sb.bytes();
    // The source is what Office shows and what scanners read; the p-code
    // before it is what Office runs when the version matches. Source gone
    // while p-code stays is "VBA stomping" (EvilClippy): the code that runs is
    // not the code anyone reads.
    if (m.text_offset >= b.size()) {
      if (m.text_offset > 0) {
        ctx.anomaly("office.vba_stomping", Severity::high, 0,
                    "VBA module \"" + name + "\" has " + std::to_string(std::min<std::uint64_t>(m.text_offset, b.size())) +
                        " bytes of p-code and no source");
      }
      return;
    }
    const ByteView compressed = b.tail(m.text_offset);
    const std::uint64_t want = ctx.bounded_size(std::max<std::uint64_t>(compressed.size() * 16, 65536),
                                                compressed.size(), "VBA module " + name, capped);
    std::vector<std::uint8_t> partial;
    auto source = codecs::office::decompress(compressed, want, &partial);
    bool truncated = capped || sb.short_chain;
    std::vector<std::uint8_t> text;
    if (source) {
      text = std::move(source->bytes);
      truncated = truncated || !source->complete;
    } else {
      ctx.anomaly("office.vba_malformed", Severity::low, m.text_offset,
                  "VBA module \"" + name + "\": " + source.error().what);
      text = std::move(partial);
      truncated = true;
      if (text.empty() && m.text_offset > 0) {
        ctx.anomaly("office.vba_stomping", Severity::high, m.text_offset,
                    "VBA module \"" + name + "\" has " + std::to_string(m.text_offset) +
                        " bytes of p-code and its source does not decompress");
      }
    }
    ctx.budget().charge_decoded(text.size());
    if (text.empty()) return;
    std::vector<Name> names{Name{"vba.module", name}};
    const std::string locator = "vba[" + std::to_string(st.modules++) + "]";
    if (!ctx.emit_owned(std::move(text), locator, std::move(names), truncated)) st.stopped = true;
  }

  template <class DirT>
  static void visit_stream(State& st, std::uint32_t e, const DirT& d) {
    const std::string& n = st.cfb.entries()[e].name;
    const bool in_object = d.entry != 0;  // "Package"/"CONTENTS" at the root are other things
    if (n == kOle10Native) {
      package(st, e, d.path);
    } else if (in_object && (n == "Package" || n == "CONTENTS")) {
      raw(st, e, d.path + printable(n));
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
    // value_or(0): a stream shorter than the size field declares none (0 is
    // "not stated"), and decode_package reports what is missing.
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
    const std::string locator = "package[" + std::to_string(st.packages++) + "]";
    PackageReport report = report_package(ctx, *p, 0, path.empty() ? locator : locator + " in " + path);
    auto child =
        emit_part(st, sb, p->data, locator, std::move(report.names), capped || p->truncated || sb.short_chain);
    if (!child) {
      st.stopped = true;
      return;
    }
    for (Meta& m : report.meta) ctx.record_on(*child, std::move(m));
  }

  static void raw(State& st, std::uint32_t e, const std::string& path) {
    bool capped = false;
    const StreamBytes sb = read_stream(st, e, "embedded object " + path, capped);
    const std::string locator = "object[" + std::to_string(st.embedded++) + "]";
    auto child =
        emit_part(st, sb, sb.bytes(), locator, {Name{"ole.stream", path}}, capped || sb.short_chain);
    if (!child) st.stopped = true;
  }

  static void powerpoint(State& st, std::uint32_t e) {
    core::UnpackContext& ctx = st.ctx;
    bool capped = false;
    const StreamBytes sb = read_stream(st, e, "PowerPoint Document stream", capped);
    auto parsed = parse_powerpoint(sb.bytes(), ctx.limits());
    if (!parsed) return;  // not reached: any stream is a list of records
    for (Anomaly& a : parsed->anomalies) st.issues.push_back(std::move(a));
    for (const PptObject& o : parsed->model.objects) {
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
