// PDF → its embedded files (name tree, file attachment annotations, and any
// EmbeddedFile stream nobody points at), its scripts as children, and its
// actions as facts: JavaScript, Launch (a command line), URI (a link the links
// detector weighs), GoToR/GoToE/ImportData/SubmitForm (remote files). Every
// revision is read: a file an incremental update dropped is still found, and
// said to be hidden. Encrypted PDFs are opened with the message's passwords.
#include "core/unpacker.hpp"

#include <array>
#include <optional>
#include <set>

#include "core/hash.hpp"
#include "core/text.hpp"
#include "formats/pdf/document.hpp"
#include "formats/pdf/pdf_api.hpp"
#include "formats/pdf/revisions.hpp"
#include "meta/ioc.hpp"
#include "meta/pdf.hpp"

namespace sluice::formats::pdf {
namespace {

std::string snippet(std::string_view s, std::size_t n = 160) {
  std::string out = core::to_valid_utf8(s.substr(0, n));
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return s.size() > n ? out + "…" : out;
}

bool looks_like_url(std::string_view s) {
  const std::string l = core::ascii_lower(s.substr(0, 8));
  return l.starts_with("http://") || l.starts_with("https://") || l.starts_with("ftp://") || l.starts_with("\\\\") ||
         l.starts_with("file:");
}

class PdfUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "pdf"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    auto loaded = reader_.get(ctx.budget().sandboxed() ? core::LibrarySearch::loaded_only : core::LibrarySearch::files);
    if (!loaded) {
      ctx.anomaly("pdf.unreadable", Severity::low, 0,
                  "the PDF reader (QPDF) could not be loaded: " + ctx.clean_name(loaded.error().what));
      return std::unexpected(Error{Errc::unsupported, 0, loaded.error().what});
    }
    const auto read_document = (*loaded)->read_document;
    const ByteView all = ctx.bytes();
    // The whole file first (what a reader shows), then each earlier revision,
    // newest first, as far as the limit allows.
    std::vector<std::uint64_t> ends = revision_ends(all);
    // The last %%EOF, with nothing but line ends or padding after it, is the
    // whole file's.
    while (!ends.empty() && all.tail(ends.back()).chars().find_first_not_of(std::string_view("\r\n \t\0", 5)) ==
                                std::string_view::npos) {
      ends.pop_back();
    }
    // Files are told apart across revisions by hash; one revision needs no hashing.
    State st{ctx, {}, {}, !ends.empty()};
    ReadOptions opt;
    opt.allowance = [&ctx](std::uint64_t encoded) { return ctx.budget().decode_allowance(encoded).bytes; };
    opt.expired = [&ctx] { return ctx.budget().expired(); };
    // Harvested once, when a revision first needs them.
    std::optional<std::vector<std::string>> candidates;
    std::size_t harvested = 0;
    opt.passwords = [&]() -> const std::vector<std::string>& {
      if (!candidates) {
        candidates = ctx.password_candidates();
        harvested = candidates->size();
        candidates->resize(std::min<std::size_t>(harvested, ctx.limits().max_password_candidates));
      }
      return *candidates;
    };

    Document latest;
    std::string error;
    const ReadOutcome outcome = read_document(all.data(), all.size(), opt, latest, error);
    if (outcome == ReadOutcome::deadline) {
      ctx.limit_hit(LimitKind::deadline, error);
      return {};
    }
    if (outcome == ReadOutcome::encrypted) {
      ctx.anomaly("pdf.encrypted_unopened", Severity::medium, 0,
                  "the PDF is encrypted with an open password; none of " + std::to_string(latest.passwords_tried) +
                      " candidates from the message opens it");
      if (candidates && harvested > candidates->size()) {
        ctx.limit_hit(LimitKind::password_candidates, std::to_string(harvested) + " candidates for a PDF");
      }
      return {};
    }
    if (outcome == ReadOutcome::unreadable) {
      // Mail is full of cut and mangled PDFs that readers still show: QPDF
      // giving up, even after rebuilding the cross-reference table, is a fact,
      // not a lie (an attacker's PDF must open for its victim).
      ctx.anomaly("pdf.unreadable", Severity::low, 0, error);
      return {};
    }
    if (latest.encrypted) ctx.meta(meta::pdf::encrypted, true);
    if (!latest.password.empty()) ctx.meta(meta::pdf::password, latest.password);
    if (latest.warnings > 0) ctx.meta(meta::pdf::repairs, static_cast<std::int64_t>(latest.warnings));
    if (!take(st, std::move(latest), false)) return {};

    const std::size_t max_rev = ctx.limits().max_document_revisions;
    ctx.meta(meta::pdf::revisions, static_cast<std::int64_t>(ends.size() + 1));
    std::size_t read = 0;
    for (auto it = ends.rbegin(); it != ends.rend(); ++it) {
      if (read == max_rev) {
        ctx.limit_hit(LimitKind::document_revisions, std::to_string(ends.size() + 1) + " revisions in a PDF; " +
                                                         std::to_string(max_rev + 1) + " read");
        break;
      }
      if (ctx.budget().expired()) {
        ctx.limit_hit(LimitKind::deadline, "the scan's time ran out reading a PDF's earlier revisions");
        break;
      }
      ++read;
      Document older;
      // A revision QPDF cannot open on its own hides nothing it can show.
      if (read_document(all.data(), static_cast<std::size_t>(*it), opt, older, error) != ReadOutcome::ok) continue;
      if (!take(st, std::move(older), true)) break;
    }
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::pdf};

  core::LazyTable<PdfApi> reader_;  // loaded by the first PDF

  struct State {
    core::UnpackContext& ctx;
    std::set<std::array<std::uint8_t, 32>> files_seen;
    std::set<std::string> actions_seen;
    bool dedupe = false;
    std::size_t files = 0, scripts = 0;
  };

  // False when the tree refuses more children.
  static bool take(State& st, Document&& doc, bool earlier) {
    core::UnpackContext& ctx = st.ctx;
    if (doc.deadline) ctx.limit_hit(LimitKind::deadline, "the scan's time ran out inside a PDF");
    for (EmbeddedFile& f : doc.files) {
      if (st.dedupe &&
          !st.files_seen.insert(core::compute_hashes(ByteView(f.data.data(), f.data.size()), kSha256Only).sha256).second) {
        continue;
      }
      if (!emit_file(st, std::move(f), earlier)) return false;
    }
    for (Action& a : doc.actions) {
      if (!st.actions_seen.insert(a.kind + '\n' + a.target).second) continue;
      if (!action(st, std::move(a), earlier)) return false;
    }
    return true;
  }

  static bool emit_file(State& st, EmbeddedFile&& f, bool earlier) {
    core::UnpackContext& ctx = st.ctx;
    const std::string locator = "attachment[" + std::to_string(st.files++) + "]";
    std::vector<Name> names;
    const std::string name = ctx.clean_name(f.name);
    if (!name.empty()) names.push_back({"pdf.attachment", name});
    if (!f.other_name.empty()) {
      const std::string other = ctx.clean_name(f.other_name);
      names.push_back({"pdf.attachment_f", other});
      if (core::extensions_differ(name, other)) {
        ctx.anomaly(
            "pdf.attachment_name_mismatch", Severity::medium, 0,
            locator + " is \"" + name + "\" to readers that use /UF and \"" + other + "\" to those that use /F");
      }
    }
    if (!f.named) {
      ctx.anomaly("pdf.orphan_embedded_file", Severity::low, 0,
                  locator + " (object " + f.key + ") is an embedded file no file specification points at");
    }
    if (earlier) {
      ctx.anomaly("pdf.revision_hidden_file", Severity::medium, 0,
                  locator + (name.empty() ? std::string() : " \"" + name + "\"") +
                      " is in an earlier revision of the PDF; a later "
                      "incremental update dropped or replaced it");
    }
    if (f.decode_failed) {
      ctx.anomaly("pdf.stream_corrupt", Severity::low, 0,
                  locator + "'s stream does not decode (kept as far as it did)");
    }
    if (f.capped) {
      ctx.limit_hit(ctx.budget().decode_allowance(f.data.size()).binding,
                    "PDF " + locator + " decoded only to " + std::to_string(f.data.size()) + " bytes");
    }
    if (f.declared_size != 0 && !f.capped && !f.decode_failed && f.declared_size != f.data.size()) {
      ctx.anomaly("pdf.attachment_size_mismatch", Severity::low, 0,
                  locator + " declares " + std::to_string(f.declared_size) + " bytes and holds " +
                      std::to_string(f.data.size()));
    }
    ctx.budget().charge_decoded(f.data.size());
    auto child = ctx.emit_owned(std::move(f.data), locator, std::move(names), f.capped || f.decode_failed);
    if (!child) return false;
    if (!f.description.empty()) ctx.meta_on(*child, meta::pdf::attachment_description, ctx.clean_name(f.description));
    if (!f.subtype.empty()) ctx.meta_on(*child, meta::pdf::mime_type, ctx.clean_name(f.subtype));
    return true;
  }

  static bool action(State& st, Action&& a, bool earlier) {
    core::UnpackContext& ctx = st.ctx;
    const std::string where = "object " + a.where + (earlier ? " of an earlier revision" : "");
    if (a.kind == "JavaScript") {
      ctx.anomaly("pdf.javascript", Severity::medium, 0, "JavaScript in " + where + ": " + snippet(a.target));
      if (a.target.empty()) return true;
      ctx.budget().charge_decoded(a.target.size());
      std::vector<std::uint8_t> bytes(a.target.begin(), a.target.end());
      return ctx.emit_owned(std::move(bytes), "javascript[" + std::to_string(st.scripts++) + "]", {}).has_value();
    }
    if (a.kind == "Launch") {
      ctx.anomaly("pdf.launch_action", Severity::high, 0,
                  "Launch action in " + where + (a.target.empty() ? std::string() : ": " + snippet(a.target)));
      return true;
    }
    if (a.target.empty()) return true;
    if (a.kind == "URI") {
      ctx.meta(meta::ioc::url, core::to_valid_utf8(a.target.substr(0, 4096)));
      return true;
    }
    // GoToR, GoToE, ImportData, SubmitForm: a file or address outside the PDF.
    ctx.anomaly("pdf.external_action", Severity::low, 0, a.kind + " action in " + where + ": " + snippet(a.target));
    if (looks_like_url(a.target)) ctx.meta(meta::ioc::url, core::to_valid_utf8(a.target.substr(0, 4096)));
    return true;
  }
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<PdfUnpacker>()); }

}  // namespace sluice::formats::pdf
