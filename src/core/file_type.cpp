#include <algorithm>
#include <array>

#include "sluice/file_type.hpp"

namespace sluice {
namespace {

using enum TypeClass;

constexpr std::array kTypes{
    FileTypeInfo{FileType::unknown, "unknown", other, "unrecognised bytes"},
    FileTypeInfo{FileType::text, "text", other, "plain text"},
    FileTypeInfo{FileType::email, "email", mail, "RFC 5322 message"},
    FileTypeInfo{FileType::mbox, "mbox", mail, "mbox mailbox"},
    FileTypeInfo{FileType::tnef, "tnef", mail, "TNEF (winmail.dat)"},
    FileTypeInfo{FileType::outlook_msg, "outlook-msg", mail, "Outlook message (.msg)"},
    FileTypeInfo{FileType::gzip, "gzip", archive, "gzip stream"},
    FileTypeInfo{FileType::bzip2, "bzip2", archive, "bzip2 stream"},
    FileTypeInfo{FileType::xz, "xz", archive, "xz stream"},
    FileTypeInfo{FileType::zstd, "zstd", archive, "Zstandard stream"},
    FileTypeInfo{FileType::lzma, "lzma", archive, "LZMA-alone stream"},
    FileTypeInfo{FileType::zip, "zip", archive, "ZIP archive"},
    FileTypeInfo{FileType::sevenzip, "7z", archive, "7-Zip archive"},
    FileTypeInfo{FileType::rar, "rar", archive, "RAR archive"},
    FileTypeInfo{FileType::cab, "cab", archive, "Microsoft Cabinet"},
    FileTypeInfo{FileType::tar, "tar", archive, "tar archive"},
    FileTypeInfo{FileType::arj, "arj", archive, "ARJ archive"},
    FileTypeInfo{FileType::cpio, "cpio", archive, "cpio archive"},
    FileTypeInfo{FileType::lha, "lha", archive, "LHA / LZH archive"},
    FileTypeInfo{FileType::ar, "ar", archive, "Unix ar archive (.a, .deb, .lib)"},
    FileTypeInfo{FileType::iso9660, "iso9660", disk_image, "ISO 9660 disc image"},
    FileTypeInfo{FileType::udf, "udf", disk_image, "UDF disc image"},
    FileTypeInfo{FileType::mbr, "mbr", disk_image, "MBR-partitioned disk"},
    FileTypeInfo{FileType::gpt, "gpt", disk_image, "GPT-partitioned disk"},
    FileTypeInfo{FileType::fat, "fat", disk_image, "FAT12/16/32 volume"},
    FileTypeInfo{FileType::exfat, "exfat", disk_image, "exFAT volume"},
    FileTypeInfo{FileType::ntfs, "ntfs", disk_image, "NTFS volume"},
    FileTypeInfo{FileType::vhd, "vhd", disk_image, "Virtual Hard Disk (VHD)"},
    FileTypeInfo{FileType::vhdx, "vhdx", disk_image, "Virtual Hard Disk v2 (VHDX)"},
    FileTypeInfo{FileType::dmg, "dmg", disk_image, "Apple disk image"},
    FileTypeInfo{FileType::pe_exe, "pe-exe", executable, "Windows executable"},
    FileTypeInfo{FileType::pe_dll, "pe-dll", executable, "Windows DLL"},
    FileTypeInfo{FileType::elf, "elf", executable, "ELF executable"},
    FileTypeInfo{FileType::macho, "macho", executable, "Mach-O executable"},
    FileTypeInfo{FileType::lnk, "lnk", executable, "Windows shortcut (LNK)"},
    FileTypeInfo{FileType::msi, "msi", executable, "Windows Installer package"},
    FileTypeInfo{FileType::chm, "chm", executable, "Compiled HTML Help"},
    FileTypeInfo{FileType::script_js, "js", executable, "JScript/JavaScript"},
    FileTypeInfo{FileType::script_vbs, "vbs", executable, "VBScript"},
    FileTypeInfo{FileType::script_hta, "hta", executable, "HTML Application"},
    FileTypeInfo{FileType::script_bat, "bat", executable, "batch script"},
    FileTypeInfo{FileType::script_ps1, "ps1", executable, "PowerShell script"},
    FileTypeInfo{FileType::script_wsf, "wsf", executable, "Windows Script File"},
    FileTypeInfo{FileType::script_encoded, "encoded-script", executable, "encoded VBScript/JScript (VBE/JSE)"},
    FileTypeInfo{FileType::pdf, "pdf", document, "PDF document"},
    FileTypeInfo{FileType::ole2, "ole2", document, "OLE2 compound file"},
    FileTypeInfo{FileType::rtf, "rtf", document, "Rich Text Format"},
    FileTypeInfo{FileType::html, "html", document, "HTML"},
    FileTypeInfo{FileType::png, "png", media, "PNG image"},
    FileTypeInfo{FileType::jpeg, "jpeg", media, "JPEG image"},
    FileTypeInfo{FileType::gif, "gif", media, "GIF image"},
    FileTypeInfo{FileType::ico, "ico", media, "Windows icon"},
    FileTypeInfo{FileType::svg, "svg", document, "SVG image"},
    FileTypeInfo{FileType::onenote, "onenote", document, "OneNote section"},
    FileTypeInfo{FileType::vba, "vba", document, "VBA macro source"},
    FileTypeInfo{FileType::office_xml, "office-xml", document, "Office XML part"},
    FileTypeInfo{FileType::activemime, "activemime", document, "ActiveMime (compressed Office macro container)"},
    FileTypeInfo{FileType::biff12, "biff12", document, "Excel binary workbook part (BIFF12)"},
};

// The table is indexed by the enum: a reordering would mislabel every type.
constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < kTypes.size(); ++i) {
    if (static_cast<std::size_t>(kTypes[i].type) != i) return false;
  }
  return true;
}
static_assert(table_in_enum_order());
static_assert(static_cast<std::size_t>(FileType::biff12) + 1 == kTypes.size());

}  // namespace

const FileTypeInfo& info(FileType type) noexcept {
  const auto i = static_cast<std::size_t>(type);
  return i < kTypes.size() ? kTypes[i] : kTypes[0];
}

std::span<const FileTypeInfo> all_file_types() noexcept { return kTypes; }

std::optional<FileType> file_type_from_string(std::string_view name) noexcept {
  for (const auto& t : kTypes) {
    if (t.name == name) return t.type;
  }
  return std::nullopt;
}

bool strips_mark_of_the_web(FileType t) noexcept {
  switch (t) {
    case FileType::iso9660:
    case FileType::udf:
    case FileType::fat:
    case FileType::exfat:
    case FileType::ntfs:
    case FileType::mbr:
    case FileType::gpt:
    case FileType::vhd:
    case FileType::vhdx:
      return true;
    default:
      return false;
  }
}

}  // namespace sluice
