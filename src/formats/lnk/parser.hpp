#pragma once
// Pure MS-SHLLINK model: ByteView in, Shortcut out. Structures that run past the
// end or lie about their sizes are anomalies; what was read before them is kept.
#include <cstdint>
#include <string>
#include <vector>

#include "sluice/byte_view.hpp"
#include "sluice/finding.hpp"
#include "core/parsed.hpp"
#include "sluice/limits.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::lnk {

struct Shortcut {
  std::uint32_t flags = 0;
  std::uint32_t attributes = 0;
  std::uint64_t creation_time = 0;  // FILETIME
  std::uint64_t access_time = 0;
  std::uint64_t write_time = 0;
  std::uint32_t file_size = 0;
  std::int32_t icon_index = 0;
  std::uint32_t show_command = 0;

  std::vector<std::string> idlist_segments;  // "C:\", "Windows", "notepad.exe"
  std::string idlist_path;                   // the segments joined, when simple

  std::string local_base_path;
  std::string common_path_suffix;
  std::string network_share;
  std::string device_name;

  std::string name;  // StringData, in spec order
  std::string relative_path;
  std::string working_dir;
  std::string arguments;
  std::uint32_t arguments_chars = 0;  // CountCharacters as stored, before any cut
  std::string icon_location;

  std::string env_target;       // EnvironmentVariableDataBlock
  std::string icon_env_target;  // IconEnvironmentDataBlock
  std::string known_folder;     // GUID text
  std::string machine_id;       // TrackerDataBlock
  std::string droid_volume;
  std::string droid_file;
  std::string mac;              // node of the droid file GUID (a v1 UUID)
  std::uint32_t extra_blocks = 0;

  // What Windows runs: LinkInfo's path, else the environment target, else the IDList path.
  [[nodiscard]] std::string target() const;
};

// Items and ExtraData blocks are capped by max_children each, strings by
// max_name_length. Anomalies carry the severity the reader judged.
[[nodiscard]] Result<Parsed<Shortcut>> parse(ByteView file, const Limits& limits);

// GUID bytes (mixed-endian as on disk) to "xxxxxxxx-xxxx-…".
[[nodiscard]] std::string guid_text(ByteView sixteen);

}  // namespace sluice::formats::lnk
