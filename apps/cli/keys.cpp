#include "keys.hpp"

#include <cstdio>

#include "meta/catalog.hpp"

namespace sluice::cli {
namespace {

constexpr std::string_view kPreamble = R"(# Artifact metadata keys

Meta is what a format records about an artifact it unpacked: facts, not judgements.
Each key is declared once, in `src/meta/<section>.hpp`, with its name, the one type its
values have and what it means; formats write through the declaration
(`ctx.meta(meta::pe::machine, value)` on the artifact being unpacked,
`ctx.meta_on(child, key, value)` on one it emitted) and detectors (src/analysis),
campaigns (src/campaigns), the model (src/model), the report (src/report) and the apps
read through it (`a.meta_string(meta::mail::from)`), so a key cannot be misspelt or
written with a second type. A value is a `MetaValue` (include/sluice/meta_key.hpp): a
string, a 64-bit signed integer (`int` below), a bool, an address header with its mailboxes
read once (`addresses`: display name, address and lower-case domain of each; the report shows
the header's text) or a 64-bit digest (`hash64`; the report shows 16 hex digits). Readers
take typed values as they are (`a.meta_value(meta::icon::phash)->bits`,
`a.first_mailbox(meta::mail::from).domain`) and never parse text back. Keys are `<format>.<name>`; a
key may occur several times on one artifact (one value per URL, per field, per sheet …)
and readers take them all with `meta_strings`. A family of keys is one row with a
placeholder: `pe.version.<field>` stands for every key under `pe.version.`.

This file is generated: `sluice keys --markdown > docs/metadata.md` (ctest
`metadata_catalog` fails when it differs, and checks that every key in the stored
fixture reports is declared with its type). `scripts/check_metadata.py` (ctest
`metadata_in_step`) checks that the source names keys only through declarations and
that every declaration is used. `sluice explain KEY` prints one entry.
)";

std::string_view type_word(MetaKind k) {
  switch (k) {
    case MetaKind::string: return "string";
    case MetaKind::integer: return "int";
    case MetaKind::boolean: return "bool";
    case MetaKind::addresses: return "addresses";
    case MetaKind::hash64: return "hash64";
  }
  return "?";
}

std::string shown_name(const MetaKeyInfo& k) { return std::string(k.name) + std::string(k.placeholder); }

}  // namespace

std::string metadata_markdown() {
  std::string out(kPreamble);
  for (const MetaSection* s : meta::kSections) {
    out += "\n## ";
    out += s->title;
    out += " (";
    out += s->writer;
    out += ")\n\n";
    if (!s->about.empty()) {
      out += s->about;
      out += "\n\n";
    }
    out += "| key | type | meaning |\n|-----|------|---------|\n";
    for (const MetaKeyInfo& k : s->keys) {
      out += "| `" + shown_name(k) + "` | " + std::string(type_word(k.kind)) + " | " + std::string(k.meaning) + " |\n";
    }
  }
  return out;
}

std::string metadata_entry(std::string_view key) {
  const MetaKeyInfo* k = meta::find_declaration(key);
  if (k == nullptr) return {};
  for (const MetaSection* s : meta::kSections) {
    for (const MetaKeyInfo& candidate : s->keys) {
      if (&candidate != k) continue;
      return shown_name(*k) + " (meta key, " + std::string(type_word(k->kind)) + ", written by " +
             std::string(s->writer) + ")\n  " + std::string(k->meaning) + "\n";
    }
  }
  return {};
}

int run_keys(bool markdown) {
  if (markdown) {
    const std::string md = metadata_markdown();
    std::fwrite(md.data(), 1, md.size(), stdout);
    return 0;
  }
  for (const MetaSection* s : meta::kSections) {
    for (const MetaKeyInfo& k : s->keys) {
      std::printf("%-36s %-6s %s\n", shown_name(k).c_str(), std::string(type_word(k.kind)).c_str(),
                  std::string(k.meaning).c_str());
    }
  }
  return 0;
}

}  // namespace sluice::cli
