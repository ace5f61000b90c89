#pragma once
// Microsoft Script Encoder (screnc.exe; "VBScript.Encode" / "JScript.Encode")
// blocks: "#@~^" LLLLLL "==" data CCCCCC "==^#~@". LLLLLL is the base64 of the
// little-endian 32-bit count of encoded bytes, CCCCCC the base64 of the sum of
// the decoded bytes. The scheme is a substitution over three tables chosen by
// a fixed 64-entry pattern, with "@" escapes for CR, LF, '<', '>' and '@'.
// Pure: text in, decoded bytes and problems out; the caller charges the budget.
#include <cstdint>
#include <string_view>
#include <vector>

namespace sluice::formats::script {

struct EncodedBlock {
  std::uint64_t begin = 0;  // offset of "#@~^"
  std::uint64_t end = 0;    // past "^#~@" (or the text's end when unterminated)
  std::uint32_t declared_length = 0;
  std::vector<std::uint8_t> decoded;
  bool length_valid = false;    // the length field is base64 of a plausible count
  bool terminated = false;      // checksum and "^#~@" found where the length says
  bool checksum_present = false;
  bool checksum_ok = false;
  bool capped = false;          // decoding stopped at the caller's cap
};

// Every block in `text`, at most `max_blocks`, each decoding at most `cap`
// bytes in total across blocks. Bounded by the text's length.
[[nodiscard]] std::vector<EncodedBlock> decode_encoded_blocks(std::string_view text, std::size_t max_blocks,
                                                              std::uint64_t cap);

// The substitution alone (no markers), for tests: decodes `data` as the body
// of one block.
[[nodiscard]] std::vector<std::uint8_t> decode_body(std::string_view data, std::uint64_t cap, bool& capped);

}  // namespace sluice::formats::script
