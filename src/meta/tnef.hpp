#pragma once
// The metadata keys src/formats/tnef writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::tnef {

inline constexpr MetaKey<std::int64_t> key{
    "tnef.key",
    "the 16-bit key from the TNEF stream header (the attachment key the sender chose)"};
inline constexpr MetaKey<std::int64_t> attributes{
    "tnef.attributes",
    "number of TNEF attributes read from the stream"};
inline constexpr MetaKey<std::string> message_class{
    "tnef.message_class",
    "the message class (e.g. \"IPM.Microsoft Mail.Note\"); absent when empty"};
inline constexpr MetaKey<std::string> mime_tag{
    "tnef.mime_tag",
    "on an attachment: its PidTagAttachMimeTag"};
inline constexpr MetaKey<std::int64_t> attach_method{
    "tnef.attach_method",
    "on an attachment: PidTagAttachMethod (1 by value, 5 embedded message, 6 OLE …)"};
inline constexpr MetaKey<bool> truncated{
    "tnef.truncated",
    "on an attachment: its data attribute was cut short"};
inline constexpr MetaKey<bool> embedded_message{
    "tnef.embedded_message",
    "on an attachment object: it is an embedded message"};
inline constexpr MetaKey<bool> ole_object{
    "tnef.ole_object",
    "on an attachment object: it is an OLE object (not an embedded message)"};

}  // namespace sluice::meta::tnef

namespace sluice::meta {

inline constexpr MetaKeyInfo kTnefKeys[] = {
    tnef::key,
    tnef::attributes,
    tnef::message_class,
    tnef::mime_tag,
    tnef::attach_method,
    tnef::truncated,
    tnef::embedded_message,
    tnef::ole_object,
};
inline constexpr MetaSection kTnefSection{
    "tnef", "src/formats/tnef",
    "winmail.dat. Subject and sender are written as `mail.subject` / `mail.from` (see mime).",
    kTnefKeys};

}  // namespace sluice::meta
