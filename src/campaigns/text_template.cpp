// Templates of the text a mailer fills in per recipient. Campaign mail differs
// in invoice numbers, dates, tracking codes and addresses while its wording
// stays; taking those out leaves the wording (Microsoft's 2020 waves: "SBA
// Loan #38271 approval" → "sba loan # approval").
#include <cctype>

#include "campaigns/fingerprint.hpp"

namespace sluice::campaigns {
namespace {

bool space(unsigned char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

// Lower-cased, each run of digits one '#'.
std::string digits_abstracted(std::string_view t) {
  std::string out;
  bool in_digits = false;
  for (unsigned char c : t) {
    if (std::isdigit(c)) {
      if (!in_digits) out += '#';
      in_digits = true;
      continue;
    }
    in_digits = false;
    out += static_cast<char>(c < 0x80 ? std::tolower(c) : c);
  }
  return out;
}

// One whitespace-free token, lower-cased and abstracted.
std::string abstract_token(std::string_view t) {
  bool digit = false;
  bool alpha = false;
  bool at = false;
  for (unsigned char c : t) {
    digit |= std::isdigit(c) != 0;
    alpha |= std::isalpha(c) != 0;
    at |= c == '@';
  }
  if (at) return "@";
  if (t.starts_with("http://") || t.starts_with("https://") || t.starts_with("www.")) return "url";
  std::string out;
  if (digit && alpha) {
    // A code ("AB12CD", "INV-2020-X7"): its punctuation stays, its letters and
    // digits become one mark per run.
    bool in_code = false;
    for (unsigned char c : t) {
      if (std::isalnum(c)) {
        if (!in_code) out += '*';
        in_code = true;
      } else {
        out += static_cast<char>(c);
        in_code = false;
      }
    }
    return out;
  }
  return digits_abstracted(t);
}

}  // namespace

std::string text_template(std::string_view text, std::size_t max) {
  text = text.substr(0, max);
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && space(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t j = i;
    while (j < text.size() && !space(static_cast<unsigned char>(text[j]))) ++j;
    if (j > i) {
      std::string tok = abstract_token(text.substr(i, j - i));
      // Reply and forward prefixes are the victim's client talking, not the actor.
      const bool prefix = out.empty() && (tok == "re:" || tok == "fw:" || tok == "fwd:" || tok == "aw:" || tok == "wg:");
      if (!prefix) {
        if (!out.empty()) out += ' ';
        out += tok;
      }
    }
    i = j;
  }
  return out;
}

std::string name_pattern(std::string_view name) { return digits_abstracted(name.substr(0, 255)); }

}  // namespace sluice::campaigns
