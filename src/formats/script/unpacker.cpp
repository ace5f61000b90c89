// Script text → the language it is read as (`script.language`, judged by
// analysis/scripts), URLs (`ioc.url`), file references
// (`script.references`) and children: decoded Script Encoder blocks, the text
// of `powershell -EncodedCommand`, base64 payloads, and the <script> blocks of
// HTA and WSF files. Children are sniffed and unpacked again by the engine.
#include <array>
#include <optional>

#include "core/sniff.hpp"
#include "core/text.hpp"
#include "core/unpacker.hpp"
#include "codecs/text/decode.hpp"
#include "formats/script/blobs.hpp"
#include "formats/script/embedded.hpp"
#include "formats/script/screnc.hpp"
#include "formats/script/squeeze.hpp"
#include "formats/script/strings.hpp"
#include "formats/script/text.hpp"
#include "meta/ioc.hpp"
#include "meta/script.hpp"

namespace sluice::formats::script {
namespace {

// A base64 run shorter than this is a key, a hash or an identifier, not a
// payload: 64 characters decode to 48 bytes, less than any PE header.
constexpr std::size_t kMinBlob = 64;
// An -EncodedCommand argument as short as "IEX $x" (16 characters) counts.
constexpr std::size_t kMinCommand = 16;

// A decoded child the sniffer will not call a script (a short PowerShell
// command, a decoded VBE without WSH idioms) is still script text: it is read
// here, once, in the language its origin implies, instead of being lost as
// "text". This
// in-place pass does not itself go in place again, so hostile nesting cannot
// recurse; nested payloads still reach the engine's worklist as children.
enum class InPlace : std::uint8_t { allowed, not_again };

class Analyser {
 public:
  explicit Analyser(core::UnpackContext& ctx) : ctx_(ctx) {}

  void run(ArtifactId target, std::string_view text, FileType type, InPlace in_place) {
    // HTA and WSF: what runs is in the <script> blocks, which become children
    // and carry their own indicators (and encoded blocks). The markup is read
    // as a whole only when it has no block (event-handler attributes); the
    // blocks' URLs and names are theirs, reported once.
    const bool markup = type == FileType::script_hta || type == FileType::script_wsf;
    const bool blocks = markup && script_blocks(target, text, in_place) > 0;
    if (blocks) return;
    // The fact detectors judge the text by: analysis/scripts reads it again as
    // this language (the HTA/WSF markup with blocks above is not script text).
    ctx_.meta_on(target, meta::script::language, std::string(to_string(type)));
    ObfuscationCounts ignored;
    const std::string cased = squeeze(text, ignored, false);
    const std::size_t max_items = ctx_.limits().max_children;
    const std::size_t max_len = ctx_.limits().max_name_length;
    for (auto& url : find_urls(cased, max_items, max_len)) ctx_.meta_on(target, meta::ioc::url, std::move(url));
    for (auto& ref : find_file_references(cased, max_items, max_len)) {
      ctx_.meta_on(target, meta::script::references, std::move(ref));
    }
    if (text.find("#@~^") != std::string_view::npos) encoded_blocks(target, text, in_place);
    base64_runs(target, text, in_place);
  }

  // Where a child's bytes start in the artifact, when `text` is the
  // artifact's own bytes (not UTF-16 decoded): then blocks are views.
  void set_view_base(std::optional<ByteView> base, std::uint64_t skip) {
    view_base_ = base;
    view_skip_ = skip;
  }

 private:
  void encoded_blocks(ArtifactId target, std::string_view text, InPlace in_place) {
    bool capped = false;
    const std::uint64_t cap = ctx_.bounded_size(text.size(), text.size(), "decoded VBE/JSE script", capped);
    auto blocks = decode_encoded_blocks(text, ctx_.limits().max_children, cap);
    if (blocks.empty()) return;
    ctx_.anomaly_on(target, "script.encoded", Severity::medium, blocks.front().begin,
                    std::to_string(blocks.size()) + " Script Encoder block(s) (VBE/JSE): the text is hidden from reading");
    std::size_t n = 0;
    for (auto& b : blocks) {
      ctx_.budget().charge_decoded(b.decoded.size());
      if (!b.length_valid || !b.terminated) {
        ctx_.anomaly_on(target, "script.encoded_malformed", Severity::medium, b.begin,
                        !b.length_valid ? "the encoded block's length field is not base64 of a length"
                                        : "the encoded block does not end where its length says (truncated or edited)");
      } else if (b.checksum_present && !b.checksum_ok && !b.capped) {
        ctx_.anomaly_on(target, "script.encoded_bad_checksum", Severity::medium, b.begin,
                        "the encoded block's checksum does not match its decoded text: Windows refuses to run it, "
                        "so it was altered after encoding");
      }
      const bool truncated = b.capped || !b.terminated;
      emit_text_child(std::move(b.decoded), "encoded[" + std::to_string(n++) + "]", FileType::script_vbs, in_place,
                      truncated);
    }
  }

  // Returns how many blocks were found.
  std::size_t script_blocks(ArtifactId target, std::string_view text, InPlace in_place) {
    std::size_t n = 0;
    const auto found = find_script_blocks(text, ctx_.limits().max_children);
    for (const auto& b : found) {
      if (!b.src.empty()) ctx_.meta_on(target, meta::script::references, ctx_.clean_name(b.src));
      if (b.length == 0) continue;
      const std::string locator = "script[" + std::to_string(n++) + "]";
      if (view_base_) {
        auto view = view_base_->subview(view_skip_ + b.offset, b.length);
        if (!view) continue;
        emit_view_child(*view, locator, b.type, in_place);
      } else {
        bool capped = false;
        const std::uint64_t size = ctx_.bounded_size(b.length, b.length, "script block", capped);
        const std::string_view body = text.substr(b.offset, size);
        ctx_.budget().charge_decoded(body.size());
        emit_text_child(std::vector<std::uint8_t>(body.begin(), body.end()), locator, b.type, in_place, capped);
        if (capped) break;  // the budget is spent: one limit hit, not one per block
      }
    }
    return found.size();
  }

  void base64_runs(ArtifactId target, std::string_view text, InPlace in_place) {
    std::size_t n = 0;
    for (const auto& run : find_base64_runs(text, kMinBlob, kMinCommand, ctx_.limits().max_children)) {
      const ByteView encoded = ByteView::of(text.substr(run.offset, run.length));
      bool capped = false;
      const std::uint64_t cap = ctx_.bounded_size(run.length / 4 * 3 + 3, run.length, "base64 in a script", capped);
      std::vector<std::uint8_t> out;
      codecs::text::DecodeStats stats;
      codecs::text::decode_base64(encoded, out, cap, stats);
      ctx_.budget().charge_decoded(out.size());
      if (run.encoded_command) {
        const std::string command = utf16le_text(ByteView(out.data(), out.size()));
        if (!mostly_ascii(out)) continue;  // not UTF-16 text: some other "-e" switch
        ctx_.anomaly_on(target, "script.powershell_encoded_command", Severity::high, run.offset,
                        "powershell -EncodedCommand: " + core::truncate_utf8(command, 160));
        ctx_.budget().charge_decoded(command.size());
        emit_text_child(std::vector<std::uint8_t>(command.begin(), command.end()),
                        "encoded-command[" + std::to_string(n++) + "]", FileType::script_ps1, in_place, capped);
        if (capped) break;  // the budget is spent: one limit hit, not one per run
        continue;
      }
      const FileType got = core::sniff(ByteView(out.data(), out.size()));
      if (got == FileType::unknown) {  // noise that happens to be base64 alphabet
        if (capped) break;
        continue;
      }
      if (got != FileType::text) {
        ctx_.anomaly_on(target, "script.embedded_payload", is_executable(got) ? Severity::high : Severity::medium,
                        run.offset,
                        "a base64 string in the script decodes to " + std::string(info(got).description));
      }
      emit_text_child(std::move(out), "base64[" + std::to_string(n++) + "]", FileType::text, in_place, capped);
      if (capped) break;
    }
  }

  static bool mostly_ascii(const std::vector<std::uint8_t>& utf16) {
    if (utf16.size() < 2) return false;
    std::size_t zero_high = 0;
    for (std::size_t i = 1; i < utf16.size(); i += 2) zero_high += utf16[i] == 0 ? 1 : 0;
    return zero_high * 10 >= (utf16.size() / 2) * 9;
  }

  void emit_text_child(std::vector<std::uint8_t>&& bytes, std::string locator, FileType language, InPlace in_place,
                       bool truncated) {
    // The tree adopts the vector's buffer without a copy, so this view of it
    // stays valid for the rest of the scan.
    const ByteView view(bytes.data(), bytes.size());
    const auto child = ctx_.emit_owned(std::move(bytes), std::move(locator), {}, truncated);
    if (child) analyse_child_in_place(*child, view, language, in_place);
  }

  void emit_view_child(ByteView view, std::string locator, FileType language, InPlace in_place) {
    const auto child = ctx_.emit(view, std::move(locator), {});
    if (child) analyse_child_in_place(*child, view, language, in_place);
  }

  void analyse_child_in_place(ArtifactId child, ByteView view, FileType language, InPlace in_place) {
    if (in_place == InPlace::not_again || language == FileType::text) return;
    const FileType sniffed = core::sniff(view);
    if (sniffed != FileType::text) return;  // the engine unpacks it as what it is
    const ScriptText st = normalise(view);
    Analyser inner(ctx_);
    inner.run(child, st.view(), language, InPlace::not_again);
  }

  core::UnpackContext& ctx_;
  std::optional<ByteView> view_base_;
  std::uint64_t view_skip_ = 0;
};

class ScriptUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "script"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    const ByteView bytes = ctx.bytes();
    const ScriptText st = normalise(bytes);
    if (st.encoding != Encoding::bytes) ctx.meta(meta::script::encoding, std::string(to_string(st.encoding)));
    if (st.encoding == Encoding::utf16le || st.encoding == Encoding::utf16be) {
      bool capped = false;
      // The UTF-8 copy is working memory the size of the script: charge it.
      (void)ctx.bounded_size(st.decoded.size(), bytes.size(), "UTF-16 script text", capped);
      ctx.budget().charge_decoded(st.decoded.size());
    }
    Analyser a(ctx);
    if (st.encoding == Encoding::bytes) a.set_view_base(bytes, 0);
    if (st.encoding == Encoding::utf8_bom) a.set_view_base(bytes, 3);
    a.run(ctx.id(), st.view(), ctx.type(), InPlace::allowed);
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::script_js,  FileType::script_vbs, FileType::script_hta,
                                     FileType::script_bat, FileType::script_ps1, FileType::script_wsf,
                                     FileType::script_encoded, FileType::vba};
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<ScriptUnpacker>()); }

}  // namespace sluice::formats::script
