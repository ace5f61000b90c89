#pragma once
// What a file name claims to be, by extension, as Windows Explorer decides it.
#include <string>
#include <string_view>

namespace sluice::analysis::names {

enum class Claim : unsigned char { none, executable, document, image, archive, disk_image, other };

// The last extension, lower-cased ASCII, without the dot; empty if none.
[[nodiscard]] std::string last_extension(std::string_view name);
[[nodiscard]] Claim claim_of(std::string_view extension) noexcept;
[[nodiscard]] std::string_view to_string(Claim c) noexcept;

// The Office application and container an extension names: {"word", "ole2"}
// for .doc, {"excel", "ooxml"} for .xlsm; empty for anything else. Office
// opens a document by its content, so a name that says otherwise only
// misleads the reader and the filters that trust names.
struct OfficeClaim {
  std::string_view application, container;
};
[[nodiscard]] OfficeClaim office_claim_of(std::string_view extension) noexcept;

}  // namespace sluice::analysis::names
