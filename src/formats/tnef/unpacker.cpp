// TNEF → attachments (views into the stream), the message body (text, HTML and
// decompressed RTF) as children, subject and sender as the same "mail.*" meta the
// MIME unpacker sets, and every structural lie as an anomaly.
#include <array>
#include <bit>

#include "core/text.hpp"
#include "codecs/text/addresses.hpp"
#include "core/unpacker.hpp"
#include "codecs/mapi/lzfu.hpp"
#include "codecs/mapi/names.hpp"
#include "formats/tnef/parser.hpp"
#include "meta/mime.hpp"
#include "meta/tnef.hpp"

namespace sluice::formats::tnef {

using codecs::mapi::lzfu_decompress;
using codecs::mapi::name_conflict;
namespace {

std::vector<Name> names_of(core::UnpackContext& ctx, const Attachment& a) {
  // The long filename is what Outlook shows and saves under; the others stay
  // for comparison (a title claiming .pdf over a long name ending .exe).
  const std::array<std::pair<std::string_view, const std::string*>, 5> sources{{
      {"tnef.long_filename", &a.long_filename},
      {"tnef.filename", &a.filename},
      {"tnef.title", &a.title},
      {"tnef.transport_filename", &a.transport_filename},
      {"tnef.display_name", &a.display_name},
  }};
  std::vector<Name> names;
  for (const auto& [view, value] : sources) {
    if (value->empty()) continue;
    std::string clean = ctx.clean_name(*value);
    bool seen = false;
    for (const Name& n : names) seen = seen || n.value == clean;
    if (!seen) names.push_back(Name{std::string(view), std::move(clean)});
  }
  return names;
}

class TnefUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "tnef"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    auto parsed = parse(ctx.bytes(), ctx.limits());
    if (!parsed) return std::unexpected(parsed.error());
    const Message& m = parsed->model;
    ctx.meta(meta::tnef::key, static_cast<std::int64_t>(m.key));
    ctx.meta(meta::tnef::attributes, static_cast<std::int64_t>(m.attributes));
    if (!m.message_class.empty()) ctx.meta(meta::tnef::message_class, m.message_class);
    if (!m.subject.empty()) ctx.meta(meta::mail::subject, m.subject);
    if (!m.sender_email.empty() || !m.sender_name.empty()) {
      std::string from = m.sender_name.empty()    ? m.sender_email
                         : m.sender_email.empty() ? m.sender_name
                                                  : m.sender_name + " <" + m.sender_email + ">";
      ctx.meta(meta::mail::from, codecs::text::read_addresses(std::move(from), codecs::text::AddressForm::one));
    }
    for (const Anomaly& is : parsed->anomalies) ctx.anomaly(is.id, is.severity, is.offset, is.message);

    if (!emit_text(ctx, m.body, "body", "body.txt")) return {};
    if (!emit_text(ctx, m.html, "html", "body.html")) return {};
    if (!m.rtf_compressed.empty() && !emit_rtf(ctx, m)) return {};

    for (std::size_t i = 0; i < m.attachments.size(); ++i) {
      const Attachment& a = m.attachments[i];
      std::vector<Name> names = names_of(ctx, a);
      if (const std::string c = name_conflict(names); !c.empty()) {
        ctx.anomaly("tnef.name_conflict", Severity::medium, a.offset,
                    "attachment " + std::to_string(i) + " has conflicting names: " + c);
      }
      const std::string locator = "attachment[" + std::to_string(i) + "]";
      if (a.has_data) {
        auto child = ctx.emit(a.data, locator, names);
        if (!child) return {};
        describe(ctx, *child, a);
        if (a.data_truncated) ctx.meta_on(*child, meta::tnef::truncated, true);
      }
      if (a.has_object) {
        auto child = ctx.emit(a.object, locator + ".object", std::move(names));
        if (!child) return {};
        describe(ctx, *child, a);
        ctx.meta_on(*child, a.embedded_message ? meta::tnef::embedded_message : meta::tnef::ole_object, true);
      }
    }
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::tnef};

  static void describe(core::UnpackContext& ctx, ArtifactId child, const Attachment& a) {
    if (!a.mime_tag.empty()) ctx.meta_on(child, meta::tnef::mime_tag, a.mime_tag);
    if (a.method >= 0) ctx.meta_on(child, meta::tnef::attach_method, a.method);
  }

  // 8-bit bodies are views; UTF-16 ones are decoded to UTF-8 so the text
  // sniffer, the password harvester and the lure lexicon read them.
  static bool emit_text(core::UnpackContext& ctx, const Text& t, std::string locator, std::string name) {
    if (!t.present()) return true;
    if (!t.utf16) {
      ByteView v = t.bytes;
      if (const auto nul = v.chars().find('\0'); nul != std::string_view::npos) v = v.clamp(0, nul);
      return ctx.emit(v, std::move(locator), {Name{"tnef.body", std::move(name)}}).has_value();
    }
    bool capped = false;
    const std::uint64_t allowed = ctx.bounded_size(t.bytes.size() / 2 * 3, t.bytes.size(), "UTF-16 body", capped);
    std::string utf8 = core::utf16_to_utf8(t.bytes, std::endian::little, core::Utf16Stop::at_nul);
    if (utf8.size() > allowed) utf8 = core::truncate_utf8(std::move(utf8), allowed);
    ctx.budget().charge_decoded(utf8.size());
    std::vector<std::uint8_t> buf(utf8.begin(), utf8.end());
    return ctx.emit_owned(std::move(buf), std::move(locator), {Name{"tnef.body", std::move(name)}}, capped)
        .has_value();
  }

  static bool emit_rtf(core::UnpackContext& ctx, const Message& m) {
    const ByteView in = m.rtf_compressed;
    const auto allowance = ctx.budget().decode_allowance(in.size());
    auto out = lzfu_decompress(in, allowance.bytes);
    if (!out) {
      ctx.anomaly("tnef.rtf_corrupt", Severity::low, m.rtf_offset, "compressed RTF: " + out.error().what);
      return true;
    }
    if (out->capped) {
      ctx.limit_hit(allowance.binding, "compressed RTF of " + std::to_string(out->raw_size) +
                                           " bytes decoded only to " + std::to_string(out->bytes.size()));
    }
    if (!out->crc_ok || out->short_input) {
      ctx.anomaly("tnef.rtf_corrupt", Severity::low, m.rtf_offset,
                  !out->crc_ok ? "compressed RTF CRC does not match its data"
                               : "compressed RTF ends before its declared size");
    }
    ctx.budget().charge_decoded(out->bytes.size());
    const bool truncated = out->capped || out->short_input;
    return ctx.emit_owned(std::move(out->bytes), "rtf", {Name{"tnef.body", "body.rtf"}}, truncated).has_value();
  }
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<TnefUnpacker>()); }

}  // namespace sluice::formats::tnef
