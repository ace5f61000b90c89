#pragma once
// The metadata keys several folders writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::ioc {

inline constexpr MetaKey<std::string> url{
    "ioc.url",
    "a URL the content points at: links in mail body parts (mime), navigations by the page's "
    "scripts (html), external relationships and URLs in macro formulas (office, ole), PDF URI and"
    " external actions (pdf), OneNote rich text (onenote), URLs in script text (script); one "
    "value per URL"};
inline constexpr MetaKey<std::string> c2{
    "ioc.c2",
    "a C2 endpoint \"host:port\" from a decrypted malware configuration (families); once per "
    "endpoint"};
inline constexpr MetaKey<std::string> domain{
    "ioc.domain",
    "a C2 host name from a decrypted malware configuration (families); once per host"};
inline constexpr MetaKey<std::string> ip{
    "ioc.ip",
    "a C2 IPv4 literal from a decrypted malware configuration (families); once per address"};

}  // namespace sluice::meta::ioc

namespace sluice::meta {

inline constexpr MetaKeyInfo kIocKeys[] = {
    ioc::url,
    ioc::c2,
    ioc::domain,
    ioc::ip,
};
inline constexpr MetaSection kIocSection{
    "ioc", "several folders",
    "The report's IOC section (src/report/iocs.cpp) collects every `ioc.*` key on every artifact;"
    " campaign fingerprints use `ioc.url` and `ioc.c2`.",
    kIocKeys};

}  // namespace sluice::meta

namespace sluice::meta {

// Every key above starts with it: the report's IOC walk skips the rest at once.
inline constexpr std::string_view kIocPrefix = "ioc.";

}  // namespace sluice::meta
