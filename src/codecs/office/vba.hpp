#pragma once
// VBA projects (MS-OVBA): the `dir` stream that lists the modules, and the
// compression every VBA stream uses. Pure: bytes in, a model and issues out.
// The caller (formats/ole) finds the streams in the compound file.
#include <cstdint>
#include <string>
#include <vector>

#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::codecs::office {

// MS-OVBA 2.4.1: a CompressedContainer → its bytes, at most `max_out` of them.
// `complete` is false when the output stopped at max_out; a container that
// breaks the format's rules (a copy token reaching before its chunk, a bad
// chunk signature) is an error carrying the offset, with what decoded so far
// kept in `partial`.
struct Decompressed {
  std::vector<std::uint8_t> bytes;
  bool complete = true;
};
[[nodiscard]] Result<Decompressed> decompress(ByteView container, std::uint64_t max_out,
                                              std::vector<std::uint8_t>* partial = nullptr);

struct VbaModule {
  std::string name;         // UTF-8: the Unicode name record when present
  std::string stream_name;  // the stream in the VBA storage that holds it (UTF-8)
  std::uint32_t text_offset = 0;  // where the compressed source starts; p-code before it
  bool document_module = false;   // ThisDocument, ThisWorkbook, Sheet1: code behind the document
};

struct VbaProject {
  std::string name;
  std::uint16_t code_page = 1252;
  std::uint32_t sys_kind = 0;
  std::vector<VbaModule> modules;
  std::vector<std::string> references;  // library names the project references
  std::vector<std::string> issues;      // records that broke the rules, each once
};

// The decompressed `dir` stream → the project. Fails only when nothing can be
// read; damage after the project information leaves the modules read so far.
[[nodiscard]] Result<VbaProject> parse_dir(ByteView dir, std::size_t max_modules);

}  // namespace sluice::codecs::office
