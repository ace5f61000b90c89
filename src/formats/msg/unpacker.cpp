// Outlook .msg → the message's subject and sender as the same "mail.*" meta the
// MIME unpacker sets, its bodies (text, HTML, decompressed RTF) and attachments
// as children. Embedded messages are read in this same pass from a worklist
// (see README.md: a sub-storage has no bytes of its own to hand to the engine),
// their parts emitted as children with a locator that keeps the nesting.
#include <algorithm>
#include <array>
#include <bit>

#include "core/text.hpp"
#include "core/unpacker.hpp"
#include "codecs/cfb/cfb.hpp"
#include "formats/msg/message.hpp"
#include "codecs/mapi/layout.hpp"
#include "codecs/text/addresses.hpp"
#include "codecs/mapi/lzfu.hpp"
#include "codecs/mapi/names.hpp"
#include "meta/mime.hpp"
#include "meta/msg.hpp"

namespace sluice::formats::msg {

using codecs::cfb::CompoundFile;
using codecs::cfb::StreamBytes;
namespace {

namespace t = codecs::mapi;

// PidTagSenderSmtpAddress: Exchange senders have an X.500 PidTagSenderEmailAddress.
constexpr std::uint16_t kPrSenderSmtp = 0x5D01;
constexpr std::uint16_t kPrSentRepresentingName = 0x0042;

class MsgUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "msg"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    auto parsed = parse(ctx.bytes(), ctx.budget());
    if (!parsed) return std::unexpected(parsed.error());
    MsgFile& file = parsed->model;
    std::vector<Anomaly>& issues = parsed->anomalies;
    // Levels of embedding this artifact may still add under the engine's depth limit.
    const std::uint32_t max_nesting = ctx.limits().max_depth > ctx.depth() ? ctx.limits().max_depth - ctx.depth() : 0;
    bool ok = true;
    bool out_of_time = file.deadline;
    for (const MsgNode& n : file.messages) {
      if (!ok) break;
      if (n.depth >= max_nesting) continue;  // its embedding was reported below
      if (ctx.budget().expired()) {
        out_of_time = true;
        break;
      }
      ok = emit_message(ctx, file.cfb, n.message, n, issues);
      for (std::size_t i = 0; i < n.message.attachments.size() && ok; ++i) {
        if (n.message.attachments[i].embedded && n.depth + 1 >= max_nesting) {
          ctx.limit_hit(LimitKind::depth, "message embedded " + std::to_string(n.depth + 1) + " deep in an .msg");
        }
      }
    }
    if (out_of_time) ctx.limit_hit(LimitKind::deadline, "the scan's time ran out inside an .msg");
    core::report_anomalies(ctx, issues);
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::outlook_msg};


  // A property's string value: PT_UNICODE is UTF-16LE, PT_STRING8 is the
  // sender's code page (kept as Latin-1 so no byte is lost).
  static std::string read_string(CompoundFile& cfb, const PropStream& p, std::uint64_t cap,
                                 std::vector<Anomaly>& issues) {
    const StreamBytes sb = cfb.read(p.entry, cap, issues);
    if (p.type == t::kPtUnicode) return core::utf16_to_utf8(sb.bytes(), std::endian::little, core::Utf16Stop::at_nul);
    std::string_view s = sb.bytes().chars();
    if (const auto nul = s.find('\0'); nul != std::string_view::npos) s = s.substr(0, nul);
    return core::latin1_to_utf8(s);
  }

  static std::string string_prop(core::UnpackContext& ctx, CompoundFile& cfb, const std::vector<PropStream>& props,
                                 std::uint16_t id, std::vector<Anomaly>& issues) {
    const PropStream* p = find(props, id);
    if (p == nullptr || (p->type != t::kPtUnicode && p->type != t::kPtString8)) return {};
    return ctx.clean_name(read_string(cfb, *p, 4ull * ctx.limits().max_name_length, issues));
  }

  // A stream cannot hold more than the file: a larger declared size is the
  // chain's to disprove (cfb.chain_invalid), not a reason to hit a byte limit.
  static std::uint64_t stream_size(core::UnpackContext& ctx, const CompoundFile& cfb, std::uint32_t entry) {
    return std::min<std::uint64_t>(cfb.entries()[entry].size, ctx.bytes().size());
  }

  // A stream as a child: a view when contiguous, else an owned copy charged to the budget.
  static std::optional<ArtifactId> emit_stream(core::UnpackContext& ctx, CompoundFile& cfb, std::uint32_t entry,
                                               std::string locator, std::vector<Name> names,
                                               std::vector<Anomaly>& issues) {
    const std::uint64_t size = stream_size(ctx, cfb, entry);
    bool capped = false;
    const std::uint64_t allowed = ctx.bounded_size(size, ctx.bytes().size(), "stream " + locator, capped);
    StreamBytes sb = cfb.read(entry, allowed, issues);
    if (sb.is_view) return ctx.emit(sb.view, std::move(locator), std::move(names));
    ctx.budget().charge_decoded(sb.owned.size());
    return ctx.emit_owned(std::move(sb.owned), std::move(locator), std::move(names), capped || sb.short_chain);
  }

  static bool emit_text(core::UnpackContext& ctx, CompoundFile& cfb, const PropStream& p, std::string locator,
                        std::string name, std::vector<Anomaly>& issues) {
    if (p.type != t::kPtUnicode) {
      return emit_stream(ctx, cfb, p.entry, std::move(locator), {Name{"msg.body", std::move(name)}}, issues)
          .has_value();
    }
    // UTF-16 bodies become UTF-8 so the text sniffer, the password harvester and
    // the lure lexicon read them.
    const std::uint64_t size = stream_size(ctx, cfb, p.entry);
    bool capped = false;
    const std::uint64_t allowed = ctx.bounded_size(size, ctx.bytes().size(), "body " + locator, capped);
    const StreamBytes sb = cfb.read(p.entry, allowed, issues);
    std::string utf8 = core::utf16_to_utf8(sb.bytes(), std::endian::little, core::Utf16Stop::at_nul);
    ctx.budget().charge_decoded(utf8.size());
    std::vector<std::uint8_t> buf(utf8.begin(), utf8.end());
    return ctx.emit_owned(std::move(buf), std::move(locator), {Name{"msg.body", std::move(name)}}, capped)
        .has_value();
  }

  static bool emit_rtf(core::UnpackContext& ctx, CompoundFile& cfb, const PropStream& p, const std::string& path,
                       std::vector<Anomaly>& issues) {
    const std::uint64_t size = stream_size(ctx, cfb, p.entry);
    bool capped = false;
    const std::uint64_t allowed = ctx.bounded_size(size, ctx.bytes().size(), "compressed RTF stream", capped);
    const StreamBytes sb = cfb.read(p.entry, allowed, issues);
    const auto allowance = ctx.budget().decode_allowance(sb.bytes().size());
    auto out = t::lzfu_decompress(sb.bytes(), allowance.bytes);
    if (!out) {
      ctx.anomaly("msg.rtf_corrupt", Severity::low, 0, "compressed RTF: " + out.error().what);
      return true;
    }
    if (out->capped) {
      ctx.limit_hit(allowance.binding, "compressed RTF of " + std::to_string(out->raw_size) +
                                           " bytes decoded only to " + std::to_string(out->bytes.size()));
    }
    if (!out->crc_ok || out->short_input) {
      ctx.anomaly("msg.rtf_corrupt", Severity::low, 0,
                  !out->crc_ok ? "compressed RTF CRC does not match its data"
                               : "compressed RTF ends before its declared size");
    }
    ctx.budget().charge_decoded(out->bytes.size());
    const bool truncated = out->capped || out->short_input || capped;
    return ctx.emit_owned(std::move(out->bytes), path + "rtf", {Name{"msg.body", "body.rtf"}}, truncated).has_value();
  }

  static bool emit_message(core::UnpackContext& ctx, CompoundFile& cfb, const MsgMessage& m, const MsgNode& w,
                           std::vector<Anomaly>& issues) {
    const std::string subject = string_prop(ctx, cfb, m.props, t::kPrSubject, issues);
    std::string email = string_prop(ctx, cfb, m.props, kPrSenderSmtp, issues);
    if (email.empty()) email = string_prop(ctx, cfb, m.props, t::kPrSenderEmail, issues);
    std::string sender = string_prop(ctx, cfb, m.props, t::kPrSenderName, issues);
    if (sender.empty()) sender = string_prop(ctx, cfb, m.props, kPrSentRepresentingName, issues);
    const std::string from = sender.empty() ? email : email.empty() ? sender : sender + " <" + email + ">";
    const std::string cls = string_prop(ctx, cfb, m.props, t::kPrMessageClass, issues);
    // The file's own message speaks through the artifact's meta, as an .eml's
    // headers do; an embedded one through its body child (below).
    std::vector<Meta> meta;
    if (!subject.empty()) meta.push_back(meta::mail::subject(subject));
    if (!from.empty()) meta.push_back(meta::mail::from(codecs::text::read_addresses(from, codecs::text::AddressForm::one)));
    if (!cls.empty()) meta.push_back(meta::msg::message_class(cls));
    if (w.depth == 0) {
      for (Meta& x : meta) ctx.record(std::move(x));
    }
    if (const PropStream* b = find(m.props, t::kPrBody); b && (b->type == t::kPtUnicode || b->type == t::kPtString8)) {
      if (!emit_text(ctx, cfb, *b, w.path + "body", "body.txt", issues)) return false;
    }
    if (const PropStream* h = find(m.props, t::kPrBodyHtml)) {
      if (!emit_text(ctx, cfb, *h, w.path + "html", "body.html", issues)) return false;
    }
    if (const PropStream* r = find(m.props, t::kPrRtfCompressed); r && r->type == t::kPtBinary) {
      if (!emit_rtf(ctx, cfb, *r, w.path, issues)) return false;
    }
    for (std::size_t i = 0; i < m.attachments.size(); ++i) {
      if (ctx.budget().expired()) return true;  // the worklist loop reports it
      const MsgAttachment& a = m.attachments[i];
      std::vector<Name> names;
      auto add = [&](std::string_view view, std::uint16_t id) {
        std::string v = string_prop(ctx, cfb, a.props, id, issues);
        if (v.empty()) return;
        for (const Name& n : names) {
          if (n.value == v) return;
        }
        names.push_back(Name{std::string(view), std::move(v)});
      };
      add("msg.long_filename", t::kPrAttachLongFilename);
      add("msg.filename", t::kPrAttachFilename);
      add("msg.display_name", t::kPrDisplayName);
      if (const std::string c = t::name_conflict(names); !c.empty()) {
        ctx.anomaly("msg.name_conflict", Severity::medium, 0,
                    w.path + "attachment " + std::to_string(i) + " has conflicting names: " + c);
      }
      if (!a.data) continue;  // embedded messages are on the worklist; OLE storages have no bytes
      const std::string locator = w.path + "attachment[" + std::to_string(i) + "]";
      auto child = emit_stream(ctx, cfb, *a.data, locator, std::move(names), issues);
      if (!child) return false;
      const std::string mime = string_prop(ctx, cfb, a.props, t::kPrAttachMimeTag, issues);
      if (!mime.empty()) ctx.meta_on(*child, meta::msg::mime_tag, mime);
      // An embedded message's subject stays visible next to what it carried.
      if (w.depth > 0 && !subject.empty()) ctx.meta_on(*child, meta::msg::embedded_subject, subject);
    }
    return true;
  }
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<MsgUnpacker>()); }

}  // namespace sluice::formats::msg
