#pragma once
// The metadata keys src/formats/ntfs writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::ntfs {

inline constexpr MetaKey<std::int64_t> block_size{
    "ntfs.block_size",
    "cluster size, bytes"};
inline constexpr MetaKey<std::string> serial{
    "ntfs.serial",
    "volume serial number (8 bytes) in hex"};
inline constexpr MetaKey<std::string> volume_label{
    "ntfs.volume_label",
    "volume label ($Volume); absent when empty"};
inline constexpr MetaKey<std::int64_t> files{
    "ntfs.files",
    "files emitted from the directory walk (deleted ones included)"};
inline constexpr MetaKey<std::int64_t> directories{
    "ntfs.directories",
    "directories walked"};
inline constexpr MetaKey<std::int64_t> streams{
    "ntfs.streams",
    "alternate data streams emitted; absent when zero"};
inline constexpr MetaKey<std::int64_t> deleted_files{
    "ntfs.deleted_files",
    "files recovered from deleted entries; absent when zero"};
inline constexpr MetaKey<std::int64_t> hard_links{
    "ntfs.hard_links",
    "extra names found for files already emitted (hard links); absent when zero"};
inline constexpr MetaKey<std::int64_t> inode{
    "ntfs.inode",
    "on a file: its MFT record number"};
inline constexpr MetaKey<std::string> hard_link{
    "ntfs.hard_link",
    "on a file: another path naming the same MFT record; one value per extra name"};
inline constexpr MetaKey<bool> deleted{
    "ntfs.deleted",
    "on a file: it was recovered from a deleted entry"};
inline constexpr MetaKey<std::int64_t> zone_id{
    "ntfs.zone_id",
    "on a file: ZoneId of its Zone.Identifier stream (Mark of the Web: 3 = Internet)"};
inline constexpr MetaKey<bool> hidden{
    "ntfs.hidden",
    "on a file: the DOS hidden attribute is set ($STANDARD_INFORMATION)"};
inline constexpr MetaKey<bool> system{
    "ntfs.system",
    "on a file: the DOS system attribute is set"};
inline constexpr MetaKey<bool> read_only{
    "ntfs.read_only",
    "on a file: the DOS read-only attribute is set"};

}  // namespace sluice::meta::ntfs

namespace sluice::meta::exfat {

inline constexpr MetaKey<std::int64_t> block_size{
    "exfat.block_size",
    "cluster size, bytes"};
inline constexpr MetaKey<std::string> serial{
    "exfat.serial",
    "volume serial number, \"XXXX-XXXX\" as `vol` prints it"};
inline constexpr MetaKey<std::string> volume_label{
    "exfat.volume_label",
    "volume label entry; absent when empty"};
inline constexpr MetaKey<std::int64_t> files{
    "exfat.files",
    "files emitted from the directory walk (deleted ones included)"};
inline constexpr MetaKey<std::int64_t> directories{
    "exfat.directories",
    "directories walked"};
inline constexpr MetaKey<std::int64_t> deleted_files{
    "exfat.deleted_files",
    "files recovered from deleted entries; absent when zero"};
inline constexpr MetaKey<std::int64_t> hard_links{
    "exfat.hard_links",
    "extra names found for files already emitted; absent when zero"};
inline constexpr MetaKey<std::int64_t> inode{
    "exfat.inode",
    "on a file: The Sleuth Kit's inode number for its directory entry"};
inline constexpr MetaKey<std::string> hard_link{
    "exfat.hard_link",
    "on a file: another path naming the same inode"};
inline constexpr MetaKey<bool> deleted{
    "exfat.deleted",
    "on a file: it was recovered from a deleted entry"};

}  // namespace sluice::meta::exfat

namespace sluice::meta {

inline constexpr MetaKeyInfo kNtfsKeys[] = {
    ntfs::block_size,
    ntfs::serial,
    ntfs::volume_label,
    ntfs::files,
    ntfs::directories,
    ntfs::streams,
    ntfs::deleted_files,
    ntfs::hard_links,
    ntfs::inode,
    ntfs::hard_link,
    ntfs::deleted,
    ntfs::zone_id,
    ntfs::hidden,
    ntfs::system,
    ntfs::read_only,
    exfat::block_size,
    exfat::serial,
    exfat::volume_label,
    exfat::files,
    exfat::directories,
    exfat::deleted_files,
    exfat::hard_links,
    exfat::inode,
    exfat::hard_link,
    exfat::deleted,
};
inline constexpr MetaSection kNtfsSection{
    "ntfs and exfat", "src/formats/ntfs",
    "NTFS and exFAT volumes read through The Sleuth Kit; the same keys are written with the "
    "prefix `ntfs.` or `exfat.` by volume type.",
    kNtfsKeys};

}  // namespace sluice::meta
