#pragma once
// The metadata keys src/formats/fat writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::fat {

inline constexpr MetaKey<std::string> type{
    "fat.type",
    "\"FAT12\", \"FAT16\" or \"FAT32\", from the cluster count"};
inline constexpr MetaKey<std::string> oem_name{
    "fat.oem_name",
    "the boot sector's OEM name (formatting tool, e.g. \"MSDOS5.0\", \"mkfs.fat\")"};
inline constexpr MetaKey<std::string> serial{
    "fat.serial",
    "volume serial number as Windows shows it, \"XXXX-XXXX\""};
inline constexpr MetaKey<std::string> volume_label{
    "fat.volume_label",
    "volume label from the root directory entry, else the boot sector's; absent when empty"};
inline constexpr MetaKey<std::int64_t> deleted_unrecoverable{
    "fat.deleted_unrecoverable",
    "deleted file entries with no recoverable cluster run, so not emitted; absent when zero"};
inline constexpr MetaKey<std::int64_t> fragments{
    "fat.fragments",
    "on a file: number of cluster runs it is stored in; only when more than one"};
inline constexpr MetaKey<bool> hidden{
    "fat.hidden",
    "on a file: the hidden attribute is set"};
inline constexpr MetaKey<bool> system{
    "fat.system",
    "on a file: the system attribute is set"};
inline constexpr MetaKey<bool> read_only{
    "fat.read_only",
    "on a file: the read-only attribute is set"};
inline constexpr MetaKey<bool> archive{
    "fat.archive",
    "on a file: the archive attribute is set"};
inline constexpr MetaKey<bool> deleted{
    "fat.deleted",
    "on a file: it was recovered from a deleted directory entry"};
inline constexpr MetaKey<std::int64_t> first_cluster{
    "fat.first_cluster",
    "on a file: its first cluster number"};
inline constexpr MetaKey<std::int64_t> declared_size{
    "fat.declared_size",
    "on a file: the size its directory entry declares, bytes; only when the cluster chain is "
    "shorter"};

}  // namespace sluice::meta::fat

namespace sluice::meta {

inline constexpr MetaKeyInfo kFatKeys[] = {
    fat::type,
    fat::oem_name,
    fat::serial,
    fat::volume_label,
    fat::deleted_unrecoverable,
    fat::fragments,
    fat::hidden,
    fat::system,
    fat::read_only,
    fat::archive,
    fat::deleted,
    fat::first_cluster,
    fat::declared_size,
};
inline constexpr MetaSection kFatSection{
    "fat", "src/formats/fat",
    "",
    kFatKeys};

}  // namespace sluice::meta
