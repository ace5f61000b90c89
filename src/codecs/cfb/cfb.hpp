#pragma once
// A compound file (MS-CFB) reader: header, DIFAT, FAT, mini FAT, directory, and
// streams read through their chains. Pure and bounded by the input: every chain
// walk stops after as many steps as there are sectors and marks what it visited,
// so cycles, chains past the end and cross-links are reported, never followed.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sluice/finding.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::codecs::cfb {


struct DirEntry {
  std::string name;  // UTF-8
  std::uint8_t type = 0;
  std::uint32_t left = 0, right = 0, child = 0;
  std::uint32_t start = 0;
  std::uint64_t size = 0;
};

// Bytes of one stream: a view when its sectors lie in order in the file (no
// copy: Outlook writes most attachment streams contiguously), an owned buffer
// when the chain is fragmented or the stream lives in the mini stream.
struct StreamBytes {
  ByteView view;
  std::vector<std::uint8_t> owned;
  bool is_view = true;
  bool short_chain = false;  // the chain ended before `size` bytes
  [[nodiscard]] ByteView bytes() const noexcept {
    return is_view ? view : ByteView(owned.data(), owned.size());
  }
};

class CompoundFile {
 public:
  // Fails when the header is unusable; later damage becomes issues.
  [[nodiscard]] static Result<CompoundFile> parse(ByteView bytes, std::vector<Anomaly>& issues);

  [[nodiscard]] const std::vector<DirEntry>& entries() const noexcept { return entries_; }
  // Children of a storage, in tree order, walked iteratively. Each entry is
  // handed out once per file: a second visit is a cycle or a cross-link.
  // Asking again for the same storage returns the same list.
  [[nodiscard]] std::vector<std::uint32_t> children(std::uint32_t storage, std::vector<Anomaly>& issues);
  // At most `max_bytes` of a stream; the sectors it takes are claimed, and a
  // sector another stream already claimed is reported as a cross-link.
  [[nodiscard]] StreamBytes read(std::uint32_t entry, std::uint64_t max_bytes, std::vector<Anomaly>& issues);

 private:
  struct Extent {
    std::uint64_t offset, length;
  };
  [[nodiscard]] std::vector<std::uint32_t> chain(const std::vector<std::uint32_t>& table, std::uint32_t start,
                                                 std::uint64_t max_steps, const char* what,
                                                 std::vector<Anomaly>& issues) const;
  [[nodiscard]] std::uint64_t sector_offset(std::uint32_t sector) const noexcept {
    return (static_cast<std::uint64_t>(sector) + 1) << shift_;
  }
  [[nodiscard]] std::vector<std::uint32_t> read_table(const std::vector<std::uint32_t>& sectors) const;

  ByteView bytes_;
  std::uint32_t shift_ = 9;
  std::uint64_t sector_size_ = 512;
  std::uint64_t mini_size_ = 64;
  std::uint64_t mini_cutoff_ = 4096;
  std::uint64_t sectors_in_file_ = 0;
  std::vector<std::uint32_t> fat_;
  std::vector<std::uint32_t> minifat_;
  std::vector<std::uint32_t> ministream_;  // sectors of the root's mini stream container
  std::vector<DirEntry> entries_;
  std::vector<bool> dir_seen_;
  std::vector<bool> claimed_, mini_claimed_;
  std::map<std::uint32_t, std::vector<std::uint32_t>> expanded_;  // storage → its children
};

}  // namespace sluice::codecs::cfb
