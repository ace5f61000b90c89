#include "codecs/mapi/names.hpp"

#include "core/text.hpp"

namespace sluice::codecs::mapi {

std::string extension_of(std::string_view name) {
  const auto slash = name.find_last_of("\\/");
  if (slash != std::string_view::npos) name = name.substr(slash + 1);
  // Trailing dots and spaces are dropped by Windows when a file is saved.
  while (!name.empty() && (name.back() == '.' || name.back() == ' ')) name.remove_suffix(1);
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 >= name.size()) return {};
  return core::ascii_lower(name.substr(dot + 1));
}

namespace {
bool compatible(const std::string& a, const std::string& b) {
  if (a == b) return true;
  // An 8.3 name keeps the first three characters of a longer extension.
  if (a.size() == 3 && b.size() > 3 && b.starts_with(a)) return true;
  if (b.size() == 3 && a.size() > 3 && a.starts_with(b)) return true;
  return false;
}
}  // namespace

std::string name_conflict(const std::vector<Name>& names) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string a = extension_of(names[i].value);
    if (a.empty()) continue;
    for (std::size_t j = i + 1; j < names.size(); ++j) {
      const std::string b = extension_of(names[j].value);
      if (b.empty() || compatible(a, b)) continue;
      return names[i].view + " \"" + names[i].value + "\" vs " + names[j].view + " \"" + names[j].value + "\"";
    }
  }
  return {};
}

}  // namespace sluice::codecs::mapi
