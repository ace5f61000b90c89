// fuzz_vhdx_log: bytes straight into the VHDX log reader as the log region
// (src/formats/vhdx/log.cpp). A whole VHDX with a log is over 1 MiB (the log
// sits past the 1 MiB header section), too big for seeds and slow to mutate;
// here every mutation lands in entries, descriptors and data sectors. The
// LogGuid is taken from the first sector's entry, so mutated logs keep
// matching it. The active sequence is then replayed onto a small image.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "formats/vhdx/log.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace vx = sluice::formats::vhdx;
  const sluice::ByteView log(data, size);
  vx::Guid guid{};
  for (std::size_t i = 0; i < guid.size(); ++i) (void)log.byte_at(vx::kLogeGuid + i, guid[i]);
  const vx::LogScan scan = vx::scan_log(log, guid);
  if (scan.active.empty() == scan.why_none.empty()) std::abort();  // exactly one of them
  if (scan.active.size() > scan.valid_entries) std::abort();
  // The replay target: a 256 KiB "file", as if extended up to 1 MiB.
  const std::uint64_t size_after = vx::replayed_size(256 * 1024, scan.active);
  std::vector<std::uint8_t> image(static_cast<std::size_t>(std::min<std::uint64_t>(size_after, 1u << 20)));
  const std::uint64_t cap = 2 * image.size() + size;
  const vx::ReplayStats st = vx::replay_log(log, scan.active, image, cap);
  if (st.written > cap) std::abort();
  return 0;
}
