// sluice-icon-hash FILE... — prints, per image, the perceptual hashes Sluice
// computes at scan time: "phash<TAB>dhash<TAB>hue<TAB>width<TAB>height<TAB>path".
// PNG files give one line; .ico files one line per image (path#index).
// data/icons/make_reference.sh builds data/icons/reference.tsv with it.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/budget.hpp"
#include "codecs/icon/dib.hpp"
#include "codecs/icon/directory.hpp"
#include "codecs/icon/hash.hpp"
#include "codecs/icon/layout.hpp"
#include "codecs/icon/png.hpp"
#include "codecs/icon/reference.hpp"
#include "sluice/meta_key.hpp"

namespace icon = sluice::codecs::icon;

namespace {

bool print_one(sluice::ByteView image, const std::string& label, const sluice::core::Budget& budget) {
  auto decoded = image.starts_with(icon::kPngSignature) ? icon::decode_png(image, budget)
                                                        : icon::decode_dib(image, budget);
  if (!decoded) {
    std::fprintf(stderr, "%s: %s\n", label.c_str(), decoded.error().what.c_str());
    return false;
  }
  for (const sluice::Anomaly& p : decoded->anomalies) {
    std::fprintf(stderr, "%s: warning: %s\n", label.c_str(), p.message.c_str());
  }
  const icon::Image& img = decoded->model.image;
  if (img.rgba.empty()) return false;  // sides past the cap: said above
  const icon::IconHash h = icon::hash_image(img);
  std::printf("%s\t%s\t%u\t%u\t%u\t%s\n", sluice::Hash64{h.phash}.hex().c_str(), sluice::Hash64{h.dhash}.hex().c_str(),
              static_cast<unsigned>(h.hue), img.width, img.height, label.c_str());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const sluice::Limits limits;
  const sluice::core::Budget budget(limits, sluice::core::Budget::Clock::now());
  int failures = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string path = argv[i];
    std::ifstream in(path, std::ios::binary);
    const std::vector<std::uint8_t> data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "%s: cannot read\n", path.c_str());
      ++failures;
      continue;
    }
    const sluice::ByteView bytes(data.data(), data.size());
    if (bytes.starts_with(icon::kPngSignature)) {
      failures += print_one(bytes, path, budget) ? 0 : 1;
      continue;
    }
    auto dir = icon::parse_directory(bytes, /*group=*/false);
    if (!dir) {
      std::fprintf(stderr, "%s: neither PNG nor ICO: %s\n", path.c_str(), dir.error().what.c_str());
      ++failures;
      continue;
    }
    for (std::size_t k = 0; k < dir->entries.size(); ++k) {
      const auto& e = dir->entries[k];
      failures += print_one(bytes.clamp(e.offset, e.bytes), path + "#" + std::to_string(k), budget) ? 0 : 1;
    }
  }
  return failures == 0 ? 0 : 1;
}
