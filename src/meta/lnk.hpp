#pragma once
// The metadata keys src/formats/lnk writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::lnk {

inline constexpr MetaKey<std::int64_t> flags{
    "lnk.flags",
    "LinkFlags bit field of the header"};
inline constexpr MetaKey<std::int64_t> file_attributes{
    "lnk.file_attributes",
    "FileAttributes of the target as recorded in the header"};
inline constexpr MetaKey<std::int64_t> creation_time{
    "lnk.creation_time",
    "target's creation time as recorded, Windows FILETIME (100 ns since 1601-01-01 UTC)"};
inline constexpr MetaKey<std::int64_t> access_time{
    "lnk.access_time",
    "target's access time as recorded, FILETIME"};
inline constexpr MetaKey<std::int64_t> write_time{
    "lnk.write_time",
    "target's write time as recorded, FILETIME"};
inline constexpr MetaKey<std::int64_t> icon_index{
    "lnk.icon_index",
    "IconIndex of the header"};
inline constexpr MetaKey<std::int64_t> show_command{
    "lnk.show_command",
    "ShowCommand of the header (1 normal, 3 maximised, 7 minimised without focus)"};
inline constexpr MetaKey<std::string> target{
    "lnk.target",
    "what Windows runs: LinkInfo's local path, else the environment-block target, else the IDList"
    " path"};
inline constexpr MetaKey<std::string> idlist_path{
    "lnk.idlist_path",
    "the path the LinkTargetIDList spells, its segments joined"};
inline constexpr MetaKey<std::string> local_base_path{
    "lnk.local_base_path",
    "LinkInfo's LocalBasePath"};
inline constexpr MetaKey<std::string> network_share{
    "lnk.network_share",
    "LinkInfo's network share name"};
inline constexpr MetaKey<std::string> name{
    "lnk.name",
    "StringData NAME_STRING (the description / tooltip)"};
inline constexpr MetaKey<std::string> relative_path{
    "lnk.relative_path",
    "StringData RELATIVE_PATH"};
inline constexpr MetaKey<std::string> working_dir{
    "lnk.working_dir",
    "StringData WORKING_DIR"};
inline constexpr MetaKey<std::string> arguments{
    "lnk.arguments",
    "StringData COMMAND_LINE_ARGUMENTS (cut at the name-length limit)"};
inline constexpr MetaKey<std::int64_t> arguments_chars{
    "lnk.arguments_chars",
    "character count of the arguments as stored, before any cut; only when there are arguments"};
inline constexpr MetaKey<std::string> command_line{
    "lnk.command_line",
    "the target followed by the arguments: the command the shortcut runs; only when there is a "
    "target"};
inline constexpr MetaKey<std::string> icon_location{
    "lnk.icon_location",
    "StringData ICON_LOCATION"};
inline constexpr MetaKey<std::string> environment_target{
    "lnk.environment_target",
    "EnvironmentVariableDataBlock target (may hold %VARIABLES%)"};
inline constexpr MetaKey<std::string> icon_environment{
    "lnk.icon_environment",
    "IconEnvironmentDataBlock path"};
inline constexpr MetaKey<std::string> known_folder{
    "lnk.known_folder",
    "KnownFolderDataBlock folder GUID, as text"};
inline constexpr MetaKey<std::string> machine_id{
    "lnk.machine_id",
    "TrackerDataBlock machine ID (NetBIOS name of the machine that made the link)"};
inline constexpr MetaKey<std::string> droid_volume{
    "lnk.droid_volume",
    "TrackerDataBlock volume droid GUID"};
inline constexpr MetaKey<std::string> droid_file{
    "lnk.droid_file",
    "TrackerDataBlock file droid GUID"};
inline constexpr MetaKey<std::string> mac{
    "lnk.mac",
    "MAC address from the node of the file droid (a v1 UUID): the maker's network card"};

}  // namespace sluice::meta::lnk

namespace sluice::meta {

inline constexpr MetaKeyInfo kLnkKeys[] = {
    lnk::flags,
    lnk::file_attributes,
    lnk::creation_time,
    lnk::access_time,
    lnk::write_time,
    lnk::icon_index,
    lnk::show_command,
    lnk::target,
    lnk::idlist_path,
    lnk::local_base_path,
    lnk::network_share,
    lnk::name,
    lnk::relative_path,
    lnk::working_dir,
    lnk::arguments,
    lnk::arguments_chars,
    lnk::command_line,
    lnk::icon_location,
    lnk::environment_target,
    lnk::icon_environment,
    lnk::known_folder,
    lnk::machine_id,
    lnk::droid_volume,
    lnk::droid_file,
    lnk::mac,
};
inline constexpr MetaSection kLnkSection{
    "lnk", "src/formats/lnk",
    "Windows shell links (MS-SHLLINK). Text keys are absent when the field is empty.",
    kLnkKeys};

}  // namespace sluice::meta
