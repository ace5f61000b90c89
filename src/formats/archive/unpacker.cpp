// The libarchive bridge: 7z, RAR, CAB, tar, cpio, ARJ, and bare bzip2 / xz /
// zstd / lzma streams. Each regular entry becomes an owned child (decoded data),
// all entries together bounded by one decode allowance for the whole archive,
// so a bomb split across members stops as surely as one big member. What
// libarchive cannot read (encryption, codecs, damage) is reported, never dropped:
// an encrypted entry is still a child, with its name, so name detectors judge it.
#include <algorithm>
#include <array>
#include <span>

#include "core/isolate.hpp"
#include "core/search_memo.hpp"
#include "core/unpacker.hpp"
#include "formats/archive/layout.hpp"
#include "formats/archive/parser.hpp"
#include "formats/archive/reader.hpp"
#include "formats/archive/rar3_open.hpp"
#include "formats/archive/rar5_open.hpp"
#include "formats/archive/sevenzip_header.hpp"
#include "formats/archive/sevenzip_open.hpp"
#include "meta/archive.hpp"

namespace sluice::formats::archive {
namespace {

// UTF-32 (Linux wchar_t) to UTF-8. Surrogates and out-of-range values become
// U+FFFD: they come from the archive, not from a trusted converter.
std::string wide_to_utf8(const wchar_t* w) {
  std::string out;
  for (std::size_t i = 0; w[i] != L'\0' && out.size() < (1u << 16); ++i) {
    auto c = static_cast<std::uint32_t>(w[i]);
    if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = 0xFFFD;
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::string entry_path(const ArchiveApi& api, struct archive_entry* e) {
  // The UTF-8 form is what Windows shows. 7z and RAR5 store UTF-16 names that
  // libarchive keeps as wide strings; under the C locale its UTF-8 conversion
  // of those fails, so the wide form is converted here. The raw form is the
  // last resort (clean_name then marks bytes that are not UTF-8).
  if (const char* p = api.entry_pathname_utf8(e)) return p;
  if (const wchar_t* w = api.entry_pathname_w(e)) return wide_to_utf8(w);
  if (const char* p = api.entry_pathname(e)) return p;
  return {};
}

std::string_view special_kind(unsigned ftype) {
  switch (ftype) {
    case AE_IFDIR: return "directory";
    case AE_IFIFO: return "FIFO";
    case AE_IFCHR: return "character device";
    case AE_IFBLK: return "block device";
    case AE_IFSOCK: return "socket";
    default: return "special file";
  }
}

std::string link_target(const char* utf8, const char* raw) {
  if (utf8 != nullptr) return utf8;
  if (raw != nullptr) return raw;
  return {};
}

std::string filter_names(const ArchiveApi& api, struct ::archive* a) {
  std::string out;
  const int n = api.filter_count(a);
  for (int i = 0; i < n; ++i) {
    const char* name = api.filter_name(a, i);
    if (name == nullptr || std::string_view(name) == "none") continue;
    if (!out.empty()) out += ",";
    out += name;
  }
  return out;
}

enum class DataEnd { complete, capped, deadline, unreadable, fatal };

struct Session {
  const ArchiveApi& api;
  core::UnpackContext& ctx;
  struct ::archive* a;
  FileType type;
  core::Budget::Allowance allowance;
  std::uint64_t used = 0;  // decoded bytes charged so far, all entries together
  std::uint64_t entries = 0;
  std::uint64_t encrypted = 0;
  bool stop = false;
  std::optional<Error> failure;
  std::string password;  // the one that decrypted the archive (7z), if any
  std::vector<std::uint8_t> scratch{};  // one read chunk, reused for every entry

  // Reads the current entry's data into `out`, never past the allowance.
  DataEnd read_data(std::vector<std::uint8_t>& out, std::uint64_t declared, std::string& why) {
    const std::uint64_t cap = allowance.bytes - std::min(allowance.bytes, used);
    // The declared size is the attacker's claim: a hint for one allocation,
    // never more than the cap, never trusted as the end.
    out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>({declared, cap, kChunkSize * 16})));
    for (;;) {
      if (ctx.budget().expired()) return DataEnd::deadline;
      const std::uint64_t room = cap - out.size();
      if (room == 0) {
        // Full: one more byte tells a member that ends exactly at the cap from
        // one that goes on.
        std::array<std::uint8_t, 1> probe{};
        const la_ssize_t n = api.read_data(a, probe.data(), probe.size());
        if (n == 0) return DataEnd::complete;
        if (n > 0) return DataEnd::capped;
        why = error_text(api, a);
        return n == ARCHIVE_FATAL ? DataEnd::fatal : DataEnd::unreadable;
      }
      // Through one scratch chunk for the whole archive: growing each member's
      // buffer a chunk at a time zeroed 64 KiB per entry and kept it, which
      // for 50,000 one-byte entries was 3 GiB and most of the time.
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(room, kChunkSize));
      scratch.resize(kChunkSize);
      const la_ssize_t n = api.read_data(a, scratch.data(), want);
      if (n <= 0) {
        if (n == 0) return DataEnd::complete;
        why = error_text(api, a);
        return n == ARCHIVE_FATAL ? DataEnd::fatal : DataEnd::unreadable;
      }
      // libarchive never returns more than asked; checked anyway, it is C.
      const auto got = std::span(scratch).first(std::min(static_cast<std::size_t>(n), want));
      out.insert(out.end(), got.begin(), got.end());
    }
  }

  void check_path(std::optional<ArtifactId> on, const std::string& path) {
    const PathRisk risk = classify_path(path);
    const ArtifactId target = on.value_or(ctx.id());
    if (risk.absolute) {
      ctx.anomaly_on(target, "archive.absolute_path", Severity::medium, 0,
                     "entry path is absolute: an extractor that honours it writes outside "
                     "the destination: " + ctx.clean_name(path));
    }
    if (risk.traversal) {
      ctx.anomaly_on(target, "archive.path_traversal", Severity::medium, 0,
                     "entry path climbs out of the destination with '..': " + ctx.clean_name(path));
    }
  }

  void describe(ArtifactId child, struct archive_entry* e, bool is_encrypted) {
    if (const char* f = api.format_name(a)) ctx.meta_on(child, meta::archive::format, std::string(f));
    ctx.meta_on(child, meta::archive::mode, static_cast<std::int64_t>(api.entry_mode(e)));
    if (api.entry_mtime_is_set(e)) {
      ctx.meta_on(child, meta::archive::mtime, static_cast<std::int64_t>(api.entry_mtime(e)));
    }
    if (is_encrypted) ctx.meta_on(child, meta::archive::encrypted, true);
    if (!password.empty()) {
      // Decrypted by us before libarchive saw it (sevenzip_open.hpp).
      ctx.meta_on(child, meta::archive::encrypted, true);
      ctx.meta_on(child, meta::archive::password, password);
    }
  }

  std::vector<Name> names_for(const std::string& path) {
    if (is_raw_stream(type)) {
      // libarchive's raw format calls its one member "data": the real name is
      // the parent's, less the suffix, as gzip -d does it.
      std::string d = raw_stream_name(ctx.name(), type);
      if (d.empty()) return {};
      return {Name{"derived", ctx.clean_name(d)}};
    }
    if (path.empty()) return {};
    return {Name{"archive", ctx.clean_name(path)}};
  }

  void entry(struct archive_entry* e) {
    const std::string path = entry_path(api, e);
    // An ar archive's symbol index ("/" in GNU, "__.SYMDEF" in BSD ar) is the
    // linker's table, not a file anyone extracts; as a member it would read as
    // an absolute path.
    if (type == FileType::ar && (path == "/" || path.starts_with("__.SYMDEF"))) {
      ctx.meta(meta::ar::symbol_index, true);
      return;
    }
    const std::string locator = "entry[" + std::to_string(entries - 1) + "]";
    const auto ftype = api.entry_filetype(e);
    // 7z marks data and header encryption per entry; RAR too. libarchive 3.6
    // decrypts neither (only ZIP), so an encrypted entry gives no bytes.
    const bool is_encrypted = api.entry_is_encrypted(e) != 0;
    if (is_encrypted) ++encrypted;

    // An entry whose mode says directory, FIFO, device or socket but which
    // carries bytes: `7z a -si` writes a FIFO mode, and 7-Zip on Windows
    // ignores the mode and extracts an ordinary file. Read it as one.
    const bool special = ftype != AE_IFREG && ftype != 0 && ftype != AE_IFLNK;
    const bool carries_bytes = special && !is_encrypted && api.entry_size_is_set(e) != 0 &&
                               api.entry_size(e) > 0;
    if (ftype == AE_IFDIR && !carries_bytes) {
      check_path(std::nullopt, path);
      return;
    }
    if (ftype == AE_IFLNK) {
      auto child = ctx.emit_owned({}, locator, names_for(path));
      if (!child) { stop = true; return; }
      const std::string target = link_target(api.entry_symlink_utf8(e), api.entry_symlink(e));
      ctx.meta_on(*child, meta::archive::symlink_target, ctx.clean_name(target));
      ctx.anomaly_on(*child, "archive.symlink", Severity::low, 0,
                     "symbolic link to " + ctx.clean_name(target));
      describe(*child, e, is_encrypted);
      check_path(child, path);
      // A link target is a path an extractor follows: judged like a name.
      const PathRisk risk = classify_path(target);
      if (risk.absolute || risk.traversal) {
        ctx.anomaly_on(*child, "archive.path_traversal", Severity::medium, 0,
                       "symbolic link points outside the destination: " + ctx.clean_name(target));
      }
      return;
    }
    // Devices, FIFOs and sockets without data carry nothing a victim could open.
    if (special && !carries_bytes) {
      check_path(std::nullopt, path);
      return;
    }

    std::vector<std::uint8_t> out;
    std::string why;
    DataEnd end = DataEnd::complete;
    const bool sized = api.entry_size_is_set(e) != 0;
    const std::uint64_t declared = sized ? static_cast<std::uint64_t>(std::max<la_int64_t>(api.entry_size(e), 0)) : 0;
    if (!is_encrypted) end = read_data(out, declared, why);
    const std::uint64_t got = out.size();
    // A member that lied about its size must not keep the reservation.
    if (out.capacity() - out.size() > std::max<std::size_t>(4096, out.size() / 8)) out.shrink_to_fit();
    used += out.size();
    ctx.budget().charge_decoded(out.size());

    auto child = ctx.emit_owned(std::move(out), locator, names_for(path),
                                is_encrypted || end != DataEnd::complete);
    if (!child) { stop = true; return; }
    describe(*child, e, is_encrypted);
    if (carries_bytes) {
      ctx.anomaly_on(*child, "archive.entry_type_mismatch", Severity::medium, 0,
                     "a " + std::string(special_kind(ftype)) + " entry carries " +
                         std::to_string(api.entry_size(e)) +
                         " bytes; 7-Zip on Windows extracts it as an ordinary file");
    }
    if (const char* h = api.entry_hardlink_utf8(e) ? api.entry_hardlink_utf8(e)
                                                       : api.entry_hardlink(e)) {
      ctx.meta_on(*child, meta::archive::hardlink_target, ctx.clean_name(h));
    }
    check_path(child, path);
    if (is_encrypted) {
      ctx.anomaly_on(*child, "archive.encrypted", Severity::medium, 0,
                     "encrypted entry: its content cannot be inspected");
    }
    // libarchive reads a stored RAR member by its packed size, whatever the
    // header says it unpacks to: a reader that trusts the claim sees less or
    // allocates for more.
    if (end == DataEnd::complete && !is_encrypted && sized && declared != got && !carries_bytes) {
      ctx.anomaly_on(*child, "archive.size_mismatch", Severity::medium, 0,
                     "the entry says " + std::to_string(declared) + " bytes but holds " + std::to_string(got));
    }
    switch (end) {
      case DataEnd::complete: break;
      case DataEnd::capped:
        ctx.limit_hit(allowance.binding, "archive output stopped at " + std::to_string(used) +
                                             " bytes from " + std::to_string(ctx.bytes().size()) +
                                             " compressed");
        stop = true;
        break;
      case DataEnd::deadline:
        ctx.limit_hit(LimitKind::deadline, "archive decoding interrupted");
        stop = true;
        break;
      case DataEnd::unreadable:
        if (mentions_encryption(why)) {
          ctx.anomaly_on(*child, "archive.encrypted", Severity::medium, 0, ctx.clean_name(why));
          ctx.meta_on(*child, meta::archive::encrypted, true);
          ++encrypted;
        } else {
          ctx.anomaly_on(*child, "archive.unsupported", Severity::low, 0,
                         "libarchive cannot read this entry: " + ctx.clean_name(why));
        }
        break;
      case DataEnd::fatal:
        if (mentions_unsupported(why)) {
          ctx.anomaly_on(*child, "archive.unsupported", Severity::low, 0,
                         "libarchive cannot read this entry: " + ctx.clean_name(why));
          failure = Error{Errc::unsupported, 0, "archive not fully readable: " + ctx.clean_name(why)};
        } else {
          ctx.anomaly_on(*child, "archive.corrupt", Severity::low, 0,
                         "entry data is damaged: " + ctx.clean_name(why));
          failure = Error{Errc::malformed, 0, "archive data damaged: " + ctx.clean_name(why)};
        }
        stop = true;
        break;
    }
  }

  void header_failed() {
    const std::string why = error_text(api, a);
    if (mentions_encryption(why)) {
      // Encrypted headers (7z -mhe, RAR -hp): not even the names can be read.
      ++encrypted;
      ctx.anomaly("archive.encrypted", Severity::medium, 0,
                  "encrypted archive headers: " + ctx.clean_name(why));
      failure = Error{Errc::unsupported, 0, "encrypted archive: " + ctx.clean_name(why)};
    } else if (mentions_unsupported(why)) {
      // libarchive 3.6 lacks RAR solid/RAR 1.5 details, some 7z coders, ...
      ctx.anomaly("archive.unsupported", Severity::low, 0,
                  "libarchive stopped after " + std::to_string(entries) +
                      " entries: " + ctx.clean_name(why));
      failure = Error{Errc::unsupported, 0, "archive not fully readable: " + ctx.clean_name(why)};
    } else {
      ctx.anomaly("archive.corrupt", Severity::low, 0,
                  "libarchive stopped after " + std::to_string(entries) +
                      " entries: " + ctx.clean_name(why));
      failure = Error{Errc::malformed, 0,
                      "archive headers damaged: " + ctx.clean_name(why)};
    }
  }

  void run() {
    // ARCHIVE_FAILED on a header means "this entry is lost, the next may be
    // fine"; a run of them without progress is treated as fatal so a hostile
    // file cannot keep us spinning.
    int failed_in_a_row = 0;
    while (!stop) {
      if (ctx.budget().expired()) {
        ctx.limit_hit(LimitKind::deadline, "archive listing interrupted");
        break;
      }
      struct archive_entry* e = nullptr;
      const int rc = api.read_next_header(a, &e);
      if (rc == ARCHIVE_EOF) break;
      if (rc == ARCHIVE_FATAL || e == nullptr || (rc == ARCHIVE_FAILED && ++failed_in_a_row > 8)) {
        header_failed();
        break;
      }
      ++entries;
      if (rc == ARCHIVE_FAILED) {
        ctx.anomaly("archive.corrupt", Severity::low, 0,
                    "entry " + std::to_string(entries - 1) + " skipped: " + ctx.clean_name(error_text(api, a)));
        continue;
      }
      failed_in_a_row = 0;
      entry(e);
    }
  }
};

class ArchiveUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "archive"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    // Opened by the first archive (archive_api.hpp); in the parent, so a RAR 5
    // worker below inherits it.
    auto loaded = api_.get(ctx.budget().sandboxed() ? core::LibrarySearch::loaded_only : core::LibrarySearch::files);
    if (!loaded) {
      ctx.anomaly("archive.unsupported", Severity::low, 0,
                  "libarchive could not be loaded (" + loaded.error().what + "): nothing inside was read");
      return fail(Errc::unsupported, 0, "libarchive could not be loaded");
    }
    const ArchiveApi& api = **loaded;
    // libarchive 3.6.2's RAR5 reader can end the whole process ("Fatal
    // Internal Error in libarchive: No memory", an exit() inside the library)
    // on hostile input: reproduced with the libarchive corpus's rar5 fuzz cases
    // scanned in sequence. One crafted attachment must not stop the scanner,
    // so RAR 5 is read in a worker process whose death is a finding
    // (docs/adr/0006). In a sandboxed scan worker (docs/adr/0011) the whole
    // scan is that process already, and its filter forbids fork.
    if (!ctx.budget().sandboxed() && ctx.type() == FileType::rar &&
        ctx.bytes().starts_with(std::string_view("Rar!\x1A\x07\x01\x00", 8))) {
      if (rar5::uses_encryption(ctx.bytes())) {
        // The password search is Sluice's own reader, not libarchive's: it
        // runs here, where the engine remembers what it concluded (ADR 0038),
        // and only what libarchive reads goes to the forked process.
        const std::vector<std::string> candidates = ctx.password_candidates();
        rar5::OpenOutcome r = search_rar5(ctx, candidates);
        // Closed headers leave libarchive nothing to read: no process for that.
        if (!r.opened && r.encrypted_headers) return finish_rar5(api, ctx, std::move(r), candidates.size());
        return core::unpack_isolated(
            ctx, [&api, &r, n = candidates.size()](core::UnpackContext& c) { return finish_rar5(api, c, std::move(r), n); });
      }
      return core::unpack_isolated(ctx, [&api](core::UnpackContext& c) { return unpack_here(api, c); });
    }
    return unpack_here(api, ctx);
  }

 private:
  core::LazyTable<ArchiveApi> api_;  // loaded by the first archive

  static Status unpack_here(const ArchiveApi& api, core::UnpackContext& ctx) {
    const ByteView in = ctx.bytes();
    if (ctx.type() == FileType::sevenzip && sevenzip::uses_aes(in)) return unpack_encrypted_7z(api, ctx);
    // A 7z whose next header lies past its end is not readable, and libarchive
    // 3.6 still sizes buffers from what that header claims (a fuzzed 278-byte
    // file asked malloc for 18 GB): it is not handed over.
    if (ctx.type() == FileType::sevenzip) {
      if (auto sig = sevenzip::parse_signature_header(in);
          sig && (sig->next_offset > in.size() || sig->next_size > in.size() ||
                  32 + sig->next_offset + sig->next_size > in.size())) {
        ctx.anomaly("archive.corrupt", Severity::low, 12,
                    "7z next header (" + std::to_string(sig->next_size) + " bytes at " +
                        std::to_string(32 + sig->next_offset) + ") lies past the end of the file");
        return fail(Errc::malformed, 12, "7z next header past the end");
      }
    }
    if (ctx.type() == FileType::rar && rar5::uses_encryption(in)) return unpack_encrypted_rar5(api, ctx);
    if (ctx.type() == FileType::rar && rar3::uses_encryption(in)) return unpack_encrypted_rar3(api, ctx);
    if (ctx.type() == FileType::rar && rar_is_volume(in)) {
      ctx.anomaly("archive.volume_part", Severity::low, 0,
                  "one volume of a multi-volume RAR set: members that continue into other "
                  "volumes cannot be read from this part alone");
    }
    return read_archive(api, ctx, in, {});
  }

  // What any password search reports (7z and RAR alike), then the archive
  // it opened, or the closed one.
  struct Search {
    std::uint32_t tried = 0;
    std::size_t candidates = 0;
    bool encrypted_headers = false, candidates_capped = false, rounds_capped = false, deadline = false;
    bool opened = false;
    std::string password, problem;
    std::vector<std::uint8_t> archive;
    std::string_view headers_text;  // why encrypted headers matter, in the format's words
    std::string_view round_unit;     // "SHA-256 rounds", "PBKDF2 rounds"
  };

  static Status finish_search(const ArchiveApi& api, core::UnpackContext& ctx, Search r) {
    ctx.meta(meta::archive::passwords_tried, static_cast<std::int64_t>(r.tried));
    if (r.encrypted_headers) {
      ctx.meta(meta::archive::encrypted_headers, true);
      ctx.anomaly("archive.encrypted_headers", Severity::medium, 0, std::string(r.headers_text));
    }
    if (r.candidates_capped) {
      ctx.limit_hit(LimitKind::password_candidates,
                    std::to_string(r.tried) + " of " + std::to_string(r.candidates) +
                        " candidate passwords tried on this archive");
    }
    if (r.rounds_capped) {
      ctx.limit_hit(LimitKind::key_derivation,
                    "key derivation stopped after " + std::to_string(r.tried) + " candidate passwords (" +
                        std::to_string(ctx.budget().key_rounds()) + " " + std::string(r.round_unit) +
                        " in this message)");
    }
    if (r.deadline) ctx.limit_hit(LimitKind::deadline, "password search interrupted");
    if (!r.problem.empty()) ctx.meta(meta::archive::decryption_problem, ctx.clean_name(r.problem));
    if (r.opened) {
      if (!r.password.empty()) ctx.meta(meta::archive::password, r.password);
      const std::vector<std::uint8_t> plain = std::move(r.archive);
      return read_archive(api, ctx, ByteView(plain.data(), plain.size()), r.password);
    }
    if (r.encrypted_headers) {
      ctx.meta(meta::archive::encrypted, true);
      ctx.anomaly("archive.encrypted", Severity::medium, 0,
                  "encrypted archive headers and no candidate password opened them: nothing inside was scanned");
      return {};
    }
    return read_archive(api, ctx, ctx.bytes(), {});
  }

  // An AES 7z: the message's passwords are tried (bounded by
  // max_password_candidates and max_key_derivation_rounds); the one that
  // opens it gives a plain 7z that libarchive reads (docs/adr/0013).
  static Status unpack_encrypted_7z(const ArchiveApi& api, core::UnpackContext& ctx) {
    const std::vector<std::string> candidates = ctx.password_candidates();
    const Memo memo = Memo::of(ctx, "7z", candidates);
    if (const auto seen = memo.find()) {
      return finish_search(api, ctx, recall(ctx, *seen, candidates.size(), k7zHeadersText, k7zRoundUnit));
    }
    const std::uint64_t before = ctx.budget().key_rounds();
    sevenzip::OpenOptions opts;
    opts.max_candidates = ctx.limits().max_password_candidates;
    opts.max_header_bytes = std::min<std::uint64_t>(opts.max_header_bytes, ctx.limits().max_artifact_bytes);
    opts.verify_rewrite = [&api, max = opts.trial_bytes](ByteView rewritten) {
      return first_file_decodes(api, rewritten, max);
    };
    sevenzip::OpenOutcome r = sevenzip::open_encrypted(ctx.bytes(), candidates, ctx.budget(), opts);
    if (!r.opened && !r.deadline) {
      memo.remember(closed(r, ctx.budget().key_rounds() - before));
    }
    return finish_search(api, ctx, {r.tried, candidates.size(), r.encrypted_headers, r.candidates_capped, r.rounds_capped,
                               r.deadline, r.opened, std::move(r.password), std::move(r.problem), std::move(r.archive),
                               k7zHeadersText, k7zRoundUnit});
  }

  static constexpr std::string_view k7zHeadersText =
      "the 7z header is encrypted (7z -mhe=on): without the password not even the file names can be read";
  static constexpr std::string_view k7zRoundUnit = "SHA-256 rounds";
  static constexpr std::string_view kRarHeadersText =
      "the RAR headers are encrypted (rar -hp): without the password not even the file names can be read";

  // This search's place in the engine's memory (core/search_memo.hpp), or
  // none (a bare context, a forked reader's).
  struct Memo {
    core::SearchMemo* memo = nullptr;
    core::SearchKey key{};

    static Memo of(core::UnpackContext& ctx, std::string_view kind, std::span<const std::string> candidates) {
      core::SearchMemo* m = ctx.search_memo();
      if (m == nullptr) return {};
      return {m, core::search_key(kind, ctx.content_sha256(), ctx.bytes().size(), candidates, ctx.limits(),
                                  ctx.budget().key_rounds_left())};
    }
    [[nodiscard]] std::optional<core::ClosedSearch> find() const {
      return memo != nullptr ? memo->find(key) : std::nullopt;
    }
    void remember(core::ClosedSearch conclusion) const {
      if (memo != nullptr) memo->remember(key, std::move(conclusion));
    }
  };

  // What a 7z or RAR search that opened nothing concluded, for the memory.
  template <class Outcome>
  static core::ClosedSearch closed(const Outcome& r, std::uint64_t rounds_taken) {
    return {r.tried, r.encrypted_data, r.encrypted_headers, r.candidates_capped, r.rounds_capped, r.problem,
            rounds_taken};
  }

  // A search concluded before on the same bytes, candidates, limits and
  // rounds left: the same rounds are taken from this scan's budget (a cap
  // later in the message falls where it fell) and the same findings follow.
  static Search recall(core::UnpackContext& ctx, const core::ClosedSearch& seen, std::size_t candidates,
                       std::string_view headers_text, std::string_view round_unit) {
    (void)ctx.budget().take_key_rounds(seen.rounds_taken);
    return {seen.tried, candidates, seen.encrypted_headers, seen.candidates_capped, seen.rounds_capped, false, false,
            {}, seen.problem, {}, headers_text, round_unit};
  }

  // An encrypted RAR 5 (rar -p, -hp): the same search, with RAR's password
  // check value rejecting wrong candidates before any decryption (docs/adr/0018).
  static Status unpack_encrypted_rar5(const ArchiveApi& api, core::UnpackContext& ctx) {
    const std::vector<std::string> candidates = ctx.password_candidates();
    return finish_rar5(api, ctx, search_rar5(ctx, candidates), candidates.size());
  }

  // What the search concluded, remembered or found now; nothing is read by
  // libarchive yet.
  static rar5::OpenOutcome search_rar5(core::UnpackContext& ctx, const std::vector<std::string>& candidates) {
    const Memo memo = Memo::of(ctx, "rar5", candidates);
    if (const auto seen = memo.find()) {
      (void)ctx.budget().take_key_rounds(seen->rounds_taken);
      rar5::OpenOutcome r;
      r.encrypted_data = seen->encrypted_data;
      r.encrypted_headers = seen->encrypted_headers;
      r.tried = seen->tried;
      r.candidates_capped = seen->candidates_capped;
      r.rounds_capped = seen->rounds_capped;
      r.problem = seen->problem;
      return r;
    }
    const std::uint64_t before = ctx.budget().key_rounds();
    rar5::OpenOptions opts;
    opts.max_candidates = ctx.limits().max_password_candidates;
    opts.max_headers = ctx.limits().max_children + 16;
    rar5::OpenOutcome r = rar5::open_encrypted(ctx.bytes(), candidates, ctx.budget(), opts);
    if (!r.opened) {
      memo.remember(closed(r, ctx.budget().key_rounds() - before));
    }
    return r;
  }

  static Status finish_rar5(const ArchiveApi& api, core::UnpackContext& ctx, rar5::OpenOutcome r,
                            std::size_t candidates) {
    // libarchive 3.6's RAR 5 reader does not flag encrypted entries (it reads
    // the ciphertext as compressed data): the archive itself says so.
    if (!r.opened && r.encrypted_data) ctx.meta(meta::archive::encrypted, true);
    return finish_search(api, ctx, {r.tried, candidates, r.encrypted_headers, r.candidates_capped, r.rounds_capped,
                               false, r.opened, std::move(r.password), std::move(r.problem), std::move(r.archive),
                               kRarHeadersText, kRar5RoundUnit});
  }

  static constexpr std::string_view kRar5RoundUnit = "PBKDF2 rounds";
  static constexpr std::string_view kRar3RoundUnit = "SHA-1 key iterations";

  // A RAR 3/4 search's end (RAR 5's OpenOutcome type; no deadline stops
  // it, so every closed one is remembered).
  static Status finish_rar3(const ArchiveApi& api, core::UnpackContext& ctx, rar5::OpenOutcome r,
                            std::size_t candidates, const Memo& memo, std::uint64_t rounds_before) {
    if (!r.opened) {
      memo.remember(closed(r, ctx.budget().key_rounds() - rounds_before));
    }
    return finish_search(api, ctx, {r.tried, candidates, r.encrypted_headers, r.candidates_capped, r.rounds_capped,
                               false, r.opened, std::move(r.password), std::move(r.problem), std::move(r.archive),
                               kRarHeadersText, kRar3RoundUnit});
  }

  // An encrypted RAR 3/4 (rar -p, -hp with RAR 2.9 to 6): no check value, so
  // a candidate is proven by a header CRC or by the first encrypted file's
  // CRC32 after decoding (docs/adr/0020).
  static Status unpack_encrypted_rar3(const ArchiveApi& api, core::UnpackContext& ctx) {
    const std::vector<std::string> candidates = ctx.password_candidates();
    const Memo memo = Memo::of(ctx, "rar3", candidates);
    if (const auto seen = memo.find()) {
      return finish_search(api, ctx, recall(ctx, *seen, candidates.size(), kRarHeadersText, kRar3RoundUnit));
    }
    const std::uint64_t before = ctx.budget().key_rounds();
    rar3::OpenOptions opts;
    opts.max_candidates = ctx.limits().max_password_candidates;
    opts.max_blocks = ctx.limits().max_children + 16;
    opts.verify = [&api, max = std::min<std::uint64_t>(ctx.limits().max_artifact_bytes, 64u << 20)](
                      ByteView a, std::size_t entry, std::uint32_t crc) {
      return entry_crc_matches(api, a, FileType::rar, entry, crc, max);
    };
    return finish_rar3(api, ctx, rar3::open_encrypted(ctx.bytes(), candidates, ctx.budget(), opts),
                       candidates.size(), memo, before);
  }

  static Status read_archive(const ArchiveApi& api, core::UnpackContext& ctx, ByteView in,
                             const std::string& password) {
    auto opened = open_reader(api, in, ctx.type());
    if (!opened) {
      if (opened.error().code == Errc::malformed) {
        ctx.anomaly("archive.corrupt", Severity::low, 0,
                    "libarchive cannot open it: " + ctx.clean_name(opened.error().what));
      } else if (opened.error().code == Errc::unsupported) {
        ctx.anomaly("archive.unsupported", Severity::low, 0, opened.error().what);
      }
      return std::unexpected(opened.error());
    }
    Session s{api, ctx, opened->get(), ctx.type(), ctx.budget().decode_allowance(in.size()),
              0, 0, 0, false, std::nullopt, password};
    s.run();
    if (const char* f = api.format_name(s.a)) ctx.meta(meta::archive::format, std::string(f));
    if (std::string filters = filter_names(api, s.a); !filters.empty()) ctx.meta(meta::archive::filters, filters);
    ctx.meta(meta::archive::entries, static_cast<std::int64_t>(s.entries));
    if (s.encrypted > 0) ctx.meta(meta::archive::encrypted_entries, static_cast<std::int64_t>(s.encrypted));
    if (s.failure) return std::unexpected(*s.failure);
    return {};
  }

  static constexpr std::array kTypes{FileType::sevenzip, FileType::rar,  FileType::cab,
                                     FileType::tar,      FileType::arj,  FileType::cpio,
                                     FileType::lha,      FileType::ar,    FileType::bzip2,
                                     FileType::xz,       FileType::zstd,  FileType::lzma};
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<ArchiveUnpacker>()); }

}  // namespace sluice::formats::archive
