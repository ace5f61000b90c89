// Names built to make the victim misread what they are about to open:
// "invoice.pdf.exe" (Explorer hides the real extension), "invoice pdf.exe",
// "invoice.pdf<40 spaces>.exe" (the real extension scrolled out of view),
// RTLO ("invoice\u202Efdp.exe" renders as "invoiceexe.pdf"), invisible
// characters, and an extension that contradicts the content (an EXE or an ISO
// called .pdf). Every name from every view is judged: the view the victim sees
// decides, but a trick in any view is the attacker's intent.
#include <array>
#include <string>

#include "analysis/detector.hpp"
#include "analysis/names/extensions.hpp"
#include "core/text.hpp"
#include "meta/office.hpp"

namespace sluice::analysis::names {
namespace {

struct Special {
  char32_t cp;
  std::string_view label;
  bool bidi;
};
constexpr std::array<Special, 16> kSpecials{{
    {0x202E, "RIGHT-TO-LEFT OVERRIDE", true},  {0x202D, "LEFT-TO-RIGHT OVERRIDE", true},
    {0x202B, "RIGHT-TO-LEFT EMBEDDING", true}, {0x202A, "LEFT-TO-RIGHT EMBEDDING", true},
    {0x202C, "POP DIRECTIONAL FORMATTING", true}, {0x2066, "LEFT-TO-RIGHT ISOLATE", true},
    {0x2067, "RIGHT-TO-LEFT ISOLATE", true},   {0x2068, "FIRST STRONG ISOLATE", true},
    {0x2069, "POP DIRECTIONAL ISOLATE", true}, {0x200E, "LEFT-TO-RIGHT MARK", true},
    {0x200F, "RIGHT-TO-LEFT MARK", true},      {0x200B, "ZERO WIDTH SPACE", false},
    {0x200C, "ZERO WIDTH NON-JOINER", false},  {0x200D, "ZERO WIDTH JOINER", false},
    {0x2060, "WORD JOINER", false},            {0xFEFF, "ZERO WIDTH NO-BREAK SPACE", false},
}};

// Decodes code points; a malformed sequence yields U+FFFD and moves one byte,
// so a name that skipped cleaning can still not run the loop past the end.
template <class F>
void for_each_code_point(std::string_view s, F&& f) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
    char32_t cp = len == 4 ? (b & 0x07u) : len == 3 ? (b & 0x0Fu) : len == 2 ? (b & 0x1Fu) : b;
    bool ok = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      ok = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    f(ok ? cp : char32_t{0xFFFD});
    i += ok ? len : 1;
  }
}

std::string base_name(std::string_view name) {
  const auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  if (const auto semi = name.rfind(';'); semi != std::string_view::npos) name = name.substr(0, semi);
  return std::string(name);
}

// The extension-like word before the real extension: "x.pdf.exe" → "pdf",
// "x pdf.exe" / "x_pdf.exe" → "pdf" (the dotless variant), padded runs skipped.
std::string decoy_extension(const std::string& base, std::size_t& pad_run) {
  const auto dot = base.rfind('.');
  pad_run = 0;
  if (dot == std::string::npos || dot == 0) return {};
  std::size_t end = dot;
  while (end > 0 && (base[end - 1] == ' ' || base[end - 1] == '_' || base[end - 1] == '.' ||
                     base[end - 1] == '\t')) {
    --end;
    ++pad_run;
  }
  std::size_t start = end;
  while (start > 0 && base[start - 1] != '.' && base[start - 1] != ' ' && base[start - 1] != '_' &&
         base[start - 1] != '-') {
    --start;
  }
  if (start == 0 || end - start > 5 || end == start) return {};
  return core::ascii_lower(base.substr(start, end - start));
}

bool content_is(TypeClass cls, const Artifact& a) { return info(a.type).cls == cls; }

class NameTricks final : public Detector {
 public:
  std::string_view name() const noexcept override { return "names"; }

  void inspect(const ArtifactTree& tree, FindingSink& sink) const override {
    for (const Artifact& a : tree) {
      // The root's name is the analyst's file name, not the attacker's claim.
      if (a.parent == kNoArtifact) continue;
      bool bidi = false, invisible = false, dbl = false, padded = false, mismatch = false;
      for (const Name& n : a.names) {
        const std::string base = base_name(n.value);
        if (!bidi || !invisible) special_characters(a, n, sink, bidi, invisible);
        const std::string ext = last_extension(base);
        const Claim claim = claim_of(ext);
        std::size_t pad = 0;
        const std::string decoy = decoy_extension(base, pad);
        const Claim decoy_claim = claim_of(decoy);
        const bool runs = claim == Claim::executable || is_executable(a.type);
        if (!dbl && runs && decoy_claim != Claim::none && decoy_claim != Claim::executable &&
            decoy_claim != Claim::other) {
          dbl = true;
          sink.add("name.double_extension", Severity::high, a.id,
                   "\"" + base + "\" shows ." + decoy + " but is ." + ext,
                   {{"name", n.value}, {"view", n.view}, {"decoy", decoy}, {"extension", ext}});
        }
        if (!padded && pad >= 4) {
          padded = true;
          sink.add("name.padded_extension", Severity::medium, a.id,
                   std::to_string(pad) + " padding characters push the real extension ." + ext +
                       " out of sight",
                   {{"name", n.value}, {"view", n.view}, {"padding", std::to_string(pad)}});
        }
        if (!mismatch) mismatch = extension_mismatch(a, n, ext, claim, sink);
      }
    }
  }

 private:
  static void special_characters(const Artifact& a, const Name& n, FindingSink& sink, bool& bidi,
                                 bool& invisible) {
    for_each_code_point(n.value, [&](char32_t cp) {
      for (const Special& s : kSpecials) {
        if (s.cp != cp) continue;
        char hex[16];
        std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(cp));
        if (s.bidi && !bidi) {
          bidi = true;
          sink.add("name.bidi_control", Severity::high, a.id,
                   std::string(s.label) + " (" + hex + ") reorders how the name is displayed",
                   {{"name", n.value}, {"view", n.view}, {"character", hex}});
        } else if (!s.bidi && !invisible) {
          invisible = true;
          sink.add("name.invisible_character", Severity::medium, a.id,
                   std::string(s.label) + " (" + hex + ") hidden in the name",
                   {{"name", n.value}, {"view", n.view}, {"character", hex}});
        }
      }
    });
  }

  static bool extension_mismatch(const Artifact& a, const Name& n, const std::string& ext,
                                 Claim claim, FindingSink& sink) {
    const bool doc_like = claim == Claim::document || claim == Claim::image;
    if (doc_like && content_is(TypeClass::executable, a)) {
      sink.add("name.executable_disguised", Severity::high, a.id,
               "named ." + ext + " (" + std::string(to_string(claim)) + ") but the content is a " +
                   std::string(info(a.type).description),
               {{"name", n.value}, {"view", n.view}, {"content", std::string(to_string(a.type))}});
      return true;
    }
    if ((doc_like || claim == Claim::archive) && content_is(TypeClass::disk_image, a)) {
      sink.add("name.image_disguised", Severity::medium, a.id,
               "named ." + ext + " but the content is a " + std::string(info(a.type).description),
               {{"name", n.value}, {"view", n.view}, {"content", std::string(to_string(a.type))}});
      return true;
    }
    // An Office document under another name: a macro workbook called
    // "photo.jpg", a .docm called .doc, an OLE2 Word file called .pdf.
    const std::string app = a.meta_string(meta::office::application);
    const std::string container = a.meta_string(meta::office::container);
    // Judged on the name the reader sees: an ISO 9660 8.3 name ("INVOICE_.DOC")
    // beside the Joliet one is the image's shorthand, not a claim.
    if ((doc_like || claim == Claim::archive) && !app.empty() && &n == &a.names.front()) {
      const OfficeClaim oc = office_claim_of(ext);
      if (oc.application != app || oc.container != container) {
        sink.add("name.document_disguised", Severity::medium, a.id,
                 "named ." + ext + " but the content is " + (container == "ooxml" ? "an OOXML " : "a binary ") + app +
                     " document" + (a.meta_flag(meta::office::macro_enabled) ? " (macro-enabled)" : ""),
                 {{"name", n.value}, {"view", n.view}, {"application", app}, {"container", container}});
        return true;
      }
    }
    return false;
  }
};

}  // namespace

Status register_detector(Detectors& d, const Config&) {
  d.push_back(std::make_unique<NameTricks>());
  return {};
}

}  // namespace sluice::analysis::names
