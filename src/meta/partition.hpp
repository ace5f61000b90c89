#pragma once
// The metadata keys src/formats/partition writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::partition {

inline constexpr MetaKey<std::string> scheme{
    "partition.scheme",
    "\"mbr\" or \"gpt\""};
inline constexpr MetaKey<std::int64_t> start_lba{
    "partition.start_lba",
    "on a partition: first sector (LBA)"};
inline constexpr MetaKey<std::int64_t> sectors{
    "partition.sectors",
    "on a partition: length in sectors"};

}  // namespace sluice::meta::partition

namespace sluice::meta::gpt {

inline constexpr MetaKey<std::string> disk_guid{
    "gpt.disk_guid",
    "GPT header's disk GUID"};
inline constexpr MetaKey<std::string> type_guid{
    "gpt.type_guid",
    "on a GPT partition: its type GUID"};
inline constexpr MetaKey<std::string> unique_guid{
    "gpt.unique_guid",
    "on a GPT partition: its unique GUID"};
inline constexpr MetaKey<std::int64_t> attributes{
    "gpt.attributes",
    "on a GPT partition: its attribute bits; absent when zero"};

}  // namespace sluice::meta::gpt

namespace sluice::meta::mbr {

inline constexpr MetaKey<std::int64_t> disk_signature{
    "mbr.disk_signature",
    "MBR disk signature (32-bit)"};
inline constexpr MetaKey<std::string> type{
    "mbr.type",
    "on an MBR partition: its type byte as two hex digits (e.g. \"07\")"};
inline constexpr MetaKey<bool> bootable{
    "mbr.bootable",
    "on an MBR partition: the active (bootable) flag is set"};
inline constexpr MetaKey<bool> logical{
    "mbr.logical",
    "on an MBR partition: it is a logical partition inside an extended one"};

}  // namespace sluice::meta::mbr

namespace sluice::meta {

inline constexpr MetaKeyInfo kPartitionKeys[] = {
    partition::scheme,
    partition::start_lba,
    partition::sectors,
    gpt::disk_guid,
    gpt::type_guid,
    gpt::unique_guid,
    gpt::attributes,
    mbr::disk_signature,
    mbr::type,
    mbr::bootable,
    mbr::logical,
};
inline constexpr MetaSection kPartitionSection{
    "partition", "src/formats/partition",
    "MBR and GPT partition tables. Table keys sit on the disk; the others on each partition.",
    kPartitionKeys};

}  // namespace sluice::meta
