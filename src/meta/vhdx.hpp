#pragma once
// The metadata keys src/formats/vhdx writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::vhdx {

inline constexpr MetaKey<std::string> creator{
    "vhdx.creator",
    "file identifier's creator string"};
inline constexpr MetaKey<std::int64_t> virtual_size{
    "vhdx.virtual_size",
    "virtual disk size, bytes"};
inline constexpr MetaKey<std::int64_t> block_size{
    "vhdx.block_size",
    "payload block size, bytes"};
inline constexpr MetaKey<std::int64_t> logical_sector_size{
    "vhdx.logical_sector_size",
    "logical sector size, bytes"};
inline constexpr MetaKey<std::int64_t> sequence{
    "vhdx.sequence",
    "sequence number of the current header"};
inline constexpr MetaKey<std::int64_t> present_blocks{
    "vhdx.present_blocks",
    "payload blocks present in the block allocation table"};
inline constexpr MetaKey<std::int64_t> log_valid_entries{
    "vhdx.log_valid_entries",
    "valid entries found in the log region; only when the log is not empty"};
inline constexpr MetaKey<std::int64_t> log_entries{
    "vhdx.log_entries",
    "active log entries replayed; only when a log was replayed"};
inline constexpr MetaKey<std::int64_t> log_descriptors{
    "vhdx.log_descriptors",
    "data and zero descriptors in the replayed entries; only when a log was replayed"};

}  // namespace sluice::meta::vhdx

namespace sluice::meta {

inline constexpr MetaKeyInfo kVhdxKeys[] = {
    vhdx::creator,
    vhdx::virtual_size,
    vhdx::block_size,
    vhdx::logical_sector_size,
    vhdx::sequence,
    vhdx::present_blocks,
    vhdx::log_valid_entries,
    vhdx::log_entries,
    vhdx::log_descriptors,
};
inline constexpr MetaSection kVhdxSection{
    "vhdx", "src/formats/vhdx",
    "",
    kVhdxKeys};

}  // namespace sluice::meta
