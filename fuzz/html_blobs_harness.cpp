// fuzz_html_blobs: bytes straight into the static readers of src/formats/html
// (markup walk, encoded-blob finder, text blobs) without running any script,
// so mutations reach the literal tokenizer and the decoders at full speed.
// fuzz_html (the shared harness) covers the unpacker with the interpreter.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "formats/html/blobs.hpp"
#include "formats/html/markup.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace html = sluice::formats::html;
  const std::string_view doc(reinterpret_cast<const char*>(data), size);
  constexpr std::uint64_t kCap = 1 << 20;
  // Every non-empty decode is a "payload": the finder's bounds are what is checked.
  const html::IsPayload any = [](const std::vector<std::uint8_t>& b) { return !b.empty(); };
  const html::Markup m = html::read_markup(doc, 32, 4096);
  if (m.scripts.size() > 32 || m.data_uris.size() > 32 || m.elements.size() > 32) std::abort();
  for (const auto& e : m.elements) {
    if (e.inner.size() > 4096) std::abort();
  }
  for (const auto& s : m.scripts) {
    std::uint64_t total = 0;
    for (const auto& c : html::find_encoded_blobs(s.code, 8, 16, kCap, any)) total += c.bytes.size();
    if (total > kCap) std::abort();
  }
  const auto found = html::find_encoded_blobs(doc, 8, 16, kCap, any);
  if (found.size() > 16) std::abort();
  if (html::decode_text_blob(doc, kCap, any).bytes.size() > kCap) std::abort();
  return 0;
}
