#pragma once
// TNEF on-disk constants (MS-OXTNEF 2.1.3). Attribute IDs are the low 16 bits of
// the 32-bit attribute tag; the high 16 bits carry its (redundant) type, which
// writers disagree on, so matching is on the ID alone (as libytnef and tnefparse do).
#include <cstdint>

namespace sluice::formats::tnef {

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

// MAPI property types (MS-OXCDATA 2.11.1).
inline constexpr std::uint16_t kPtUnspecified = 0x0000;
inline constexpr std::uint16_t kPtNull = 0x0001;
inline constexpr std::uint16_t kPtShort = 0x0002;
inline constexpr std::uint16_t kPtLong = 0x0003;
inline constexpr std::uint16_t kPtFloat = 0x0004;
inline constexpr std::uint16_t kPtDouble = 0x0005;
inline constexpr std::uint16_t kPtCurrency = 0x0006;
inline constexpr std::uint16_t kPtAppTime = 0x0007;
inline constexpr std::uint16_t kPtError = 0x000A;
inline constexpr std::uint16_t kPtBoolean = 0x000B;
inline constexpr std::uint16_t kPtObject = 0x000D;
inline constexpr std::uint16_t kPtI8 = 0x0014;
inline constexpr std::uint16_t kPtString8 = 0x001E;
inline constexpr std::uint16_t kPtUnicode = 0x001F;
inline constexpr std::uint16_t kPtSysTime = 0x0040;
inline constexpr std::uint16_t kPtClsid = 0x0048;
inline constexpr std::uint16_t kPtBinary = 0x0102;
inline constexpr std::uint16_t kMvFlag = 0x1000;

// MAPI property IDs used here (MS-OXPROPS).
inline constexpr std::uint16_t kPrSubject = 0x0037;
inline constexpr std::uint16_t kPrMessageClass = 0x001A;
inline constexpr std::uint16_t kPrSenderName = 0x0C1A;
inline constexpr std::uint16_t kPrSenderEmail = 0x0C1F;
inline constexpr std::uint16_t kPrBody = 0x1000;
inline constexpr std::uint16_t kPrRtfCompressed = 0x1009;
inline constexpr std::uint16_t kPrBodyHtml = 0x1013;
inline constexpr std::uint16_t kPrDisplayName = 0x3001;
inline constexpr std::uint16_t kPrAttachDataObj = 0x3701;
inline constexpr std::uint16_t kPrAttachFilename = 0x3704;
inline constexpr std::uint16_t kPrAttachMethod = 0x3705;
inline constexpr std::uint16_t kPrAttachLongFilename = 0x3707;
inline constexpr std::uint16_t kPrAttachMimeTag = 0x370E;
inline constexpr std::uint16_t kFirstNamedId = 0x8000;

// PidTagAttachDataObject of type PT_OBJECT starts with the interface ID; an
// embedded message (IID_IMessage) is itself a TNEF stream (MS-OXTNEF 2.1.3.4.1).
inline constexpr std::uint8_t kIidIMessage[16] = {0x07, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
                                                  0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46};
inline constexpr std::uint64_t kIidSize = 16;

}  // namespace sluice::formats::tnef
