#include "formats/script/blobs.hpp"

#include "core/text.hpp"

namespace sluice::formats::script {
namespace {

bool b64(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// Just before a run: spaces or a quote, then "-e", "-ec", "-enc", ... or
// "-encodedcommand" (any prefix; PowerShell takes "-e" and "-ec" too), with
// "-" or "/". Looks back a bounded distance.
bool after_encoded_command_switch(std::string_view t, std::size_t run) noexcept {
  std::size_t i = run;
  for (int n = 0; n < 8 && i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t' || t[i - 1] == '"' || t[i - 1] == '\'' ||
                                     t[i - 1] == ':');
       ++n)
    --i;
  std::size_t w = i;
  while (w > 0 && i - w < 16 && ((t[w - 1] >= 'a' && t[w - 1] <= 'z') || (t[w - 1] >= 'A' && t[w - 1] <= 'Z'))) --w;
  if (w == i || w == 0 || (t[w - 1] != '-' && t[w - 1] != '/')) return false;
  std::string_view word = t.substr(w, i - w);
  constexpr std::string_view kFull = "encodedcommand";
  if (word.size() == 2 && core::ascii_lower(word[0]) == 'e' && core::ascii_lower(word[1]) == 'c') return true;
  if (word.size() > kFull.size()) return false;
  for (std::size_t k = 0; k < word.size(); ++k) {
    if (core::ascii_lower(word[k]) != kFull[k]) return false;
  }
  return true;
}

}  // namespace

std::vector<Base64Run> find_base64_runs(std::string_view t, std::size_t min_blob, std::size_t min_command,
                                        std::size_t max_runs) {
  std::vector<Base64Run> out;
  std::size_t i = 0;
  while (i < t.size() && out.size() < max_runs) {
    if (!b64(t[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    bool upper = false, lower_case = false, non_hex = false;
    while (i < t.size() && b64(t[i])) {
      const char c = t[i];
      upper = upper || (c >= 'A' && c <= 'Z');
      lower_case = lower_case || (c >= 'a' && c <= 'z');
      non_hex = non_hex || !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
      ++i;
    }
    std::size_t end = i;
    while (end < t.size() && end - i < 2 && t[end] == '=') ++end;
    const std::size_t len = end - start;
    const bool command = len >= min_command && after_encoded_command_switch(t, start);
    if ((command || len >= min_blob) && upper && lower_case && non_hex) {
      out.push_back(Base64Run{start, len, command});
    }
    i = end;
  }
  return out;
}

}  // namespace sluice::formats::script
