#pragma once
// What an artifact is, decided from its bytes alone (never from its name: the
// name is the attacker's claim, the content is the fact).
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sluice {

enum class FileType : std::uint16_t {
  unknown,
  text,
  // mail
  email,
  mbox,
  tnef,
  outlook_msg,  // Outlook .msg: an OLE2 compound file holding one message (MS-OXMSG)
  // compression and archives
  gzip,
  bzip2,
  xz,
  zstd,
  lzma,
  zip,
  sevenzip,
  rar,
  cab,
  tar,
  arj,
  cpio,
  lha,
  ar,
  // disc and disk images
  iso9660,
  udf,
  mbr,
  gpt,
  fat,
  exfat,
  ntfs,
  vhd,
  vhdx,
  dmg,
  // executables and droppers
  pe_exe,
  pe_dll,
  elf,
  macho,
  lnk,
  msi,
  chm,
  script_js,
  script_vbs,
  script_hta,
  script_bat,
  script_ps1,
  script_wsf,
  script_encoded,  // Microsoft Script Encoder output (.vbe/.jse): #@~^ ... ^#~@
  // documents and media
  pdf,
  ole2,
  rtf,
  html,
  png,
  jpeg,
  gif,
  ico,
  svg,  // SVG image: XML that may carry <script> (HTML smuggling)
  onenote,  // OneNote section (.one, MS-ONESTORE revision store)
  vba,         // VBA module source ("Attribute VB_Name = ..."), as a macro document holds it
  office_xml,  // an Office XML part: OOXML package parts, Word/Excel 2003 XML, flat OPC
  activemime,  // ActiveMime: a zlib-compressed compound file (editdata.mso, MHT documents)
  biff12,      // an Excel binary part of an .xlsb (workbook, sheet, external link: MS-XLSB records)
};

enum class TypeClass : std::uint8_t { other, mail, archive, disk_image, executable, document, media };

struct FileTypeInfo {
  FileType type;
  std::string_view name;  // stable, lower-case: used in reports, config and docs
  TypeClass cls;
  std::string_view description;
};

[[nodiscard]] const FileTypeInfo& info(FileType type) noexcept;
[[nodiscard]] std::span<const FileTypeInfo> all_file_types() noexcept;
[[nodiscard]] inline std::string_view to_string(FileType t) noexcept { return info(t).name; }
[[nodiscard]] std::optional<FileType> file_type_from_string(std::string_view name) noexcept;
[[nodiscard]] inline bool is_executable(FileType t) noexcept {
  return info(t).cls == TypeClass::executable;
}
// Containers whose members Windows does not tag with Mark-of-the-Web when the
// container is opened: the reason attackers mail disk images.
[[nodiscard]] bool strips_mark_of_the_web(FileType t) noexcept;

}  // namespace sluice
