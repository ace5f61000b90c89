#pragma once
// Encoded payloads written into a page's script, found without running it:
// string literals (escapes decoded) joined where the code concatenates them
// ("a" + "b", ["a", "b"].join("")), then read as base64 (standard or URL-safe,
// forwards or reversed), hex, or raw bytes from \x / \u escapes; and runs of
// integer literals (String.fromCharCode(…), new Uint8Array([…])). A candidate
// counts only when its decoded bytes are a known file type (the caller sniffs):
// long strings that are not payloads decode to noise and are dropped.
// Pure: one linear pass over the code; decoded bytes bounded by `max_bytes`.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::formats::html {

struct Candidate {
  std::uint64_t offset = 0;  // in the code
  std::string encoding;      // "base64", "base64 reversed", "hex", "escaped bytes", "char codes"
  std::vector<std::uint8_t> bytes;
  bool capped = false;
};

// Accepts decoded bytes that are a payload (the caller's sniffer).
using IsPayload = std::function<bool(const std::vector<std::uint8_t>&)>;

// At most `max_found`; `min_chars` is the shortest encoded form considered.
[[nodiscard]] std::vector<Candidate> find_encoded_blobs(std::string_view code, std::size_t min_chars,
                                                        std::size_t max_found, std::uint64_t max_bytes,
                                                        const IsPayload& is_payload);

// The text as an encoded payload on its own (an element's content, a data: URI
// payload): base64 or hex, forwards or reversed. Empty when none decodes to a payload.
[[nodiscard]] Candidate decode_text_blob(std::string_view text, std::uint64_t max_bytes, const IsPayload& is_payload);

// Tolerant base64 (standard and URL-safe alphabets, whitespace and junk
// skipped), appended to `out` up to `cap` bytes.
void decode_base64_any(std::string_view in, std::vector<std::uint8_t>& out, std::uint64_t cap);

}  // namespace sluice::formats::html
