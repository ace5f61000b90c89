#pragma once
// The metadata keys src/formats/msg writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::msg {

inline constexpr MetaKey<std::string> message_class{
    "msg.message_class",
    "PidTagMessageClass of the top-level message (e.g. \"IPM.Note\"); absent when empty"};
inline constexpr MetaKey<std::string> mime_tag{
    "msg.mime_tag",
    "on an attachment: its PidTagAttachMimeTag; absent when empty"};
inline constexpr MetaKey<std::string> embedded_subject{
    "msg.embedded_subject",
    "on an attachment of an embedded message: that message's subject"};

}  // namespace sluice::meta::msg

namespace sluice::meta {

inline constexpr MetaKeyInfo kMsgKeys[] = {
    msg::message_class,
    msg::mime_tag,
    msg::embedded_subject,
};
inline constexpr MetaSection kMsgSection{
    "msg", "src/formats/msg",
    "Outlook .msg files (CFB). Subject and sender are written as `mail.subject` / `mail.from` "
    "(see mime).",
    kMsgKeys};

}  // namespace sluice::meta
