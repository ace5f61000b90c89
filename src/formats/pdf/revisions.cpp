#include "formats/pdf/revisions.hpp"

#include <string_view>

namespace sluice::formats::pdf {

std::vector<std::uint64_t> revision_ends(ByteView pdf) {
  std::vector<std::uint64_t> out;
  const std::string_view s = pdf.chars();
  constexpr std::string_view kEof = "%%EOF";
  for (std::size_t at = s.find(kEof); at != std::string_view::npos; at = s.find(kEof, at + kEof.size())) {
    std::size_t end = at + kEof.size();
    if (end < s.size() && s[end] == '\r') ++end;
    if (end < s.size() && s[end] == '\n') ++end;
    out.push_back(end);
  }
  return out;
}

}  // namespace sluice::formats::pdf
