#pragma once
// The script as UTF-8 text, whatever it was saved as. Windows Script Host and
// PowerShell both read UTF-16LE with a BOM (PowerShell ISE's default for years,
// and what "Out-File" writes), so indicators must be searched in the decoded
// characters, not in the bytes.
#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/byte_view.hpp"

namespace sluice::formats::script {

enum class Encoding : std::uint8_t { bytes, utf8_bom, utf16le, utf16be };

struct ScriptText {
  Encoding encoding = Encoding::bytes;
  ByteView original;
  std::string decoded;  // only for UTF-16: other texts are read in place
  // The characters to scan: a view of the artifact, or of `decoded`.
  [[nodiscard]] std::string_view view() const noexcept {
    switch (encoding) {
      case Encoding::bytes: return original.chars();
      case Encoding::utf8_bom: return original.tail(3).chars();
      default: return decoded;
    }
  }
};

// UTF-16 is recognised by its BOM, or (no BOM) by NULs in every odd byte of the
// first 512 bytes: how PowerShell -EncodedCommand text and BOM-less exports look.
[[nodiscard]] ScriptText normalise(ByteView bytes);

// The UTF-16LE bytes of a PowerShell -EncodedCommand as UTF-8.
[[nodiscard]] std::string utf16le_text(ByteView bytes);

[[nodiscard]] std::string_view to_string(Encoding e) noexcept;

}  // namespace sluice::formats::script
