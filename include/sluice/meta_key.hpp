#pragma once
// A metadata key, declared once (src/meta/<section>.hpp) with the one type its
// values have and what it means. Formats write through the declaration
// (ctx.meta(meta::pe::machine, "x86")) and detectors read through it
// (a.meta_string(meta::pe::machine)), so a key cannot be misspelt, written
// with a second type, or used without a row in docs/metadata.md, which
// `sluice keys --markdown` generates from the declarations (docs/adr/0028).
#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace sluice {

// One mailbox of an address header: "Display Name" <local@domain>.
struct Mailbox {
  std::string display;  // unquoted; empty when the header names none
  std::string address;  // local@domain as written
  std::string domain;   // lower-case, no trailing dot; empty when there is no '@'
  friend bool operator==(const Mailbox&, const Mailbox&) = default;
};

// An address header as written, with its mailboxes read once by the format
// (codecs/text/addresses.hpp), so no reader parses the text again. The report
// shows the text.
struct MailAddresses {
  std::string text;
  std::vector<Mailbox> mailboxes;  // in order; a one-mailbox header (From) has one
  friend bool operator==(const MailAddresses&, const MailAddresses&) = default;
};

// A 64-bit digest (the icons' perceptual hashes), kept as the number readers
// compare; the report shows its 16 lower-case hex digits.
struct Hash64 {
  std::uint64_t bits = 0;
  [[nodiscard]] std::string hex() const {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i) out[static_cast<std::size_t>(15 - i)] = kDigits[(bits >> (4 * i)) & 0xF];
    return out;
  }
  friend bool operator==(const Hash64&, const Hash64&) = default;
};

using MetaValue = std::variant<std::string, std::int64_t, bool, MailAddresses, Hash64>;

// What a value reads as in the report: a string's text, an address header's
// text, a digest's hex; empty for numbers and flags.
[[nodiscard]] inline std::string meta_text(const MetaValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* a = std::get_if<MailAddresses>(&v)) return a->text;
  if (const auto* h = std::get_if<Hash64>(&v)) return h->hex();
  return {};
}
struct Meta {
  std::string key;
  MetaValue value;
};

template <class T>
concept MetaType = std::same_as<T, std::string> || std::same_as<T, std::int64_t> || std::same_as<T, bool> ||
                   std::same_as<T, MailAddresses> || std::same_as<T, Hash64>;

template <MetaType T>
struct MetaKey {
  std::string_view name;
  std::string_view meaning;
  // The entry a writer records. The parameter is T itself, so a value of
  // another kind (a string for an int key) does not compile.
  [[nodiscard]] Meta operator()(std::type_identity_t<T> value) const {
    return Meta{std::string(name), MetaValue(std::move(value))};
  }
  // For walks over an artifact's entries: m.key == meta::pe::machine.
  friend constexpr bool operator==(const MetaKey& k, std::string_view key) noexcept { return k.name == key; }
};

// One key of a family, named when it is written ("pe.version.CompanyName").
template <MetaType T>
struct NamedMetaKey {
  std::string name;
  [[nodiscard]] Meta operator()(std::type_identity_t<T> value) const { return Meta{name, MetaValue(std::move(value))}; }
};

// Keys that share a declared prefix and differ in a part the writer reads
// from the file ("pe.version.<field>": one key per VERSIONINFO string).
template <MetaType T>
struct MetaKeyFamily {
  std::string_view prefix;       // "pe.version."
  std::string_view placeholder;  // "<field>"
  std::string_view meaning;
  [[nodiscard]] NamedMetaKey<T> operator[](std::string_view part) const {
    std::string name(prefix);
    name += part;
    return {std::move(name)};
  }
  [[nodiscard]] bool contains(std::string_view key) const noexcept {
    return key.size() > prefix.size() && key.starts_with(prefix);
  }
};

enum class MetaKind : std::uint8_t { string, integer, boolean, addresses, hash64 };
template <MetaType T>
inline constexpr MetaKind kMetaKindOf = std::same_as<T, std::string>     ? MetaKind::string
                                        : std::same_as<T, bool>          ? MetaKind::boolean
                                        : std::same_as<T, MailAddresses> ? MetaKind::addresses
                                        : std::same_as<T, Hash64>        ? MetaKind::hash64
                                                                         : MetaKind::integer;

// The catalog's view of one declaration, whatever its type.
struct MetaKeyInfo {
  std::string_view name;         // a family's prefix
  std::string_view placeholder;  // empty unless a family
  MetaKind kind;
  std::string_view meaning;
  template <MetaType T>
  constexpr MetaKeyInfo(const MetaKey<T>& k)  // NOLINT(google-explicit-constructor): lists read as lists
      : name(k.name), placeholder(), kind(kMetaKindOf<T>), meaning(k.meaning) {}
  template <MetaType T>
  constexpr MetaKeyInfo(const MetaKeyFamily<T>& k)  // NOLINT(google-explicit-constructor)
      : name(k.prefix), placeholder(k.placeholder), kind(kMetaKindOf<T>), meaning(k.meaning) {}
};

// The keys one folder writes, as docs/metadata.md shows them.
struct MetaSection {
  std::string_view title;
  std::string_view writer;  // the folder that writes them
  std::string_view about;
  std::span<const MetaKeyInfo> keys;
};

}  // namespace sluice
