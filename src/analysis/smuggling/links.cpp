#include "analysis/smuggling/links.hpp"
#include "core/text.hpp"
#include "meta/html.hpp"
#include "meta/ioc.hpp"

#include <string_view>
#include <unordered_set>

namespace sluice::analysis::smuggling {
namespace {

// What the 2021–2023 campaigns linked to instead of attaching (issue #20).
constexpr std::string_view kExtensions[] = {".iso", ".img", ".vhd", ".vhdx", ".zip", ".7z",
                                            ".rar", ".one", ".js",  ".hta",  ".lnk"};

struct Share {
  std::string_view host;  // the host or a parent domain of it
  std::string_view path;  // the path prefix of a file share ("" = any)
};
// File-hosting share links: the file behind them is whatever the uploader chose.
constexpr Share kShares[] = {
    {"drive.google.com", "/file/"}, {"drive.google.com", "/uc"},   {"docs.google.com", "/uc"},
    {"dropbox.com", "/s/"},         {"dropbox.com", "/scl/fi/"},   {"dl.dropboxusercontent.com", ""},
    {"onedrive.live.com", "/download"}, {"1drv.ms", ""},           {"mega.nz", "/file/"},
    {"mediafire.com", "/file/"},    {"wetransfer.com", "/downloads/"}, {"we.tl", ""},
    {"transfer.sh", ""},            {"sendspace.com", "/file/"},   {"gofile.io", "/d/"},
    {"anonfiles.com", ""},          {"cdn.discordapp.com", "/attachments/"},
    {"firebasestorage.googleapis.com", ""}, {"files.catbox.moe", ""}, {"filetransfer.io", ""}};


bool host_is(std::string_view host, std::string_view domain) {
  return host == domain ||
         (host.size() > domain.size() && host.ends_with(domain) && host[host.size() - domain.size() - 1] == '.');
}

}  // namespace

std::string container_download(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  const std::size_t slash = core::find_any(rest, "/?#");
  std::string_view host = rest.substr(0, slash);
  if (const std::size_t at = host.rfind('@'); at != std::string_view::npos) host = host.substr(at + 1);
  if (const std::size_t colon = host.find(':'); colon != std::string_view::npos) host = host.substr(0, colon);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  for (const Share& s : kShares) {
    if (host_is(host, s.host) && path.starts_with(s.path) && (path.size() > s.path.size() || s.path.empty())) {
      return "a file-hosting share link on " + std::string(host);
    }
  }
  // The file name is the path's last segment before any query or fragment.
  std::string_view p = path.substr(0, core::find_any(path, "?#"));
  const std::size_t cut = p.rfind('/');
  const std::string_view last = p.substr(cut == std::string_view::npos ? 0 : cut + 1);
  for (std::string_view ext : kExtensions) {
    if (last.size() > ext.size() && core::ascii_lower_equals(last.substr(last.size() - ext.size()), ext)) {
      return "a " + std::string(ext) + " file";
    }
  }
  return {};
}

void inspect_links(const ArtifactTree& tree, FindingSink& sink) {
  // Views of the tree's own strings: a newsletter has hundreds of links, and
  // an ordered set of copies was 1.3 % of a ham scan (memcmp, allocation).
  std::unordered_set<std::string_view> seen;
  for (const Artifact& a : tree) {
    for (const Meta& m : a.meta) {
      if (m.key != meta::ioc::url && m.key != meta::html::link) continue;
      const auto* url = std::get_if<std::string>(&m.value);
      if (url == nullptr || !seen.insert(*url).second) continue;
      const std::string why = container_download(*url);
      if (why.empty()) continue;
      sink.add("link.container_download", Severity::medium, a.id, "a link to " + why + ": " + url->substr(0, 200),
               {{"url", *url}});
    }
  }
}

}  // namespace sluice::analysis::smuggling
