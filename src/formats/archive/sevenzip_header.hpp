#pragma once
// The 7z header read by hand (7-Zip's DOC/7zFormat.txt), as far as needed to
// find and remove its AES coders: signature header, StreamsInfo (pack sizes,
// folders with their coder graphs, sub-stream sizes and CRCs) and the byte
// ranges of the parts passed through unchanged (archive properties, files).
// Pure: ByteView in, model out; counts bounded by the caller's limits.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::archive::sevenzip {

inline constexpr std::size_t kSignatureHeaderSize = 32;

// Property IDs (7zFormat.txt "Property IDs").
enum Id : std::uint8_t {
  kEnd = 0x00, kHeader = 0x01, kArchiveProperties = 0x02, kAdditionalStreamsInfo = 0x03,
  kMainStreamsInfo = 0x04, kFilesInfo = 0x05, kPackInfo = 0x06, kUnpackInfo = 0x07,
  kSubStreamsInfo = 0x08, kSize = 0x09, kCrc = 0x0A, kFolder = 0x0B, kCodersUnpackSize = 0x0C,
  kNumUnpackStream = 0x0D, kEncodedHeader = 0x17,
};

struct SignatureHeader {
  std::uint8_t major = 0, minor = 0;
  std::uint64_t next_offset = 0;  // from the end of the signature header
  std::uint64_t next_size = 0;
  std::uint32_t next_crc = 0;
  bool start_crc_ok = false;
};
[[nodiscard]] Result<SignatureHeader> parse_signature_header(ByteView file);

struct Coder {
  std::vector<std::uint8_t> id;  // 0..15 bytes
  std::uint32_t num_in = 1;      // pack-side streams (decoder inputs)
  std::uint32_t num_out = 1;     // unpack-side streams (decoder outputs)
  std::vector<std::uint8_t> props;
};
struct BindPair {
  std::uint32_t in = 0;   // a decoder input ...
  std::uint32_t out = 0;  // ... fed by this decoder output
};
struct Folder {
  std::vector<Coder> coders;
  std::vector<BindPair> binds;
  std::vector<std::uint32_t> packed;  // in-stream index of each pack stream, in order
  std::vector<std::uint64_t> unpack_sizes;  // one per out stream
  std::optional<std::uint32_t> crc;         // of the folder's final output

  [[nodiscard]] std::uint32_t total_in() const noexcept;
  [[nodiscard]] std::uint32_t total_out() const noexcept;
  // The coder that owns in-stream `in` / out-stream `out`, and its first index.
  [[nodiscard]] std::optional<std::size_t> coder_of_in(std::uint32_t in) const noexcept;
  [[nodiscard]] std::optional<std::size_t> coder_of_out(std::uint32_t out) const noexcept;
  [[nodiscard]] std::uint32_t first_in(std::size_t coder) const noexcept;
  [[nodiscard]] std::uint32_t first_out(std::size_t coder) const noexcept;
  // The out stream no bind pair consumes: the folder's result.
  [[nodiscard]] std::optional<std::uint32_t> main_out() const noexcept;
  [[nodiscard]] std::uint64_t unpack_size() const noexcept;
};

struct Span {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

struct StreamsInfo {
  std::uint64_t pack_pos = 0;  // from the end of the signature header
  std::vector<std::uint64_t> pack_sizes;
  std::vector<Folder> folders;
  // Sub-streams (the files a solid folder holds): counts, and per folder the
  // first file's size and CRC (enough to verify a password on one file).
  std::vector<std::uint64_t> num_substreams;
  std::vector<std::uint64_t> first_size;
  std::vector<std::optional<std::uint32_t>> first_crc;
  std::optional<Span> substreams_raw;  // kSubStreamsInfo .. its kEnd

  // Where folder `f`'s pack streams start in pack_sizes.
  [[nodiscard]] std::size_t first_pack_stream(std::size_t f) const noexcept;
};

struct Header {
  bool encoded = false;                // kEncodedHeader: `main` describes the real header
  std::optional<Span> archive_properties;
  bool additional_streams = false;     // kAdditionalStreamsInfo (not rewritten)
  std::optional<StreamsInfo> main;
  std::optional<Span> files_raw;       // kFilesInfo .. its kEnd
};

struct HeaderCaps {
  std::uint64_t max_folders = 10'000;
  std::uint64_t max_pack_streams = 10'000;
};

// `bytes` is one (decoded) header starting with kHeader or kEncodedHeader.
[[nodiscard]] Result<Header> parse_header(ByteView bytes, const HeaderCaps& caps = {});

// The AES coder's method id.
[[nodiscard]] bool is_aes(const Coder& c) noexcept;
[[nodiscard]] bool has_aes(const StreamsInfo& s) noexcept;

// 7z's variable-length NUMBER, appended to `out`.
void put_number(std::vector<std::uint8_t>& out, std::uint64_t v);

}  // namespace sluice::formats::archive::sevenzip
