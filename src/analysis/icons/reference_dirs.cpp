// The user's own reference icons (e.g. their vendor's PDF icon), read once at
// engine start. This is configuration, not scanned input, but it is decoded by
// the same bounded decoders all the same.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "analysis/icons/icons_detector.hpp"
#include "core/budget.hpp"
#include "core/text.hpp"
#include "codecs/icon/dib.hpp"
#include "codecs/icon/directory.hpp"
#include "codecs/icon/layout.hpp"
#include "codecs/icon/png.hpp"

namespace sluice::analysis::icons {
namespace {

namespace fs = std::filesystem;
using codecs::icon::Reference;

// Far more than anyone's vendor icons; a folder past it is a mistake.
constexpr std::size_t kMaxFiles = 10'000;
constexpr std::uintmax_t kMaxFileBytes = 4u << 20;

std::unexpected<Error> config_error(const fs::path& p, const std::string& what) {
  return fail(Errc::invalid_argument, 0, "icons.reference_dirs: " + p.string() + ": " + what);
}

Result<codecs::icon::Image> decode(ByteView b, const core::Budget& budget) {
  auto d = b.starts_with(codecs::icon::kPngSignature) ? codecs::icon::decode_png(b, budget)
                                                       : codecs::icon::decode_dib(b, budget);
  if (!d) return std::unexpected(d.error());
  if (d->model.image.rgba.empty()) {  // sides past limits.icon.max_side
    return fail(Errc::limit, 0, d->anomalies.empty() ? std::string("no pixels") : d->anomalies.front().message);
  }
  return std::move(d->model.image);
}

Status add_file(const fs::path& file, const std::string& category, const core::Budget& budget,
                std::vector<Reference>& out) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec) return config_error(file, ec.message());
  if (size > kMaxFileBytes) return config_error(file, "larger than 4 MiB");
  std::ifstream in(file, std::ios::binary);
  const std::vector<std::uint8_t> data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (!in.good() && !in.eof()) return config_error(file, "cannot be read");
  const ByteView bytes(data.data(), data.size());
  std::vector<ByteView> images;
  if (bytes.starts_with(codecs::icon::kPngSignature)) {
    images.push_back(bytes);
  } else {
    auto dir = codecs::icon::parse_directory(bytes, /*group=*/false);
    if (!dir) return config_error(file, dir.error().what);
    for (const auto& e : dir->entries) images.push_back(bytes.clamp(e.offset, e.bytes));
  }
  for (ByteView image : images) {
    auto decoded = decode(image, budget);
    if (!decoded) return config_error(file, decoded.error().what);
    Reference r;
    r.hash = codecs::icon::hash_image(*decoded);
    r.category = category;
    r.theme = "user";
    r.size = std::max(decoded->width, decoded->height);
    r.name = file.filename().string();
    out.push_back(std::move(r));
  }
  return {};
}

}  // namespace

Result<std::vector<Reference>> load_reference_dirs(const std::vector<std::string>& dirs) {
  std::vector<Reference> out;
  const Limits limits;
  const core::Budget budget(limits, core::Budget::Clock::now());
  std::size_t files = 0;
  for (const std::string& d : dirs) {
    std::error_code ec;
    // Sorted, so the reference order (and with it which of two equally near
    // references is reported) does not depend on the file system.
    std::vector<fs::path> categories;
    for (fs::directory_iterator it(d, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_directory(ec)) categories.push_back(it->path());
    }
    if (ec) return config_error(d, ec.message());
    std::sort(categories.begin(), categories.end());
    for (const fs::path& cat : categories) {
      std::vector<fs::path> paths;
      for (fs::directory_iterator it(cat, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string ext = core::ascii_lower(it->path().extension().string());
        if ((ext == ".png" || ext == ".ico") && it->is_regular_file(ec)) paths.push_back(it->path());
      }
      if (ec) return config_error(cat, ec.message());
      std::sort(paths.begin(), paths.end());
      for (const fs::path& p : paths) {
        if (++files > kMaxFiles) return config_error(d, "more than 10000 icon files");
        if (auto st = add_file(p, cat.filename().string(), budget, out); !st) return std::unexpected(st.error());
      }
    }
  }
  return out;
}

}  // namespace sluice::analysis::icons
