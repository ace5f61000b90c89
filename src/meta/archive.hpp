#pragma once
// The metadata keys src/formats/archive writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::archive {

inline constexpr MetaKey<std::string> format{
    "archive.format",
    "libarchive's name for the archive format (e.g. \"7-Zip\", \"RAR5\"), on the archive and on each "
    "member"};
inline constexpr MetaKey<std::string> filters{
    "archive.filters",
    "compression filters libarchive applied around the archive (e.g. \"gzip\"), comma-separated; "
    "absent when none"};
inline constexpr MetaKey<std::int64_t> entries{
    "archive.entries",
    "number of entries libarchive listed"};
inline constexpr MetaKey<std::int64_t> encrypted_entries{
    "archive.encrypted_entries",
    "entries that were encrypted; absent when none"};
inline constexpr MetaKey<bool> encrypted{
    "archive.encrypted",
    "true on a member that is encrypted (or was decrypted by us), and on an archive whose "
    "encrypted headers or RAR 5 data no candidate password opened"};
inline constexpr MetaKey<bool> encrypted_headers{
    "archive.encrypted_headers",
    "true when the archive's headers (file list) are encrypted (7z/RAR -mhe)"};
inline constexpr MetaKey<std::string> password{
    "archive.password",
    "the candidate password that decrypted the archive (7z / RAR 5), on the archive and on each "
    "member it opened"};
inline constexpr MetaKey<std::int64_t> passwords_tried{
    "archive.passwords_tried",
    "how many candidate passwords the password search tried (7z / RAR 5 encrypted archives only)"};
inline constexpr MetaKey<std::string> decryption_problem{
    "archive.decryption_problem",
    "why decryption could not proceed (unsupported method, damaged header …); only when the "
    "password search hit one"};
inline constexpr MetaKey<std::int64_t> mode{
    "archive.mode",
    "the member's mode as stored (Unix st_mode bits, file type included)"};
inline constexpr MetaKey<std::int64_t> mtime{
    "archive.mtime",
    "the member's modification time, seconds since the Unix epoch; only when the archive stores "
    "one"};
inline constexpr MetaKey<std::string> symlink_target{
    "archive.symlink_target",
    "where a symbolic-link member points (the member itself has no bytes)"};
inline constexpr MetaKey<std::string> hardlink_target{
    "archive.hardlink_target",
    "the earlier member a hard-link member names"};

}  // namespace sluice::meta::archive

namespace sluice::meta::ar {

inline constexpr MetaKey<bool> symbol_index{
    "ar.symbol_index",
    "true when an ar archive carries the linker's symbol table (\"/\" or \"__.SYMDEF\"), which is "
    "skipped rather than emitted"};

}  // namespace sluice::meta::ar

namespace sluice::meta {

inline constexpr MetaKeyInfo kArchiveKeys[] = {
    archive::format,
    archive::filters,
    archive::entries,
    archive::encrypted_entries,
    archive::encrypted,
    archive::encrypted_headers,
    archive::password,
    archive::passwords_tried,
    archive::decryption_problem,
    archive::mode,
    archive::mtime,
    archive::symlink_target,
    archive::hardlink_target,
    ar::symbol_index,
};
inline constexpr MetaSection kArchiveSection{
    "archive", "src/formats/archive",
    "libarchive formats (7z, RAR, tar, cpio, ar, CAB, ISO via libarchive …). Per-member keys sit "
    "on the member; the others on the archive.",
    kArchiveKeys};

}  // namespace sluice::meta
