#pragma once
// The metadata keys src/families writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta {

inline constexpr MetaKey<std::string> family{
    "family",
    "name of the malware family whose configuration decrypted and parsed (e.g. \"remcos\")"};

}  // namespace sluice::meta

namespace sluice::meta::remcos {

inline constexpr MetaKey<std::string> generation{
    "remcos.generation",
    "which Remcos builder generation's separators parsed the configuration (e.g. \"pipe_1e1e1f\", "
    "\"at_at\"); only when a configuration decrypted and parsed"};
inline constexpr MetaKey<std::string> c2{
    "remcos.c2",
    "one C2 endpoint as \"host:port\", with \" tls\" appended when the entry enables TLS; one value "
    "per endpoint; only with a parsed configuration"};
inline constexpr MetaKeyFamily<std::string> field{
    "remcos.", "<field>",
    "one named configuration field (botnet, mutex, install_name, install_folder, keylog_file, "
    "licence, connect_interval …, see kFields in remcos.cpp) as text; only non-empty fields of a "
    "parsed configuration"};
inline constexpr MetaKey<std::string> botnet{
    "remcos.botnet",
    "the configuration's botnet tag (one of the fields above); campaign fingerprints group by it"};
inline constexpr MetaKey<std::string> mutex{
    "remcos.mutex",
    "the configuration's mutex name (one of the fields above); campaign fingerprints group by it"};
inline constexpr MetaKey<std::string> strings{
    "remcos.strings",
    "the Remcos marker strings found in the file, comma-separated; only when at least two were "
    "seen (with or without a configuration)"};

}  // namespace sluice::meta::remcos

namespace sluice::meta {

inline constexpr MetaKeyInfo kFamiliesKeys[] = {
    family,
    remcos::generation,
    remcos::c2,
    remcos::field,
    remcos::botnet,
    remcos::mutex,
    remcos::strings,
};
inline constexpr MetaSection kFamiliesSection{
    "families", "src/families",
    "Malware family configuration extracted from PE files (src/families/README.md). `remcos` is "
    "the only family today; each new family declares its own `<family>.` keys and their "
    "FamilyKeys set, which its registry entry names.",
    kFamiliesKeys};

// The keys every family writes under its own prefix; each family's registry
// entry (src/families/families.cpp) names its set, and readers that ask about
// any family walk kFamilyKeys.
struct FamilyKeys {
  MetaKey<std::string> generation;
  MetaKey<std::string> c2;
  MetaKeyFamily<std::string> field;
  MetaKey<std::string> botnet;
  MetaKey<std::string> mutex;
  MetaKey<std::string> strings;
};
inline constexpr FamilyKeys kRemcosKeys{remcos::generation, remcos::c2,    remcos::field,
                                        remcos::botnet,     remcos::mutex, remcos::strings};
inline constexpr const FamilyKeys* kFamilyKeys[] = {&kRemcosKeys};

}  // namespace sluice::meta
