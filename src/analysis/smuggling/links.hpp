#pragma once
// link.container_download: URLs (ioc.url from mail text and scripts, html.link
// from HTML/SVG documents) that point at a disk image, archive, script or
// shortcut download, or at a file-hosting share link. Nothing is fetched.
#include <string>
#include <string_view>

#include "analysis/detector.hpp"

namespace sluice::analysis::smuggling {

// Why `url` (normalised: lower-case scheme and host) is a container download:
// "a .iso file", "a share link on drive.google.com"; empty when it is not.
[[nodiscard]] std::string container_download(std::string_view url);

void inspect_links(const ArtifactTree& tree, FindingSink& sink);

}  // namespace sluice::analysis::smuggling
