#pragma once
// The metadata keys src/formats/gzip writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::gzip {

inline constexpr MetaKey<std::int64_t> members{
    "gzip.members",
    "number of gzip members read (concatenated gzip streams)"};
inline constexpr MetaKey<std::int64_t> mtime{
    "gzip.mtime",
    "first member's MTIME field, seconds since the Unix epoch (0 = not set)"};
inline constexpr MetaKey<std::int64_t> os{
    "gzip.os",
    "first member's OS field (0 = FAT, 3 = Unix, 11 = NTFS, 255 = unknown)"};
inline constexpr MetaKey<std::string> comment{
    "gzip.comment",
    "first member's FCOMMENT; absent when none"};
inline constexpr MetaKey<std::string> member_name{
    "gzip.member_name",
    "FNAME of a later member when it differs from the first member's (which names the output); "
    "one value per such member"};

}  // namespace sluice::meta::gzip

namespace sluice::meta {

inline constexpr MetaKeyInfo kGzipKeys[] = {
    gzip::members,
    gzip::mtime,
    gzip::os,
    gzip::comment,
    gzip::member_name,
};
inline constexpr MetaSection kGzipSection{
    "gzip", "src/formats/gzip",
    "",
    kGzipKeys};

}  // namespace sluice::meta
