#pragma once
// The metadata keys src/formats/iso9660 writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::iso {

inline constexpr MetaKey<std::string> system_id{
    "iso.system_id",
    "primary volume descriptor's system identifier, trimmed; absent when blank"};
inline constexpr MetaKey<std::string> volume_id{
    "iso.volume_id",
    "primary volume descriptor's volume identifier (the disc label)"};
inline constexpr MetaKey<std::string> volume_set_id{
    "iso.volume_set_id",
    "primary volume descriptor's volume set identifier"};
inline constexpr MetaKey<std::string> publisher_id{
    "iso.publisher_id",
    "primary volume descriptor's publisher identifier"};
inline constexpr MetaKey<std::string> preparer_id{
    "iso.preparer_id",
    "primary volume descriptor's data preparer identifier (often the authoring tool)"};
inline constexpr MetaKey<std::string> application_id{
    "iso.application_id",
    "primary volume descriptor's application identifier"};
inline constexpr MetaKey<std::string> created{
    "iso.created",
    "volume creation date and time from the primary descriptor, \"YYYY-MM-DDThh:mm:ss\" (its GMT "
    "offset dropped); absent when \"not specified\""};
inline constexpr MetaKey<std::string> modified{
    "iso.modified",
    "volume modification date and time from the primary descriptor, same form as iso.created"};
inline constexpr MetaKey<std::string> joliet_level{
    "iso.joliet_level",
    "Joliet level \"1\", \"2\" or \"3\" from the supplementary descriptor's escape sequence; only on "
    "Joliet discs"};
inline constexpr MetaKey<std::string> eltorito_id{
    "iso.eltorito.id",
    "El Torito validation entry's ID string (manufacturer); only on bootable discs"};
inline constexpr MetaKey<bool> associated{
    "iso.associated",
    "on a file: it is an associated file (the hidden resource-fork companion of a same-named "
    "file)"};
inline constexpr MetaKey<std::string> interleaved{
    "iso.interleaved",
    "on a file recorded in interleaved mode: its layout \"unit N, gap M\" (blocks)"};
inline constexpr MetaKey<std::int64_t> zisofs_stored_size{
    "iso.zisofs.stored_size",
    "on a zisofs-compressed file: its compressed size on the disc, bytes"};
inline constexpr MetaKey<std::int64_t> zisofs_offset{
    "iso.zisofs.offset",
    "on a zisofs-compressed file: offset of its first extent in the image, bytes"};
inline constexpr MetaKey<std::int64_t> zisofs_block_size{
    "iso.zisofs.block_size",
    "on a zisofs-compressed file: its compression block size, bytes; only when the header gives "
    "one"};

}  // namespace sluice::meta::iso

namespace sluice::meta::rr {

inline constexpr MetaKey<std::string> mode{
    "rr.mode",
    "Rock Ridge PX: POSIX mode in octal, file type included (e.g. \"100755\")"};
inline constexpr MetaKey<std::int64_t> nlink{
    "rr.nlink",
    "Rock Ridge PX: link count"};
inline constexpr MetaKey<std::int64_t> uid{
    "rr.uid",
    "Rock Ridge PX: owner user ID"};
inline constexpr MetaKey<std::int64_t> gid{
    "rr.gid",
    "Rock Ridge PX: owner group ID"};
inline constexpr MetaKey<std::string> created{
    "rr.created",
    "Rock Ridge TF creation time, ISO 8601 with its zone offset"};
inline constexpr MetaKey<std::string> modified{
    "rr.modified",
    "Rock Ridge TF modification time, ISO 8601 with its zone offset"};
inline constexpr MetaKey<std::string> accessed{
    "rr.accessed",
    "Rock Ridge TF access time, ISO 8601 with its zone offset"};
inline constexpr MetaKey<std::string> attributes_changed{
    "rr.attributes_changed",
    "Rock Ridge TF attribute-change time, ISO 8601 with its zone offset"};
inline constexpr MetaKey<std::string> symlink{
    "rr.symlink",
    "Rock Ridge SL: where a symbolic link points"};

}  // namespace sluice::meta::rr

namespace sluice::meta::udf {

inline constexpr MetaKey<std::string> volume_id{
    "udf.volume_id",
    "UDF primary volume descriptor's volume identifier"};
inline constexpr MetaKey<std::string> volume_set_id{
    "udf.volume_set_id",
    "UDF primary volume descriptor's volume set identifier"};
inline constexpr MetaKey<std::string> logical_volume_id{
    "udf.logical_volume_id",
    "UDF logical volume descriptor's identifier (what Windows shows as the label)"};
inline constexpr MetaKey<std::string> domain{
    "udf.domain",
    "UDF logical volume's domain identifier (e.g. \"*OSTA UDF Compliant\")"};
inline constexpr MetaKey<std::string> revision{
    "udf.revision",
    "UDF revision from the domain identifier, e.g. \"2.01\"; absent when zero"};
inline constexpr MetaKey<std::int64_t> vat_entries{
    "udf.vat_entries",
    "number of entries in the virtual allocation table of a write-once UDF disc"};
inline constexpr MetaKey<std::string> file_set_id{
    "udf.file_set_id",
    "UDF file set descriptor's identifier"};

}  // namespace sluice::meta::udf

namespace sluice::meta {

inline constexpr MetaKeyInfo kIso9660Keys[] = {
    iso::system_id,
    iso::volume_id,
    iso::volume_set_id,
    iso::publisher_id,
    iso::preparer_id,
    iso::application_id,
    iso::created,
    iso::modified,
    iso::joliet_level,
    iso::eltorito_id,
    iso::associated,
    iso::interleaved,
    iso::zisofs_stored_size,
    iso::zisofs_offset,
    iso::zisofs_block_size,
    rr::mode,
    rr::nlink,
    rr::uid,
    rr::gid,
    rr::created,
    rr::modified,
    rr::accessed,
    rr::attributes_changed,
    rr::symlink,
    udf::volume_id,
    udf::volume_set_id,
    udf::logical_volume_id,
    udf::domain,
    udf::revision,
    udf::vat_entries,
    udf::file_set_id,
};
inline constexpr MetaSection kIso9660Section{
    "iso9660", "src/formats/iso9660",
    "ISO 9660, Joliet, Rock Ridge, El Torito and UDF views of an optical-disc image. Volume keys "
    "sit on the image; `rr.*`, `iso.associated`, `iso.interleaved` and `iso.zisofs.*` on files.",
    kIso9660Keys};

}  // namespace sluice::meta
