// Remcos configuration extraction. Every byte here is attacker-chosen: the key
// length is checked against what follows, the plaintext size is charged to the
// budget before it exists, splits stop at a fixed field count, and a config is
// only believed when field 0 parses as host:port entries.
#include "families/remcos.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <functional>
#include <string>
#include <string_view>

#include "core/reader.hpp"
#include "core/text.hpp"
#include "families/field_text.hpp"
#include "families/rc4.hpp"

namespace sluice::families::remcos {
namespace {

using namespace std::string_view_literals;

// Real configurations have 30 (1.x/2.x) to ~70 (4.x/5.x) fields; anything past
// this is not read (it would only be more flags).
constexpr std::size_t kMaxFields = 128;
constexpr std::size_t kMinFields = 3;
// Two distinct strings before a loader is called Remcos: one alone can be a
// security tool's signature text or a write-up.
constexpr std::size_t kMinMarkers = 2;

// One builder generation: the field separator and the separators seen between
// C2 entries inside field 0. Longest first: "\x1e" is part of the 4.x separators.
struct Generation {
  std::string_view label;
  std::string_view separator;
  std::array<std::string_view, 3> c2_separators;
};
constexpr std::array kGenerations{
    // 3.x-5.x (Elastic Security Labs, CAPE): C2 entries split by 0x1E.
    Generation{"pipe_1e1e1f", "|\x1e\x1e\x1f|"sv, {"\x1e"sv, "|"sv, "\xff\xff\xff\xff"sv}},
    // The same separator written reversed by some builds.
    Generation{"pipe_1f1e1e", "|\x1f\x1e\x1e|"sv, {"\x1e"sv, "|"sv, "\xff\xff\xff\xff"sv}},
    // 1.x/2.x (Talos remcos-decoder, RATDecoders): "@@" fields, "|" between C2s.
    Generation{"at_at", "@@"sv, {"|"sv, "\x1e"sv, ""sv}},
    // Early 2.x builds: a bare 0x1E between fields, "|" between C2s.
    Generation{"1e", "\x1e"sv, {"|"sv, "\xff\xff\xff\xff"sv, ""sv}},
};

enum class Kind : std::uint8_t { text, flag, folder };
struct FieldSpec {
  std::size_t index;
  std::string_view key;
  Kind kind;
};
// Indices from JPCERT's and Elastic's tables (README.md); stable across generations.
constexpr std::array kFields{
    FieldSpec{1, "botnet", Kind::text},          FieldSpec{2, "connect_interval", Kind::text},
    FieldSpec{3, "install", Kind::flag},         FieldSpec{9, "install_parent", Kind::folder},
    FieldSpec{10, "install_name", Kind::text},   FieldSpec{14, "mutex", Kind::text},
    FieldSpec{15, "keylog_mode", Kind::flag},    FieldSpec{16, "keylog_parent", Kind::folder},
    FieldSpec{17, "keylog_file", Kind::text},    FieldSpec{48, "install_folder", Kind::text},
    FieldSpec{49, "keylog_folder", Kind::text},  FieldSpec{52, "licence", Kind::text},
};
// The parent-folder numbers the builder offers (Elastic, part one).
constexpr std::array<std::string_view, 9> kFolders{
    "%Temp%", "<current directory>", "%SystemDrive%", "%WinDir%", "%WinDir%\\SysWOW64",
    "%ProgramFiles%", "%AppData%", "%UserProfile%", "%ProgramData%"};

constexpr std::array<std::string_view, 5> kMarkers{
    "Remcos_Mutex_Inj", "Breaking-Security.Net", "Watchdog module activated",
    "Remcos restarted by watchdog!", "Remcos v"};

// At most `max_parts` pieces; each pass advances by at least one byte.
std::vector<std::string_view> split(std::string_view text, std::string_view sep, std::size_t max_parts) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (parts.size() < max_parts) {
    const std::size_t hit = text.find(sep, start);
    if (hit == std::string_view::npos) {
      parts.push_back(text.substr(start));
      break;
    }
    parts.push_back(text.substr(start, hit - start));
    start = hit + sep.size();
  }
  return parts;
}

// Splits on whichever of `seps` occurs first, repeatedly: builds mix "|" and 0x1E.
// Each separator's next hit is remembered, so a separator that never occurs is
// searched for once, not once per entry (that would be quadratic on hostile input).
std::vector<std::string_view> split_any(std::string_view text, std::span<const std::string_view> seps,
                                        std::size_t max_parts) {
  constexpr std::size_t kNone = std::string_view::npos;
  std::array<std::size_t, 3> next{0, 0, 0};
  std::array<bool, 3> stale{true, true, true};
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (parts.size() < max_parts) {
    std::size_t best = kNone;
    std::size_t best_len = 0;
    for (std::size_t k = 0; k < seps.size() && k < next.size(); ++k) {
      if (seps[k].empty()) continue;
      if (stale[k] || (next[k] != kNone && next[k] < start)) {
        next[k] = text.find(seps[k], start);
        stale[k] = false;
      }
      if (next[k] < best) {
        best = next[k];
        best_len = seps[k].size();
      }
    }
    if (best == kNone) {
      parts.push_back(text.substr(start));
      break;
    }
    parts.push_back(text.substr(start, best - start));
    start = best + best_len;
  }
  return parts;
}

std::string_view trim_nul(std::string_view s) {
  while (!s.empty() && s.front() == '\0') s.remove_prefix(1);
  while (!s.empty() && s.back() == '\0') s.remove_suffix(1);
  return s;
}

std::optional<std::uint16_t> parse_port(std::string_view s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  std::uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (v == 0 || v > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(v);
}

// "host:port[:tls]"; 1.x/2.x put a password where 3.x+ put the TLS flag.
std::optional<C2Endpoint> parse_endpoint(std::string_view entry, std::size_t max_host) {
  entry = trim_nul(entry);
  const std::size_t c1 = entry.find(':');
  if (c1 == std::string_view::npos) return std::nullopt;
  const std::string host = core::to_valid_utf8(entry.substr(0, c1));
  const std::string_view rest = entry.substr(c1 + 1);
  const std::size_t c2 = rest.find(':');
  auto port = parse_port(rest.substr(0, c2));
  if (!port || !plausible_host(host) || host.size() > max_host) return std::nullopt;
  const std::string_view third = c2 == std::string_view::npos ? ""sv : rest.substr(c2 + 1);
  return C2Endpoint{host, *port, third == "1"};
}

// UTF-16LE of ASCII text: every second byte 0. Host names are ASCII (IDNs
// travel as punycode), so this is all a wide C2 list can look like.
bool wide_ascii(ByteView raw) {
  if (raw.size() < 2 || raw.size() % 2 != 0) return false;
  std::uint8_t lo = 0;
  std::uint8_t hi = 0;
  for (std::size_t i = 0; i + 1 < raw.size(); i += 2) {
    if (!raw.byte_at(i, lo) || !raw.byte_at(i + 1, hi) || hi != 0) return false;
  }
  return true;
}

std::string field_value(ByteView raw, Kind kind, std::size_t max_bytes) {
  std::uint8_t b = 0;
  if (kind != Kind::text && raw.size() == 1 && raw.byte_at(0, b)) {
    // Builders store these as a raw byte (0x00/0x01) or as one ASCII digit.
    const unsigned v = (b >= '0' && b <= '9') ? static_cast<unsigned>(b - '0') : b;
    if (kind == Kind::folder && v < kFolders.size()) return std::string(kFolders[v]);
    return std::to_string(v);
  }
  return field_text(raw, max_bytes);
}

std::optional<FamilyConfig> parse_generation(std::string_view plain, const Generation& g,
                                             const Limits& limits) {
  const auto fields = split(plain, g.separator, kMaxFields);
  if (fields.size() < kMinFields) return std::nullopt;
  // Field 0 may itself be UTF-16 (seen in 4.x); split after decoding then. Not
  // looks_utf16(): the 0x1E between ASCII entries is a control byte too.
  const ByteView c2_raw = ByteView::of(fields[0]);
  std::string decoded;
  std::string_view c2_text = fields[0];
  if (wide_ascii(c2_raw)) {
    decoded = core::utf16_to_utf8(c2_raw, std::endian::little);
    c2_text = decoded;
  }
  FamilyConfig cfg;
  cfg.generation = std::string(g.label);
  const std::size_t max_entries = std::max<std::size_t>(1, limits.max_children);
  for (std::string_view entry : split_any(c2_text, g.c2_separators, max_entries)) {
    if (trim_nul(entry).empty()) continue;
    auto ep = parse_endpoint(entry, limits.max_name_length);
    if (!ep) return std::nullopt;  // one malformed entry: this is not a C2 list
    cfg.c2.push_back(std::move(*ep));
  }
  if (cfg.c2.empty()) return std::nullopt;
  for (const FieldSpec& f : kFields) {
    if (f.index >= fields.size() || fields[f.index].empty()) continue;
    std::string v = field_value(ByteView::of(fields[f.index]), f.kind, limits.max_name_length);
    if (!v.empty()) cfg.fields.emplace_back(std::string(f.key), std::move(v));
  }
  return cfg;
}

bool contains(std::string_view hay, std::string_view needle) {
  return std::search(hay.begin(), hay.end(), std::boyer_moore_horspool_searcher(needle.begin(), needle.end())) !=
         hay.end();
}

bool ascii_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (core::ascii_lower(a[i]) != core::ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<std::uint8_t>> decrypt_settings(ByteView resource, DecodeBudget& budget) {
  core::Reader r(resource);
  auto key_len = r.u8();
  if (!key_len) return fail(Errc::truncated, 0, "the SETTINGS resource is empty");
  if (*key_len == 0) return fail(Errc::malformed, 0, "the SETTINGS key length is 0");
  // The key and at least one byte of ciphertext must follow.
  if (*key_len >= r.remaining()) {
    return fail(Errc::truncated, 0,
                "the SETTINGS key length is " + std::to_string(*key_len) + " but only " +
                    std::to_string(r.remaining()) + " bytes follow");
  }
  auto key = r.bytes(*key_len);
  if (!key) return std::unexpected(key.error());
  const ByteView cipher = r.rest();
  const std::uint64_t n = budget.allow(cipher.size(), cipher.size(), "Remcos SETTINGS plaintext");
  const ByteView take = cipher.clamp(0, n);
  std::vector<std::uint8_t> plain(take.data(), take.data() + take.size());
  Rc4 rc4(*key);
  rc4.apply(plain);
  return plain;
}

std::optional<FamilyConfig> parse_config(ByteView plain, const Limits& limits) {
  for (const Generation& g : kGenerations) {
    if (plain.chars().find(g.separator) == std::string_view::npos) continue;
    if (auto cfg = parse_generation(plain.chars(), g, limits)) return cfg;
  }
  return std::nullopt;
}

std::vector<std::string> find_markers(ByteView file) {
  std::vector<std::string> found;
  const std::string_view hay = file.chars();
  for (std::string_view m : kMarkers) {
    std::string wide;
    for (char c : m) {
      wide.push_back(c);
      wide.push_back('\0');
    }
    if (contains(hay, m) || contains(hay, wide)) found.emplace_back(m);
  }
  return found;
}

FamilyResult examine(const PeSubject& pe, const Limits& limits, DecodeBudget& budget) {
  FamilyResult out;
  for (const ResourceView& r : pe.resources) {
    // Any language; resource compilers upper-case names, but the loader compares
    // case-insensitively, so a lower-case "settings" is found by FindResource too.
    if (r.type != "RCDATA" || !ascii_iequal(r.name, "SETTINGS")) continue;
    auto plain = decrypt_settings(r.bytes, budget);
    if (!plain) {
      out.issues.push_back(Anomaly{"remcos.settings_malformed", Severity::low, r.file_offset,
                                       plain.error().what});
      continue;
    }
    if (auto cfg = parse_config(ByteView(plain->data(), plain->size()), limits)) {
      out.config = std::move(cfg);
      break;
    }
  }
  auto markers = find_markers(pe.file);
  if (markers.size() >= kMinMarkers) out.markers = std::move(markers);
  return out;
}

}  // namespace sluice::families::remcos
