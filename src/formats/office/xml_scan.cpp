#include "formats/office/xml_scan.hpp"

#include <charconv>

#include "core/text.hpp"

namespace sluice::formats::office {

std::string unescape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out += raw[i];
      continue;
    }
    const std::size_t semi = raw.find(';', i + 1);
    if (semi == std::string_view::npos || semi - i > 12) {
      out += '&';
      continue;
    }
    const std::string_view ent = raw.substr(i + 1, semi - i - 1);
    if (ent == "lt") {
      out += '<';
    } else if (ent == "gt") {
      out += '>';
    } else if (ent == "amp") {
      out += '&';
    } else if (ent == "quot") {
      out += '"';
    } else if (ent == "apos") {
      out += '\'';
    } else if (ent.size() > 1 && ent[0] == '#') {
      std::uint32_t cp = 0;
      const bool hex = ent[1] == 'x' || ent[1] == 'X';
      const std::string_view digits = ent.substr(hex ? 2 : 1);
      const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) {
        out += '&';
        continue;
      }
      core::append_utf8(out, static_cast<char32_t>(cp));
    } else {
      out += '&';
      continue;
    }
    i = semi;
  }
  return out;
}

std::optional<std::string> attr(std::string_view attrs, std::string_view local) {
  std::size_t i = 0;
  while (i < attrs.size()) {
    while (i < attrs.size() && (attrs[i] == ' ' || attrs[i] == '\t' || attrs[i] == '\r' || attrs[i] == '\n')) ++i;
    const std::size_t eq = attrs.find('=', i);
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view name = attrs.substr(i, eq - i);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (const std::size_t colon = name.rfind(':'); colon != std::string_view::npos) name.remove_prefix(colon + 1);
    std::size_t q = eq + 1;
    while (q < attrs.size() && (attrs[q] == ' ' || attrs[q] == '\t' || attrs[q] == '\r' || attrs[q] == '\n')) ++q;
    if (q >= attrs.size() || (attrs[q] != '"' && attrs[q] != '\'')) return std::nullopt;
    const std::size_t close = attrs.find(attrs[q], q + 1);
    if (close == std::string_view::npos) return std::nullopt;
    if (name == local) return unescape(attrs.substr(q + 1, close - q - 1));
    i = close + 1;
  }
  return std::nullopt;
}

}  // namespace sluice::formats::office
