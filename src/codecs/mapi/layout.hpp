#pragma once
// MAPI property types and the property IDs Sluice reads. TNEF attachments
// (winmail.dat) and Outlook .msg files carry the same properties in different
// containers, so the constants live here rather than in either format.
#include <cstdint>

namespace sluice::codecs::mapi {
inline namespace props {

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

}  // namespace props
}  // namespace sluice::codecs::mapi
