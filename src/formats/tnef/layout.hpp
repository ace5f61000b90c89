#pragma once
// TNEF on-disk constants (MS-OXTNEF 2.1.3). Attribute IDs are the low 16 bits of
// the 32-bit attribute tag; the high 16 bits carry its (redundant) type, which
// writers disagree on, so matching is on the ID alone (as libytnef and tnefparse do).
#include <cstdint>

#include "codecs/mapi/layout.hpp"

namespace sluice::formats::tnef {

// MAPI property types and IDs (codecs/mapi/layout.hpp) are shared with .msg files.
using namespace codecs::mapi::props;

inline constexpr std::uint32_t kSignature = 0x223E9F78;
inline constexpr std::uint64_t kHeaderSize = 6;     // signature + legacy key
inline constexpr std::uint64_t kAttrHeaderSize = 9;  // level, tag, length
inline constexpr std::uint64_t kChecksumSize = 2;

inline constexpr std::uint8_t kLevelMessage = 1;
inline constexpr std::uint8_t kLevelAttachment = 2;

// Attribute IDs (MS-OXTNEF 2.1.3.3).
inline constexpr std::uint16_t kAttFrom = 0x8000;
inline constexpr std::uint16_t kAttSubject = 0x8004;
inline constexpr std::uint16_t kAttMessageClass = 0x8008;
inline constexpr std::uint16_t kAttBody = 0x800C;
inline constexpr std::uint16_t kAttAttachData = 0x800F;
inline constexpr std::uint16_t kAttAttachTitle = 0x8010;
inline constexpr std::uint16_t kAttAttachTransportFilename = 0x9001;
inline constexpr std::uint16_t kAttAttachRendData = 0x9002;
inline constexpr std::uint16_t kAttMapiProps = 0x9003;
inline constexpr std::uint16_t kAttAttachment = 0x9005;
inline constexpr std::uint16_t kAttOemCodepage = 0x9007;

// PidTagAttachDataObject of type PT_OBJECT starts with the interface ID; an
// embedded message (IID_IMessage) is itself a TNEF stream (MS-OXTNEF 2.1.3.4.1).
inline constexpr std::uint8_t kIidIMessage[16] = {0x07, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
                                                  0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46};
inline constexpr std::uint64_t kIidSize = 16;

}  // namespace sluice::formats::tnef
