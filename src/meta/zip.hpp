#pragma once
// The metadata keys src/formats/zip writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::zip {

inline constexpr MetaKey<std::int64_t> entries{
    "zip.entries",
    "entries in the central directory"};
inline constexpr MetaKey<bool> zip64{
    "zip.zip64",
    "the archive uses ZIP64 end-of-central-directory records"};
inline constexpr MetaKey<std::string> comment{
    "zip.comment",
    "the archive comment, valid UTF-8, cut at the meta text limit"};
inline constexpr MetaKey<std::int64_t> shift{
    "zip.shift",
    "bytes prepended after the archive was written (an SFX stub): how far every offset is shifted"};
inline constexpr MetaKey<std::int64_t> directories{
    "zip.directories",
    "directory entries (not emitted); absent when none"};
inline constexpr MetaKey<std::int64_t> method{
    "zip.method",
    "on a member: compression method number (0 stored, 8 deflate, 99 AES …)"};
inline constexpr MetaKey<bool> readonly{
    "zip.readonly",
    "on a member: the DOS read-only attribute is set"};
inline constexpr MetaKey<bool> hidden{
    "zip.hidden",
    "on a member: the DOS hidden attribute is set"};
inline constexpr MetaKey<bool> system{
    "zip.system",
    "on a member: the DOS system attribute is set"};
inline constexpr MetaKey<std::int64_t> unix_mode{
    "zip.unix_mode",
    "on a member made on Unix: the Unix mode from the external attributes (st_mode bits)"};
inline constexpr MetaKey<std::string> entry_comment{
    "zip.entry_comment",
    "on a member: its file comment, valid UTF-8, cut at the meta text limit"};
inline constexpr MetaKey<bool> local_only{
    "zip.local_only",
    "on a member: it has a local header but no central directory entry"};
inline constexpr MetaKey<bool> local_view{
    "zip.local_view",
    "on a member: it is the local header's reading of the previous central entry (the two "
    "disagree), emitted besides the central one"};
inline constexpr MetaKey<bool> overlapping{
    "zip.overlapping",
    "on a member: its data overlaps another member's (the overlapping-entry bomb); not decoded "
    "again"};
inline constexpr MetaKey<bool> encrypted{
    "zip.encrypted",
    "on a member: it is encrypted"};
inline constexpr MetaKey<std::string> encryption{
    "zip.encryption",
    "on an encrypted member: \"zipcrypto\", \"winzip-aes\" or \"pkware-strong\""};
inline constexpr MetaKey<std::string> password{
    "zip.password",
    "on an encrypted member: the candidate password that decrypted it"};
inline constexpr MetaKey<bool> truncated{
    "zip.truncated",
    "on a member: what was emitted is a prefix (the data was cut or runs past the file)"};
inline constexpr MetaKey<std::string> same_stream_as{
    "zip.same_stream_as",
    "on a member: the locator of an earlier member whose compressed bytes are identical (decoded "
    "once)"};

}  // namespace sluice::meta::zip

namespace sluice::meta {

inline constexpr MetaKeyInfo kZipKeys[] = {
    zip::entries,
    zip::zip64,
    zip::comment,
    zip::shift,
    zip::directories,
    zip::method,
    zip::readonly,
    zip::hidden,
    zip::system,
    zip::unix_mode,
    zip::entry_comment,
    zip::local_only,
    zip::local_view,
    zip::overlapping,
    zip::encrypted,
    zip::encryption,
    zip::password,
    zip::truncated,
    zip::same_stream_as,
};
inline constexpr MetaSection kZipSection{
    "zip", "src/formats/zip",
    "Archive keys sit on the ZIP file; the others on each member.",
    kZipKeys};

}  // namespace sluice::meta
