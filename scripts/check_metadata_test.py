#!/usr/bin/env python3
"""Self-test of check_metadata.py: a small consistent tree it must accept, and
the same tree with one fault at a time it must refuse (a key spelt as a
literal where it is written, read or compared; a declaration missing from its
section's list; a section missing from the catalog; a key nobody writes).
Run by ctest (metadata_check_test)."""
import pathlib
import subprocess
import sys
import tempfile

CHECK = pathlib.Path(__file__).resolve().parent / "check_metadata.py"

SECTION = """\
#pragma once
#include "sluice/meta_key.hpp"

namespace sluice::meta::x {

inline constexpr MetaKey<std::string> name{
    "x.name",
    "the name"};
inline constexpr MetaKey<bool> hidden{
    "x.hidden",
    "hidden"};
inline constexpr MetaKeyFamily<std::string> version_field{
    "x.version.", "<field>",
    "one version string"};

}  // namespace sluice::meta::x

namespace sluice::meta {

inline constexpr MetaKeyInfo kXKeys[] = {
    x::name,
    x::hidden,
    x::version_field,
};
inline constexpr MetaSection kXSection{
    "x", "src/formats/x",
    "",
    kXKeys};

}  // namespace sluice::meta
"""
CATALOG = """\
#pragma once
#include "meta/x.hpp"
namespace sluice::meta {
inline constexpr const MetaSection* kSections[] = {
    &kXSection,
};
}
"""
WRITER = """\
#include "meta/x.hpp"
Status unpack(core::UnpackContext& ctx) {
  ctx.meta(meta::x::name, ctx.clean_name(n));
  ctx.meta_on(*child,
              meta::x::hidden, true);
  for (const auto& [k, v] : fields) ctx.meta(meta::x::version_field[k], v);
  // ctx.meta("x.commented_out", 1);
  return {};
}
"""
READER = """\
#include "meta/x.hpp"
void inspect(const Artifact& a) {
  if (a.meta_flag(meta::x::hidden)) return;
  const std::string n = a.meta_string(meta::x::name);
  for (const Meta& m : a.meta) {
    if (meta::x::version_field.contains(m.key)) continue;
  }
  const std::string label = "x.not_a_key_just_text";
}
"""
TEST = """\
TEST(X, Reads) { EXPECT_EQ(a.meta_string("x.name"), "n"); }
"""


def tree(root, section=SECTION, catalog=CATALOG, writer=WRITER, reader=READER):
    for rel, text in {"src/meta/x.hpp": section, "src/meta/catalog.hpp": catalog,
                      "src/formats/x/unpacker.cpp": writer, "src/analysis/x/x_detector.cpp": reader,
                      "src/analysis/x/x_detector_test.cpp": TEST}.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def run(**kw):
    with tempfile.TemporaryDirectory() as d:
        tree(pathlib.Path(d), **kw)
        r = subprocess.run([sys.executable, str(CHECK), "--source", d], capture_output=True, text=True)
        return r.returncode, r.stdout


def main():
    failures = []
    rc, out = run()
    if rc != 0:
        failures.append(f"a consistent tree was refused:\n{out}")
    faults = {
        "literal write": dict(writer=WRITER.replace("meta::x::name, ctx", '"x.name", ctx')),
        "literal write on a child": dict(writer=WRITER.replace("meta::x::hidden, true", '"x.hidden", true')),
        "literal read": dict(reader=READER.replace("meta_string(meta::x::name)", 'meta_string("x.name")')),
        "literal comparison": dict(reader=READER.replace("meta::x::version_field.contains(m.key)",
                                                         'm.key == "x.version.A"')),
        "literal prefix": dict(reader=READER.replace("meta::x::version_field.contains(m.key)",
                                                     'm.key.starts_with("x.version.")')),
        "Meta from a literal": dict(writer=WRITER.replace("return {};", 'v.push_back(Meta{"x.name", s});\n  return {};')),
        "unlisted declaration": dict(section=SECTION.replace("    x::hidden,\n", "")),
        "section not in the catalog": dict(catalog=CATALOG.replace("    &kXSection,\n", "")),
        "a key nobody writes": dict(writer=WRITER.replace("meta::x::hidden", "meta::x::name")),
    }
    for what, kw in faults.items():
        rc, out = run(**kw)
        if rc == 0:
            failures.append(f"{what}: accepted\n{out}")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(faults) + 1} trees, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
