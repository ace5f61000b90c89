#pragma once
// [MS-SHLLINK] v8.0 on-disk constants (Shell Link Binary File Format).
#include <cstdint>

namespace sluice::formats::lnk {

inline constexpr std::uint32_t kHeaderSize = 0x4C;  // 2.1 ShellLinkHeader: HeaderSize MUST be 0x4C
inline constexpr std::uint64_t kClsidOffset = 4;
inline constexpr std::uint64_t kFlagsOffset = 20;
inline constexpr std::uint64_t kAttributesOffset = 24;
inline constexpr std::uint64_t kCreationTimeOffset = 28;
inline constexpr std::uint64_t kAccessTimeOffset = 36;
inline constexpr std::uint64_t kWriteTimeOffset = 44;
inline constexpr std::uint64_t kFileSizeOffset = 52;
inline constexpr std::uint64_t kIconIndexOffset = 56;
inline constexpr std::uint64_t kShowCommandOffset = 60;
static_assert(kShowCommandOffset + 4 + 2 + 2 + 4 + 4 == kHeaderSize);

// 2.1.1 LinkFlags
inline constexpr std::uint32_t kHasLinkTargetIdList = 0x00000001;
inline constexpr std::uint32_t kHasLinkInfo = 0x00000002;
inline constexpr std::uint32_t kHasName = 0x00000004;
inline constexpr std::uint32_t kHasRelativePath = 0x00000008;
inline constexpr std::uint32_t kHasWorkingDir = 0x00000010;
inline constexpr std::uint32_t kHasArguments = 0x00000020;
inline constexpr std::uint32_t kHasIconLocation = 0x00000040;
inline constexpr std::uint32_t kIsUnicode = 0x00000080;
inline constexpr std::uint32_t kForceNoLinkInfo = 0x00000100;

// 2.1 ShowCommand; every other value MUST be treated as SW_SHOWNORMAL.
inline constexpr std::uint32_t kSwHide = 0;  // not a spec value: Windows shows it normal
inline constexpr std::uint32_t kSwShowNormal = 1;
inline constexpr std::uint32_t kSwShowMaximized = 3;
inline constexpr std::uint32_t kSwShowMinNoActive = 7;

// 2.3 LinkInfo
inline constexpr std::uint32_t kLinkInfoVolumeIdAndLocalBasePath = 0x1;
inline constexpr std::uint32_t kLinkInfoCommonNetworkRelativeLink = 0x2;
inline constexpr std::uint32_t kLinkInfoMinHeaderSize = 0x1C;
inline constexpr std::uint32_t kLinkInfoUnicodeHeaderSize = 0x24;

// 2.5 ExtraData block signatures
inline constexpr std::uint32_t kEnvironmentVariablesBlock = 0xA0000001;
inline constexpr std::uint32_t kTrackerBlock = 0xA0000003;
inline constexpr std::uint32_t kIconEnvironmentBlock = 0xA0000007;
inline constexpr std::uint32_t kKnownFolderBlock = 0xA000000B;
inline constexpr std::uint32_t kEnvironmentBlockSize = 0x314;
inline constexpr std::uint32_t kTrackerBlockSize = 0x60;
inline constexpr std::uint32_t kKnownFolderBlockSize = 0x1C;

}  // namespace sluice::formats::lnk
