#pragma once
// The metadata keys src/formats/vhd writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::vhd {

inline constexpr MetaKey<std::string> disk_type{
    "vhd.disk_type",
    "\"fixed\", \"dynamic\" or \"differencing\""};
inline constexpr MetaKey<std::int64_t> virtual_size{
    "vhd.virtual_size",
    "the disk's current size, bytes"};
inline constexpr MetaKey<std::string> creator{
    "vhd.creator",
    "creator application field (e.g. \"win \", \"vpc \", \"qemu\")"};
inline constexpr MetaKey<std::int64_t> block_size{
    "vhd.block_size",
    "dynamic header block size, bytes; dynamic and differencing disks only"};
inline constexpr MetaKey<std::string> parent_name{
    "vhd.parent_name",
    "a differencing disk's parent file name (the parent is not in the message)"};
inline constexpr MetaKey<std::int64_t> allocated_blocks{
    "vhd.allocated_blocks",
    "number of allocated blocks in the block allocation table"};

}  // namespace sluice::meta::vhd

namespace sluice::meta {

inline constexpr MetaKeyInfo kVhdKeys[] = {
    vhd::disk_type,
    vhd::virtual_size,
    vhd::creator,
    vhd::block_size,
    vhd::parent_name,
    vhd::allocated_blocks,
};
inline constexpr MetaSection kVhdSection{
    "vhd", "src/formats/vhd",
    "",
    kVhdKeys};

}  // namespace sluice::meta
