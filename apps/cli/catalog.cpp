#include "catalog.hpp"

#include <cstdio>
#include <vector>

#include "keys.hpp"

namespace sluice::embedded {
extern const char* const kFindingsMd;
}

namespace sluice::cli {
namespace {

// Entries in docs/findings.md start with a heading "### `id`".
std::vector<std::pair<std::string, std::string>> entries() {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string_view doc = embedded::kFindingsMd;
  std::size_t pos = 0;
  while ((pos = doc.find("\n### `", pos)) != std::string_view::npos) {
    const std::size_t id_start = pos + 6;
    const std::size_t id_end = doc.find('`', id_start);
    if (id_end == std::string_view::npos) break;
    std::size_t end = doc.find("\n#", id_end);
    if (end == std::string_view::npos) end = doc.size();
    out.emplace_back(std::string(doc.substr(id_start, id_end - id_start)),
                     std::string(doc.substr(pos + 1, end - pos - 1)));
    pos = end;
  }
  return out;
}

}  // namespace

std::string catalog_entry(std::string_view id) {
  for (auto& [k, v] : entries()) {
    if (k == id) return v;
  }
  return {};
}

int run_explain(const std::string& id) {
  const std::string e = catalog_entry(id);
  if (!e.empty()) {
    std::fputs(e.c_str(), stdout);
    if (e.back() != '\n') std::fputc('\n', stdout);
    return 0;
  }
  if (const std::string k = metadata_entry(id); !k.empty()) {
    std::fputs(k.c_str(), stdout);
    return 0;
  }
  std::fprintf(stderr, "sluice: no finding or meta key '%s' (`sluice keys` lists the keys). Known finding IDs:\n",
               id.c_str());
  for (const auto& [k, v] : entries()) std::fprintf(stderr, "  %s\n", k.c_str());
  return 2;
}

}  // namespace sluice::cli
