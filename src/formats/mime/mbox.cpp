#include "formats/mime/mbox.hpp"

#include <string_view>

namespace sluice::formats::mime {

MboxSplit split_mbox(ByteView file, std::size_t limit) {
  MboxSplit out;
  const std::string_view s = file.chars();
  std::vector<std::uint64_t> seps;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const std::size_t nl = s.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? s.size() : nl;
    std::string_view line = s.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.starts_with("From ")) {
      if (seps.size() >= limit) {
        out.limited = true;
        break;
      }
      seps.push_back(pos);
    }
    pos = nl == std::string_view::npos ? s.size() : nl + 1;
  }
  if (!seps.empty()) out.leading_junk = seps.front();
  for (std::size_t i = 0; i < seps.size(); ++i) {
    const std::uint64_t sep = seps[i];
    const std::size_t nl = s.find('\n', sep);
    MboxMessage m;
    m.separator = sep;
    std::string_view from = s.substr(sep, (nl == std::string_view::npos ? s.size() : nl) - sep);
    if (!from.empty() && from.back() == '\r') from.remove_suffix(1);
    m.from_line = std::string(from);
    m.offset = nl == std::string_view::npos ? s.size() : nl + 1;
    std::uint64_t stop = i + 1 < seps.size() ? seps[i + 1] : s.size();
    // The line break before the next separator belongs to the mbox, not the
    // message (Python's mailbox strips it too).
    if (i + 1 < seps.size()) {
      if (stop > m.offset && s[stop - 1] == '\n') --stop;
      if (stop > m.offset && s[stop - 1] == '\r') --stop;
    } else if (stop - m.offset >= 2 && s[stop - 1] == '\n' &&
               (s[stop - 2] == '\n' || (s[stop - 2] == '\r' && stop - m.offset >= 4 &&
                                          s[stop - 3] == '\n' && s[stop - 4] == '\r'))) {
      // The blank line writers append after the last message is the mbox's
      // too, when there is one (Python's mailbox drops it the same way).
      stop -= s[stop - 2] == '\r' ? 2 : 1;
    }
    m.bytes = file.clamp(m.offset, stop > m.offset ? stop - m.offset : 0);
    out.messages.push_back(std::move(m));
  }
  return out;
}

}  // namespace sluice::formats::mime
