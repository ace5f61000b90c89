#include "codecs/text/addresses.hpp"

#include "core/text.hpp"

namespace sluice::codecs::text {
namespace {

// Folding whitespace too: a header unfolded by a lenient reader may keep it.
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

Mailbox read_mailbox(std::string_view text) {
  Mailbox m;
  std::string_view addr = text;
  const auto lt = text.rfind('<');
  const auto gt = text.rfind('>');
  if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt) {
    addr = text.substr(lt + 1, gt - lt - 1);
    std::string_view disp = trim(text.substr(0, lt));
    if (disp.size() >= 2 && disp.front() == '"' && disp.back() == '"') disp = disp.substr(1, disp.size() - 2);
    m.display = std::string(disp);
  }
  m.address = std::string(trim(addr));
  const auto at = addr.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view d = addr.substr(at + 1);
    while (!d.empty() && (d.back() == ' ' || d.back() == '.' || d.back() == '>')) d.remove_suffix(1);
    m.domain = core::ascii_lower(d);
  }
  return m;
}

std::vector<std::string_view> split_mailboxes(std::string_view header) {
  std::vector<std::string_view> out;
  bool quoted = false;
  int angle = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= header.size(); ++i) {
    const char c = i < header.size() ? header[i] : ',';
    if (c == '"') quoted = !quoted;
    if (!quoted && c == '<') ++angle;
    if (!quoted && c == '>' && angle > 0) --angle;
    // The end closes the last mailbox even inside an unbalanced quote or
    // bracket, so a damaged header still shows what it names.
    if ((c == ',' && !quoted && angle == 0) || i == header.size()) {
      const std::string_view part = header.substr(start, i - start);
      if (!trim(part).empty()) out.push_back(part);
      start = i + 1;
      if (out.size() >= kMaxMailboxes) break;
    }
  }
  return out;
}

MailAddresses read_addresses(std::string text, AddressForm form) {
  MailAddresses a;
  a.text = std::move(text);
  if (form == AddressForm::one) {
    a.mailboxes.push_back(read_mailbox(a.text));
  } else {
    for (std::string_view m : split_mailboxes(a.text)) a.mailboxes.push_back(read_mailbox(m));
  }
  return a;
}

}  // namespace sluice::codecs::text
