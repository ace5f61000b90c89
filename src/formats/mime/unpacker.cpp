// email / mbox → children. One message: every leaf MIME part becomes a child
// "part[N]" (decoded from its transfer encoding; a view when it was not
// encoded), uuencoded blocks hidden in text become "part[N].uu[K]", embedded
// message/rfc822 parts are emitted so the engine scans them as email again.
// An mbox: every message a child "message[N]". Text parts get their readable
// UTF-8 text (body_text.cpp); complete message/partial sets are reassembled
// into a child "partial[K]" of the mbox or message that holds all fragments.
#include <array>
#include <cstring>

#include "core/sniff.hpp"
#include "core/text.hpp"
#include "core/unpacker.hpp"
#include "formats/mime/body_text.hpp"
#include "codecs/text/addresses.hpp"
#include "codecs/text/decode.hpp"
#include "formats/mime/layout.hpp"
#include "formats/mime/mbox.hpp"
#include "formats/mime/parser.hpp"
#include "formats/mime/partial.hpp"
#include "meta/mime.hpp"

namespace sluice::formats::mime {

using codecs::text::DecodeStats;
using codecs::text::Rfc2047Result;
using codecs::text::decode_base64;
using codecs::text::decode_quoted_printable;
using codecs::text::decode_rfc2047;
using codecs::text::decode_uu;
using codecs::text::find_uu_blocks;
namespace {

bool identity_encoding(std::string_view cte) {
  return cte.empty() || cte == "7bit" || cte == "8bit" || cte == "binary";
}
bool uu_encoding(std::string_view cte) {
  return cte == "x-uuencode" || cte == "uuencode" || cte == "x-uue" || cte == "uue";
}

struct TypeRule {
  std::string_view declared;
  std::array<FileType, 3> allowed;
};
// Declared types whose content is checkable by magic. Office "doc" is often
// RTF in disguise from benign tools too, so RTF is allowed there.
constexpr TypeRule kTypeRules[] = {
    {"application/pdf", {FileType::pdf, FileType::pdf, FileType::pdf}},
    {"application/zip", {FileType::zip, FileType::zip, FileType::zip}},
    {"application/x-zip-compressed", {FileType::zip, FileType::zip, FileType::zip}},
    {"application/gzip", {FileType::gzip, FileType::gzip, FileType::gzip}},
    {"application/x-gzip", {FileType::gzip, FileType::gzip, FileType::gzip}},
    {"application/x-rar-compressed", {FileType::rar, FileType::rar, FileType::rar}},
    {"application/vnd.rar", {FileType::rar, FileType::rar, FileType::rar}},
    {"application/x-7z-compressed", {FileType::sevenzip, FileType::sevenzip, FileType::sevenzip}},
    {"application/x-iso9660-image", {FileType::iso9660, FileType::udf, FileType::udf}},
    {"image/png", {FileType::png, FileType::png, FileType::png}},
    {"image/jpeg", {FileType::jpeg, FileType::jpeg, FileType::jpeg}},
    {"image/jpg", {FileType::jpeg, FileType::jpeg, FileType::jpeg}},
    {"image/pjpeg", {FileType::jpeg, FileType::jpeg, FileType::jpeg}},
    {"image/gif", {FileType::gif, FileType::gif, FileType::gif}},
    {"application/msword", {FileType::ole2, FileType::rtf, FileType::zip}},
    {"application/vnd.ms-excel", {FileType::ole2, FileType::zip, FileType::zip}},
    {"application/vnd.ms-powerpoint", {FileType::ole2, FileType::zip, FileType::zip}},
    {"application/rtf", {FileType::rtf, FileType::rtf, FileType::rtf}},
    {"text/rtf", {FileType::rtf, FileType::rtf, FileType::rtf}},
    {"application/vnd.ms-outlook", {FileType::outlook_msg, FileType::ole2, FileType::ole2}},
    {"application/ms-tnef", {FileType::tnef, FileType::tnef, FileType::tnef}},
    {"application/vnd.ms-tnef", {FileType::tnef, FileType::tnef, FileType::tnef}},
};

constexpr std::string_view kExecutableTypes[] = {
    "application/octet-stream",   "application/x-msdownload",        "application/x-dosexec",
    "application/x-msdos-program", "application/x-executable",        "application/x-ms-dos-executable",
    "application/vnd.microsoft.portable-executable", "application/x-sh", "application/javascript",
    "application/x-javascript", "text/javascript", "application/hta", "text/vbscript",
    "application/x-bat", "application/x-shellscript",
};

// What the declared Content-Type claims versus what the bytes are.
std::string type_conflict(std::string_view declared, FileType sniffed) {
  if (sniffed == FileType::unknown || sniffed == FileType::text) return {};
  const bool exec = is_executable(sniffed);
  if (exec) {
    for (auto t : kExecutableTypes) {
      if (declared == t) return {};
    }
    return "declared " + std::string(declared) + " but the content is an executable (" +
           std::string(to_string(sniffed)) + ")";
  }
  if (declared.starts_with("text/")) {
    const TypeClass c = info(sniffed).cls;
    if (c == TypeClass::archive || c == TypeClass::disk_image) {
      return "declared " + std::string(declared) + " but the content is " + std::string(to_string(sniffed));
    }
    return {};
  }
  // An encrypted OOXML document is a compound file (MS-OFFCRYPTO): Office
  // writes it so under the same content type.
  if (declared.starts_with("application/vnd.openxmlformats") && sniffed != FileType::zip &&
      sniffed != FileType::ole2) {
    return "declared " + std::string(declared) + " but the content is " + std::string(to_string(sniffed));
  }
  for (const auto& r : kTypeRules) {
    if (r.declared != declared) continue;
    for (FileType a : r.allowed) {
      if (a == sniffed) return {};
    }
    return "declared " + std::string(declared) + " but the content is " + std::string(to_string(sniffed));
  }
  return {};
}

struct Decoded {
  std::vector<std::uint8_t> bytes;
  bool owned = false;
  bool truncated = false;
};

class MimeUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "mime"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    if (ctx.type() == FileType::mbox) return unpack_mbox(ctx);
    return unpack_message(ctx);
  }

 private:
  static constexpr std::array kTypes{FileType::email, FileType::mbox};

  static Status unpack_mbox(core::UnpackContext& ctx) {
    const MboxSplit sp = split_mbox(ctx.bytes(), ctx.limits().max_children);
    ctx.meta(meta::mbox::messages, static_cast<std::int64_t>(sp.messages.size()));
    if (sp.leading_junk > 0) {
      ctx.anomaly("mbox.leading_data", Severity::low, 0,
                  std::to_string(sp.leading_junk) + " bytes before the first \"From \" line");
    }
    std::size_t n = 0;
    std::vector<Fragment> fragments;
    for (const auto& m : sp.messages) {
      ++n;
      auto child = ctx.emit(m.bytes, "message[" + std::to_string(n) + "]", {});
      if (!child) return {};
      ctx.meta_on(*child, meta::mbox::from_line, m.from_line);
      Fragment f;
      if (message_fragment(m.bytes, f)) fragments.push_back(std::move(f));
    }
    if (sp.limited) {
      ctx.limit_hit(LimitKind::children,
                    "more than " + std::to_string(ctx.limits().max_children) + " messages in an mbox");
    }
    reassemble(ctx, fragments);
    return {};
  }

  // Every fragment of a set in this input, joined in number order into the
  // message they carry, which the engine then scans as email.
  static void reassemble(core::UnpackContext& ctx, const std::vector<Fragment>& fragments) {
    if (fragments.empty()) return;
    std::size_t k = 0;
    for (const PartialSet& set : group_fragments(fragments, ctx.limits().max_children)) {
      if (!set.complete) continue;
      const std::uint64_t size = joined_size(fragments, set);
      bool capped = false;
      const std::uint64_t room =
          ctx.bounded_size(size, size, "message/partial '" + set.id.substr(0, 64) + "'", capped);
      std::vector<std::uint8_t> whole = join_fragments(fragments, set, room);
      ctx.budget().charge_decoded(whole.size());
      auto child = ctx.emit_owned(std::move(whole), "partial[" + std::to_string(++k) + "]", {}, capped);
      if (!child) return;
      ctx.meta_on(*child, meta::mime::partial_id, set.id);
      ctx.meta_on(*child, meta::mime::partial_total, static_cast<std::int64_t>(set.total));
    }
  }

  static void header_meta(core::UnpackContext& ctx, const ParsedMessage& pm) {
    if (const HeaderField* f = find_field(pm.headers, "subject")) {
      const Rfc2047Result r = decode_rfc2047(f->value);
      ctx.meta(meta::mail::subject, r.text);
      if (r.malformed) {
        ctx.anomaly("mime.rfc2047_malformed", Severity::low, f->offset,
                    "a broken RFC 2047 encoded word in Subject");
      }
    }
    for (const auto& mh : kMetaHeaders) {
      if (const HeaderField* f = find_field(pm.headers, mh.header)) {
        std::string text = decode_rfc2047(f->value).text;
        if (mh.form == HeaderForm::text) {
          ctx.meta(mh.key, std::move(text));
        } else {
          ctx.meta(mh.addresses, codecs::text::read_addresses(std::move(text), mh.form == HeaderForm::mailbox
                                                                                   ? codecs::text::AddressForm::one
                                                                                   : codecs::text::AddressForm::list));
        }
      }
    }
    // Every Received field, newest first as written: the sending
    // infrastructure (the first hop outside the receiving site) is a campaign
    // fingerprint (src/campaigns). Bounded: a forged trace can be thousands long.
    std::size_t received = 0;
    for (const HeaderField& f : pm.headers.fields) {
      if (!f.named("received")) continue;
      if (++received > kMaxReceivedMeta) break;
      ctx.meta(meta::mail::received, std::string(f.value.substr(0, kMaxReceivedLength)));
    }
  }

  static Decoded decode(core::UnpackContext& ctx, const Leaf& leaf, DecodeStats& st) {
    Decoded d;
    if (identity_encoding(leaf.cte) || (!leaf.cte.empty() && leaf.cte != "base64" &&
                                        leaf.cte != "quoted-printable" && !uu_encoding(leaf.cte))) {
      return d;
    }
    const auto allowance = ctx.budget().decode_allowance(leaf.body.size());
    d.owned = true;
    if (leaf.cte == "base64") {
      d.bytes.reserve(std::min<std::uint64_t>(leaf.body.size() / 4 * 3 + 3, allowance.bytes));
      decode_base64(leaf.body, d.bytes, allowance.bytes, st);
    } else if (leaf.cte == "quoted-printable") {
      d.bytes.reserve(std::min<std::uint64_t>(leaf.body.size(), allowance.bytes));
      decode_quoted_printable(leaf.body, d.bytes, allowance.bytes, st);
    } else {
      const auto blocks = find_uu_blocks(leaf.body, 1);
      if (blocks.empty()) {
        d.owned = false;  // nothing to decode: Python keeps the raw payload too
        return d;
      }
      decode_uu(leaf.body.tail(blocks.front().data), d.bytes, allowance.bytes, st);
    }
    if (st.capped) {
      d.truncated = true;
      ctx.limit_hit(allowance.binding, "part[" + leaf.path + "] decoding stopped at " +
                                           std::to_string(d.bytes.size()) + " bytes");
    }
    ctx.budget().charge_decoded(d.bytes.size());
    return d;
  }

  static void encoding_anomalies(core::UnpackContext& ctx, ArtifactId child, const Leaf& leaf,
                                 const DecodeStats& st) {
    if (st.junk > 0 && leaf.cte == "base64") {
      ctx.anomaly_on(child, "mime.base64_junk", Severity::medium, leaf.offset,
                     std::to_string(st.junk) + " characters outside the base64 alphabet were skipped");
    }
    if (st.after_padding > 0) {
      ctx.anomaly_on(child, "mime.base64_after_padding", Severity::medium, leaf.offset,
                     std::to_string(st.after_padding) +
                         " base64 characters after the closing padding: decoders that go on see "
                         "other bytes than those that stop");
    }
    if (st.bad_length) {
      ctx.anomaly_on(child, "mime.base64_bad_length", Severity::low, leaf.offset,
                     "base64 data ends with a lone 6-bit symbol");
    }
    if (st.bad_escape) {
      ctx.anomaly_on(child, "mime.qp_bad_escape", Severity::low, leaf.offset,
                     "quoted-printable '=' not followed by two hex digits or a line break");
    }
  }

  // Text parts can carry uuencoded files with no MIME marking at all (old
  // clients, and attackers who know gateways only look at MIME parts).
  static void uu_in_text(core::UnpackContext& ctx, const Leaf& leaf, ByteView text) {
    const auto blocks = find_uu_blocks(text, ctx.limits().max_children);
    std::size_t k = 0;
    for (const auto& b : blocks) {
      ++k;
      const auto allowance = ctx.budget().decode_allowance(b.end - b.data);
      std::vector<std::uint8_t> out;
      DecodeStats st;
      decode_uu(text.clamp(b.data, b.end - b.data), out, allowance.bytes, st);
      ctx.budget().charge_decoded(out.size());
      if (st.capped) ctx.limit_hit(allowance.binding, "a uuencoded block was cut");
      ctx.anomaly("mime.uuencode_in_text", Severity::medium, leaf.offset + b.begin,
                  "uuencoded file '" + ctx.clean_name(b.name) + "' inside text part[" + leaf.path + "]");
      std::vector<Name> names;
      if (std::string n = ctx.clean_name(b.name); !n.empty()) names.push_back({"uuencode", std::move(n)});
      auto child = ctx.emit_owned(std::move(out), "part[" + leaf.path + "].uu[" + std::to_string(k) + "]",
                                  std::move(names), st.capped || !b.terminated);
      if (!child) return;
      ctx.meta_on(*child, meta::mime::uuencode_mode, b.mode);
    }
  }

  static Status unpack_message(core::UnpackContext& ctx) {
    const ByteView in = ctx.bytes();
    auto parsed = parse(in, ctx.limits());
    if (!parsed) return std::unexpected(parsed.error());
    ParsedMessage& pm = parsed->model;
    header_meta(ctx, pm);
    if (pm.depth_limited) {
      ctx.limit_hit(LimitKind::depth, "multipart nesting deeper than " +
                                          std::to_string(ctx.limits().max_depth) + " levels");
    }
    std::vector<std::optional<ArtifactId>> emitted(pm.leaves.size());
    std::vector<Fragment> fragments;
    for (std::size_t i = 0; i < pm.leaves.size(); ++i) {
      if (ctx.budget().expired()) {
        ctx.limit_hit(LimitKind::deadline, std::to_string(pm.leaves.size() - i) + " MIME parts left");
        break;
      }
      const Leaf& leaf = pm.leaves[i];
      DecodeStats st;
      Decoded d = decode(ctx, leaf, st);
      std::vector<Name> names;
      for (const auto& n : leaf.names) {
        std::string v = ctx.clean_name(n.value);
        if (!v.empty()) names.push_back({n.view, std::move(v)});
      }
      // Moving the vector into the tree keeps its buffer, so this view stays
      // valid after emit_owned (ArtifactTree::adopt).
      const ByteView content = d.owned ? ByteView(d.bytes.data(), d.bytes.size()) : leaf.body;
      const FileType sniffed = core::sniff(content);
      std::optional<ArtifactId> child;
      const std::string locator = "part[" + leaf.path + "]";
      if (d.owned) {
        child = ctx.emit_owned(std::move(d.bytes), locator, std::move(names), d.truncated);
      } else {
        child = ctx.emit(leaf.body, locator, std::move(names));
      }
      if (!child) break;
      emitted[i] = child;
      ctx.sniffed_on(*child, sniffed);
      ctx.meta_on(*child, meta::mime::content_type, leaf.declared_type.empty() ? leaf.content_type
                                                                           : leaf.declared_type);
      if (!leaf.cte.empty()) ctx.meta_on(*child, meta::mime::transfer_encoding, leaf.cte);
      if (!leaf.charset.empty()) ctx.meta_on(*child, meta::mime::charset, leaf.charset);
      if (!leaf.disposition.empty()) ctx.meta_on(*child, meta::mime::disposition, leaf.disposition);
      encoding_anomalies(ctx, *child, leaf, st);
      if (!identity_encoding(leaf.cte) && !d.owned && !uu_encoding(leaf.cte)) {
        ctx.anomaly_on(*child, "mime.unknown_encoding", Severity::low, leaf.offset,
                       "unknown Content-Transfer-Encoding '" + leaf.cte + "'; the bytes are kept as they are");
      }
      check_content(ctx, *child, leaf, content, sniffed);
      if (has_body_text(leaf)) read_body_text(ctx, *child, leaf, content);
      if (leaf.partial) {
        partial_anomaly(ctx, *child, leaf);
        if (leaf.fragment_valid) fragments.push_back(leaf.fragment);
      }
    }
    reassemble(ctx, fragments);
    for (const Anomaly& a : parsed->anomalies) ctx.anomaly(a.id, a.severity, a.offset, a.message);
    for (std::size_t i = 0; i < pm.leaves.size(); ++i) {
      // A part that was not emitted (a limit) has its anomalies on the message.
      for (const Anomaly& a : pm.leaves[i].anomalies) {
        if (emitted[i]) {
          ctx.anomaly_on(*emitted[i], a.id, a.severity, a.offset, a.message);
        } else {
          ctx.anomaly(a.id, a.severity, a.offset, a.message);
        }
      }
    }
    if (pm.parts_limited) {
      ctx.limit_hit(LimitKind::children,
                    "more than " + std::to_string(ctx.limits().max_children) + " MIME parts");
    }
    return {};
  }

  static void partial_anomaly(core::UnpackContext& ctx, ArtifactId child, const Leaf& leaf) {
    std::string what = "a message/partial fragment";
    if (leaf.fragment_valid) {
      what += " (" + std::to_string(leaf.fragment.number) +
              (leaf.fragment.total > 0 ? " of " + std::to_string(leaf.fragment.total) : std::string()) +
              ", id '" + leaf.fragment.id.substr(0, 64) + "')";
    } else {
      what += " without a usable id and number";
    }
    ctx.anomaly_on(child, "mime.message_partial", Severity::low, leaf.offset,
                   what + ": the message it belongs to is scanned only where all fragments arrive together");
  }

  static void check_content(core::UnpackContext& ctx, ArtifactId child, const Leaf& leaf,
                            ByteView content, FileType sniffed) {
    if (!leaf.embedded_message) {
      const std::string why = type_conflict(leaf.content_type, sniffed);
      if (!why.empty()) {
        ctx.anomaly_on(child, "mime.content_type_mismatch", Severity::medium, leaf.offset, why);
      }
    }
    const bool text = leaf.content_type.starts_with("text/");
    if (text && identity_encoding(leaf.cte) && !content.empty() &&
        std::memchr(content.data(), 0, content.size()) != nullptr) {
      ctx.anomaly_on(child, "mime.nul_in_text", Severity::low, leaf.offset,
                     "NUL bytes in a text part sent without transfer encoding");
    }
    if (text && !uu_encoding(leaf.cte)) uu_in_text(ctx, leaf, content);
  }
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<MimeUnpacker>()); }

}  // namespace sluice::formats::mime
