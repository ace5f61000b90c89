#include "formats/zip/member.hpp"

#include <algorithm>
#include <cstring>

#include "core/text.hpp"
#include "formats/zip/crypto.hpp"
#include "formats/zip/decode.hpp"
#include "formats/zip/layout.hpp"
#include "meta/zip.hpp"

namespace sluice::formats::zip {
namespace {

struct Pending {
  std::string id;
  Severity severity;
  std::uint64_t offset;
  std::string message;
};

struct Outcome {
  std::vector<Pending> anomalies;
  std::vector<Meta> meta;
  // Named like UnpackContext::anomaly so the catalog test finds every ID.
  void anomaly(std::string id, Severity severity, std::uint64_t offset, std::string message) {
    anomalies.push_back({std::move(id), severity, offset, std::move(message)});
  }
};

std::string decode_name(core::UnpackContext& ctx, ByteView raw, std::uint16_t flags) {
  // APPNOTE 4.4.4 bit 11 / Appendix D: UTF-8 when the bit is set, else CP437.
  // Info-ZIP, 7-Zip and Windows' zipfldr (on a US code page) read it this way.
  if (flags & kFlagUtf8) return ctx.clean_name(raw.chars());
  return ctx.clean_name(cp437_to_utf8(raw));
}

std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/' || path[i] == '\\') {
      out.push_back(path.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

void check_path(const std::string& name, std::uint64_t at, Outcome& o) {
  // Both separators: Windows' extractor treats '\' as one, Info-ZIP converts it.
  const bool drive = name.size() >= 2 && name[1] == ':' &&
                     ((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z'));
  if (name.starts_with('/') || name.starts_with('\\') || drive) {
    o.anomaly("zip.absolute_path", Severity::medium, at,
                           "absolute member path '" + name + "' (written outside the target folder by naive extractors)");
  }
  for (std::string_view c : components(name)) {
    if (c == "..") {
      o.anomaly("zip.path_traversal", Severity::high, at,
                             "member path '" + name + "' climbs out of the extraction folder (zip slip)");
      break;
    }
  }
}

std::vector<Name> member_names(core::UnpackContext& ctx, const Member& m, Outcome& o) {
  std::vector<Name> names;
  // A NUL ends the name for every C-string reader (Windows, CPython's zipfile),
  // so "invoice.pdf\0.exe" shows as invoice.pdf; the full bytes stay as a
  // second name for detectors.
  const std::string_view raw = m.name.chars();
  const std::size_t nul = raw.find('\0');
  const std::string primary =
      decode_name(ctx, nul == std::string_view::npos ? m.name : m.name.clamp(0, nul), m.flags);
  names.push_back({"zip", primary});
  // Without bit 11 the name is CP437 to Windows, but 7-Zip, WinRAR, macOS and
  // Linux unzip take bytes that form valid UTF-8 as UTF-8. Info-ZIP writes
  // UTF-8 names without the flag, so "Invoice_\u202Efdp.scr" reaches most
  // victims as an RTLO name: keep that reading too, for the name detectors.
  if (!(m.flags & kFlagUtf8)) {
    const ByteView shown = nul == std::string_view::npos ? m.name : m.name.clamp(0, nul);
    const std::string_view bytes = shown.chars();
    const bool non_ascii = std::any_of(bytes.begin(), bytes.end(), [](char c) { return (c & 0x80) != 0; });
    if (non_ascii && core::to_valid_utf8(bytes) == bytes) {
      names.push_back({"zip-utf8", ctx.clean_name(bytes)});
    }
  }
  if (nul != std::string_view::npos) {
    std::string full = decode_name(ctx, m.name, m.flags);
    o.anomaly("zip.name_nul", Severity::medium, m.header_offset,
              "member name has a NUL byte: readers show '" + primary + "', the bytes go on to '" +
                  full + "'");
    if (full != primary) names.push_back({"zip-full", std::move(full)});
  }
  if (m.extra.has_unicode_path) {
    const std::string unicode = ctx.clean_name(m.extra.unicode_path.chars());
    if (crc32_of(m.name) != m.extra.unicode_path_crc) {
      // Info-ZIP's rule: a stale 0x7075 (the header name was changed after it
      // was written) is ignored. 7-Zip ignores it too; other readers may not.
      o.anomaly("zip.unicode_path_stale", Severity::low, m.header_offset,
                             "Unicode Path extra field's CRC does not match the header name");
      if (unicode != primary) names.push_back({"zip-unicode-stale", unicode});
    } else if (unicode != primary) {
      names.push_back({"zip-unicode", unicode});
      // A pure-ASCII header name needs no Unicode twin; a different one only
      // shows to readers that honour 0x7075.
      const bool ascii = std::all_of(m.name.chars().begin(), m.name.chars().end(),
                                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
      if (ascii) {
        o.anomaly("zip.unicode_path_mismatch", Severity::medium, m.header_offset,
                               "header name '" + primary + "' but Unicode Path extra field says '" +
                                   unicode + "'");
      }
    }
  }
  if (!m.local_name.empty()) names.push_back({"zip-local", decode_name(ctx, m.local_name, m.flags)});
  for (const Name& n : names) check_path(n.value, m.header_offset, o);
  return names;
}

void attributes(const Member& m, Outcome& o) {
  o.meta.push_back(meta::zip::method(static_cast<std::int64_t>(m.method)));
  if (!m.has_external) return;
  const std::uint8_t host = static_cast<std::uint8_t>(m.made_by >> 8);
  // The low byte holds MS-DOS attributes for DOS/NTFS/VFAT hosts, and Info-ZIP
  // keeps them there for Unix hosts too (APPNOTE 4.4.15).
  if (host == kHostDos || host == kHostNtfs || host == kHostVfat || host == kHostUnix) {
    if (m.external_attr & kDosReadOnly) o.meta.push_back(meta::zip::readonly(true));
    if (m.external_attr & kDosHidden) o.meta.push_back(meta::zip::hidden(true));
    if (m.external_attr & kDosSystem) o.meta.push_back(meta::zip::system(true));
  }
  if (host == kHostUnix && (m.external_attr >> 16) != 0) {
    o.meta.push_back(meta::zip::unix_mode(static_cast<std::int64_t>(m.external_attr >> 16)));
  }
}

// Decompresses `input` with `method` and checks the result against the
// declared size and CRC. Returns the bytes and whether they are a prefix.
std::pair<std::vector<std::uint8_t>, bool> inflate_member(core::UnpackContext& ctx, const Member& m,
                                                          std::uint16_t method, ByteView input,
                                                          bool check_crc, Outcome& o) {
  const auto allowance = ctx.budget().decode_allowance(input.size());
  // APPNOTE 5.8.9: without an end marker (bit 1 clear) an LZMA stream ends at
  // the declared size; decoding on would append garbage (libzip lzma-no-eos).
  const bool sized = method == kMethodLzma && !(m.flags & kFlagLzmaEos) && m.usize < allowance.bytes;
  Decoded d = decode(method, input, sized ? m.usize : allowance.bytes, ctx.budget(), m.usize);
  if (sized && d.end == core::InflateEnd::capped) d.end = core::InflateEnd::complete;
  ctx.budget().charge_decoded(d.bytes.size());
  bool prefix = false;
  switch (d.end) {
    case core::InflateEnd::complete:
      break;
    case core::InflateEnd::capped:
      ctx.limit_hit(allowance.binding, "zip member " + m.locator + " stopped at " +
                                           std::to_string(d.bytes.size()) + " bytes from " +
                                           std::to_string(input.size()) + " compressed");
      prefix = true;
      break;
    case core::InflateEnd::deadline:
      ctx.limit_hit(LimitKind::deadline, "zip member " + m.locator + " decoding interrupted");
      prefix = true;
      break;
    case core::InflateEnd::truncated:
      o.anomaly("zip.truncated", Severity::low, m.data_offset,
                             "compressed data ends before the stream does");
      prefix = true;
      break;
    case core::InflateEnd::corrupt:
      o.anomaly("zip.corrupt", Severity::low, m.data_offset,
                             "invalid compressed data (method " + std::to_string(method) + ")");
      prefix = true;
      break;
  }
  if (!prefix) {
    if (d.bytes.size() != m.usize) {
      o.anomaly("zip.size_mismatch", Severity::medium, m.data_offset,
                             "declared size " + std::to_string(m.usize) + ", decoded " +
                                 std::to_string(d.bytes.size()));
    }
    if (check_crc && crc32_of(ByteView(d.bytes.data(), d.bytes.size())) != m.crc) {
      o.anomaly("zip.crc_mismatch", Severity::medium, m.data_offset,
                             "CRC-32 of the decoded data does not match the header");
    }
  }
  return {std::move(d.bytes), prefix};
}

struct Decrypted {
  std::vector<std::uint8_t> compressed;
  std::string password;
  bool mac_ok = true;
};

// Tries every candidate: the 12-byte header (or the AES verifier) screens
// cheaply; a screened candidate must also decode to the right CRC, because
// one wrong password in 256 passes the ZipCrypto screen.
std::optional<Decrypted> try_passwords(const Member& m, ByteView raw, const EmitState& state,
                                       std::uint16_t real_method, const core::Budget& budget) {
  std::vector<std::string_view> candidates;
  if (!state.known_good.empty()) candidates.emplace_back(state.known_good);
  for (const auto& p : state.passwords) candidates.emplace_back(p);
  if (state.harvested) {
    for (const auto& p : *state.harvested) candidates.emplace_back(p);
  }
  for (std::string_view p : default_passwords()) candidates.push_back(p);
  const bool aes = m.method == kMethodAes;
  // A verifier match whose MAC fails: either a 1-in-65536 false accept or
  // data altered after encryption (libzip hmac-error.zip). Kept only when no
  // candidate authenticates, and reported.
  std::optional<Decrypted> unauthenticated;
  for (std::string_view pw : candidates) {
    if (budget.expired()) break;
    if (aes) {
      auto plain = winzip_aes_decrypt(raw, pw, m.extra.aes_strength);
      if (!plain) continue;
      if (!plain->mac_ok) {
        if (!unauthenticated) unauthenticated = Decrypted{std::move(plain->data), std::string(pw), false};
        continue;
      }
      return Decrypted{std::move(plain->data), std::string(pw), true};
    }
    if (!zipcrypto_screen(raw, pw, static_cast<std::uint8_t>(m.crc >> 24),
                          static_cast<std::uint8_t>(m.mtime >> 8))) {
      continue;
    }
    std::vector<std::uint8_t> comp = zipcrypto_decrypt(raw, pw);
    // Confirm on a bounded trial decode: the CRC must match what is declared.
    Decoded trial = decode(real_method, ByteView(comp.data(), comp.size()), 64ull << 20, budget);
    const bool stopped = trial.end == core::InflateEnd::capped ||
                         trial.end == core::InflateEnd::deadline;
    const bool verified = trial.end == core::InflateEnd::complete &&
                          crc32_of(ByteView(trial.bytes.data(), trial.bytes.size())) == m.crc;
    // A method we cannot decode leaves only the screen to go by.
    if (!trial.supported || stopped || verified) {
      return Decrypted{std::move(comp), std::string(pw), true};
    }
  }
  return unauthenticated;
}

void finish(core::UnpackContext& ctx, std::optional<ArtifactId> child, Outcome& o) {
  for (auto& a : o.anomalies) {
    if (child) {
      ctx.anomaly_on(*child, std::move(a.id), a.severity, a.offset, std::move(a.message));
    } else {
      ctx.anomaly(std::move(a.id), a.severity, a.offset, std::move(a.message));
    }
  }
  if (!child) return;
  for (Meta& mt : o.meta) ctx.record_on(*child, std::move(mt));
}

}  // namespace

bool is_directory(const Member& m) {
  const std::string_view n = m.name.chars();
  return (n.ends_with('/') || n.ends_with('\\')) && m.csize == 0 && m.usize == 0;
}

void emit_member(core::UnpackContext& ctx, const Member& m, EmitState& state) {
  Outcome o;
  std::vector<Name> names = member_names(ctx, m, o);
  attributes(m, o);
  if (!m.comment.empty()) {
    o.meta.push_back(meta::zip::entry_comment(core::truncate_utf8(core::to_valid_utf8(m.comment.chars()), kMetaTextMax)));
  }
  if (m.local_only) o.meta.push_back(meta::zip::local_only(true));

  if (m.alias) o.meta.push_back(meta::zip::local_view(true));
  const std::string key = core::ascii_lower(names.front().value);
  if (!m.alias && !state.seen_names.insert(key).second) {
    o.anomaly("zip.duplicate_name", Severity::medium, m.header_offset,
                           "another member has the name '" + names.front().value +
                               "' (which one an extractor keeps differs)");
  }

  const ByteView in = ctx.bytes();
  ByteView raw = in.clamp(m.data_offset, m.csize);
  bool truncated = false;
  if (raw.size() < m.csize) {
    o.anomaly("zip.truncated", Severity::low, m.data_offset,
                           "member data runs past the end of the archive (" +
                               std::to_string(m.csize) + " declared, " +
                               std::to_string(raw.size()) + " present)");
    truncated = true;
  }

  if (m.skip_decode) {
    // The overlapping-entry bomb: these bytes are already decoded for another
    // member; decoding them again per entry is the whole attack.
    o.meta.push_back(meta::zip::overlapping(true));
    auto child = ctx.emit(raw, m.locator, std::move(names));
    finish(ctx, child, o);
    return;
  }

  const bool encrypted = (m.flags & kFlagEncrypted) != 0;
  std::uint16_t method = m.method;
  bool check_crc = true;
  if (m.method == kMethodAes && m.extra.has_aes) {
    method = m.extra.aes_method;
    check_crc = m.extra.aes_version != 2;  // AE-2 zeroes the CRC; the MAC protects the data
  }

  if (encrypted) {
    o.meta.push_back(meta::zip::encrypted(true));
    const bool aes = m.method == kMethodAes;
    o.meta.push_back(meta::zip::encryption(std::string(aes ? "winzip-aes" : (m.flags & kFlagStrongEncryption) ? "pkware-strong" : "zipcrypto")));
    o.anomaly("zip.encrypted", Severity::low, m.header_offset,
                           std::string("member is encrypted (") + (aes ? "WinZip AES" : "ZipCrypto") +
                               "): scanners without the password see only ciphertext");
    std::optional<Decrypted> plain;
    if (!(m.flags & kFlagStrongEncryption) && (!aes || m.extra.has_aes) && !truncated) {
      constexpr std::uint32_t kHopeless = 4;
      if (state.hopeless < kHopeless) {
        if (state.harvest && !state.harvested) state.harvested = ctx.password_candidates();
        plain = try_passwords(m, raw, state, method, ctx.budget());
        if (plain) {
          state.known_good = plain->password;
        } else {
          ++state.hopeless;
        }
      }
    }
    if (!plain) {
      auto child = ctx.emit(raw, m.locator, std::move(names));
      finish(ctx, child, o);
      return;
    }
    o.meta.push_back(meta::zip::password(plain->password));
    if (!plain->mac_ok) {
      o.anomaly("zip.crc_mismatch", Severity::medium, m.data_offset,
                "WinZip AES authentication code (HMAC-SHA1) does not match: the ciphertext was altered");
    }
    if (!method_supported(method)) {
      o.anomaly("zip.unsupported_method", Severity::medium, m.header_offset,
                             "compression method " + std::to_string(method) + " is not decoded");
      auto child = ctx.emit_owned(std::move(plain->compressed), m.locator, std::move(names), false);
      finish(ctx, child, o);
      return;
    }
    auto [bytes, prefix] = inflate_member(ctx, m, method,
                                          ByteView(plain->compressed.data(), plain->compressed.size()),
                                          check_crc, o);
    auto child = ctx.emit_owned(std::move(bytes), m.locator, std::move(names), prefix);
    finish(ctx, child, o);
    return;
  }

  if (!method_supported(method)) {
    o.anomaly("zip.unsupported_method", Severity::medium, m.header_offset,
                           "compression method " + std::to_string(method) +
                               " is not decoded; the member is scanned as it is stored");
    auto child = ctx.emit(raw, m.locator, std::move(names));
    finish(ctx, child, o);
    return;
  }
  if (method == kMethodStored) {
    // Zero-copy: the member is its own bytes.
    if (!truncated) {
      if (m.usize != m.csize) {
        o.anomaly("zip.size_mismatch", Severity::medium, m.data_offset,
                               "stored member says " + std::to_string(m.usize) +
                                   " bytes uncompressed but " + std::to_string(m.csize) +
                                   " compressed");
      }
      if (check_crc && crc32_of(raw) != m.crc) {
        o.anomaly("zip.crc_mismatch", Severity::medium, m.data_offset,
                               "CRC-32 of the stored data does not match the header");
      }
    }
    auto child = ctx.emit(raw, m.locator, std::move(names));
    if (child && truncated) {
      // A stored prefix is still a view; mark it as incomplete via meta.
      o.meta.push_back(meta::zip::truncated(true));
    }
    finish(ctx, child, o);
    return;
  }
  const bool checked = check_crc && !truncated;
  for (const EmitState::Decoded& d : state.decoded) {
    if (d.method != method || d.crc != m.crc || d.usize != m.usize || d.checked != checked ||
        d.compressed.size() != raw.size() ||
        std::memcmp(d.compressed.data(), raw.data(), static_cast<std::size_t>(raw.size())) != 0) {
      continue;
    }
    o.meta.push_back(meta::zip::same_stream_as(d.locator));
    auto child = ctx.emit(d.output, m.locator, std::move(names));
    if (child && (d.prefix || truncated)) o.meta.push_back(meta::zip::truncated(true));
    finish(ctx, child, o);
    return;
  }
  auto [bytes, prefix] = inflate_member(ctx, m, method, raw, checked, o);
  // The vector's heap buffer moves into the tree unchanged: the view stays valid.
  const ByteView output(bytes.data(), bytes.size());
  auto child = ctx.emit_owned(std::move(bytes), m.locator, std::move(names), prefix || truncated);
  constexpr std::size_t kRemembered = 64;  // bounds the comparisons per member
  if (child && raw.size() > 0 && state.decoded.size() < kRemembered) {
    state.decoded.push_back({raw, method, m.crc, m.usize, checked, output, prefix || truncated, m.locator});
  }
  finish(ctx, child, o);
}

}  // namespace sluice::formats::zip
