// gzip → one child: the concatenation of every member's output, as `gzip -d`
// produces it. What the parser cannot vouch for (bad CRCs, sizes that lie, data
// after the last member, a stream cut short) is kept and reported, never dropped.
#include <zlib.h>

#include <array>

#include "core/inflate.hpp"
#include "core/reader.hpp"
#include "core/text.hpp"
#include "core/unpacker.hpp"
#include "formats/gzip/layout.hpp"
#include "formats/gzip/parser.hpp"
#include "meta/gzip.hpp"

namespace sluice::formats::gzip {
namespace {

// The name `gzip -d` would give the output when the header carries none.
std::string derived_name(std::string_view parent) {
  const std::string lower = core::ascii_lower(parent);
  for (std::string_view suffix : {".gz", ".gzip", "-gz", ".z", "_z"}) {
    if (lower.size() > suffix.size() && lower.ends_with(suffix)) {
      return std::string(parent.substr(0, parent.size() - suffix.size()));
    }
  }
  if (lower.ends_with(".tgz")) return std::string(parent.substr(0, parent.size() - 4)) + ".tar";
  return {};
}

class GzipUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "gzip"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    const ByteView in = ctx.bytes();
    const auto allowance = ctx.budget().decode_allowance(in.size());
    std::vector<std::uint8_t> out;
    std::vector<Name> names;
    std::uint64_t pos = 0;
    std::uint32_t members = 0;
    bool truncated = false;
    std::optional<Error> failure;

    while (pos < in.size() && !truncated) {
      auto parsed = parse(in.tail(pos), ctx.limits());
      if (!parsed) {
        if (members == 0) return std::unexpected(parsed.error());
        break;  // not another member: trailing data, judged below
      }
      ++members;
      for (Anomaly& a : parsed->anomalies) ctx.anomaly(std::move(a.id), a.severity, pos + a.offset, std::move(a.message));
      note_header(ctx, parsed->model, members, names);
      const std::uint64_t data_at = pos + parsed->model.size;
      const std::uint64_t cap = allowance.bytes - std::min<std::uint64_t>(allowance.bytes, out.size());
      const core::InflateResult inf =
          core::inflate_bounded(in.tail(data_at), out, cap, ctx.budget());
      pos = data_at + inf.consumed;
      switch (inf.end) {
        case core::InflateEnd::complete:
          check_trailer(ctx, in, pos, inf);
          pos += kTrailerSize;
          continue;
        case core::InflateEnd::capped:
          ctx.limit_hit(allowance.binding, "gzip output stopped at " + std::to_string(out.size()) +
                                               " bytes from " + std::to_string(in.size()) +
                                               " compressed");
          break;
        case core::InflateEnd::deadline:
          ctx.limit_hit(LimitKind::deadline, "gzip inflate interrupted");
          break;
        case core::InflateEnd::truncated:
          ctx.anomaly("gzip.truncated", Severity::low, pos,
                      "the deflate stream ends before its final block");
          failure = Error{Errc::truncated, pos, "gzip stream cut short"};
          break;
        case core::InflateEnd::corrupt:
          ctx.anomaly("gzip.corrupt", Severity::low, pos, "invalid deflate data");
          failure = Error{Errc::malformed, pos, "invalid deflate data"};
          break;
      }
      truncated = true;
    }
    ctx.meta(meta::gzip::members, static_cast<std::int64_t>(members));
    ctx.budget().charge_decoded(out.size());

    if (names.empty()) {
      if (std::string d = derived_name(ctx.name()); !d.empty()) {
        names.push_back({"derived", ctx.clean_name(d)});
      }
    }
    ctx.emit_owned(std::move(out), "", std::move(names), truncated);

    if (!truncated && pos < in.size()) {
      const ByteView rest = in.tail(pos);
      if (ctx.all_zero(rest)) {
        ctx.anomaly("gzip.trailing_zeros", Severity::info, pos,
                    std::to_string(rest.size()) + " zero bytes after the last member (tape padding)");
      } else {
        ctx.anomaly("gzip.trailing_data", Severity::low, pos,
                    std::to_string(rest.size()) + " bytes after the last member, which gzip ignores");
        ctx.emit(rest, "trailing@" + std::to_string(pos), {});
      }
    }
    if (failure) return std::unexpected(*failure);
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::gzip};

  static void note_header(core::UnpackContext& ctx, const MemberHeader& h, std::uint32_t member,
                          std::vector<Name>& names) {
    if (h.has_name) {
      std::string n = ctx.clean_name(h.name);
      if (member == 1) {
        names.push_back({"gzip", n});
      } else if (names.empty() || names.front().value != n) {
        ctx.meta(meta::gzip::member_name, n);
      }
    }
    if (member == 1) {
      ctx.meta(meta::gzip::mtime, static_cast<std::int64_t>(h.mtime));
      ctx.meta(meta::gzip::os, static_cast<std::int64_t>(h.os));
      if (!h.comment.empty()) ctx.meta(meta::gzip::comment, ctx.clean_name(h.comment));
    }
  }

  static void check_trailer(core::UnpackContext& ctx, ByteView in, std::uint64_t at,
                            const core::InflateResult& inf) {
    auto crc = core::load_le<std::uint32_t>(in, at);
    auto isize = core::load_le<std::uint32_t>(in, at + 4);
    if (!crc || !isize) {
      ctx.anomaly("gzip.truncated", Severity::low, at, "the member trailer (CRC32, size) is missing");
      return;
    }
    if (*crc != inf.crc32) {
      ctx.anomaly("gzip.crc_mismatch", Severity::medium, at,
                  "CRC32 in the trailer does not match the decoded data");
    }
    if (*isize != static_cast<std::uint32_t>(inf.produced)) {
      ctx.anomaly("gzip.size_mismatch", Severity::low, at + 4,
                  "ISIZE says " + std::to_string(*isize) + ", decoded " +
                      std::to_string(inf.produced) + " (mod 2^32)");
    }
  }
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<GzipUnpacker>()); }

}  // namespace sluice::formats::gzip
