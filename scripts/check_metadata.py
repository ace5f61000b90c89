#!/usr/bin/env python3
"""Metadata keys are named only through their declarations (src/meta), and every
declaration is listed, catalogued and written. Run by ctest (metadata_in_step);
self-test in scripts/check_metadata_test.py. The compiler already refuses a
value of the wrong type and an undeclared key given to ctx.meta; this script
covers what it cannot see:

  * no source outside src/meta (tests and harnesses aside) spells a key as a
    string literal where meta is written, read or compared: ctx.meta("x.y", …),
    a.meta_string("x.y"), Meta{"x.y", …}, m.key == "x.y", key.starts_with("x.") …;
  * every key declared in a section header (src/meta/<section>.hpp) is in that
    header's k<Section>Keys list, and every section is in src/meta/catalog.hpp
    (which `sluice keys --markdown` turns into docs/metadata.md);
  * every declared key is written: its name appears in the folder the section
    names as its writer (any src/ folder for a section written from several),
    or in a family's key set (FamilyKeys), which the family registry hands to
    the writer.

  check_metadata.py --source REPO     exit 1 on any problem
"""
import argparse
import pathlib
import re
import sys

KEYISH = r'"[a-z0-9_]+\.[^"\s]*"'
LITERAL_USES = [
    (re.compile(r'\b(?:meta|meta_on|record|record_on)\(\s*(?:[^,()"]+,\s*)?' + KEYISH), "written by literal"),
    (re.compile(r'\b(?:find_meta|meta_string|meta_strings|meta_flag|meta_value)\(\s*' + KEYISH), "read by literal"),
    (re.compile(r'\bMeta\{\s*' + KEYISH), "a Meta made from a literal"),
    (re.compile(r'\bmeta\.(?:push_back|emplace_back)\(\s*\{?\s*' + KEYISH), "a Meta made from a literal"),
    (re.compile(r'\bkey\s*(?:==|!=)\s*' + KEYISH), "compared with a literal"),
    (re.compile(r'\bkey\.(?:starts_with|ends_with)\(\s*"[a-z0-9_.]+"'), "matched by a literal prefix or suffix"),
]
DECL = re.compile(r"inline constexpr (MetaKey|MetaKeyFamily)<[^>]+> (\w+)\{")
NAMESPACE = re.compile(r"^namespace sluice::meta(?:::(\w+))? \{", re.M)
SECTION = re.compile(r'inline constexpr MetaSection (k\w+Section)\{\s*"[^"]*",\s*"([^"]*)"', re.S)
KEYS_LIST = re.compile(r"inline constexpr MetaKeyInfo (k\w+Keys)\[\] = \{([^}]*)\};", re.S)
FAMILY_SET = re.compile(r"inline constexpr FamilyKeys \w+\{([^}]*)\}", re.S)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def is_test(path):
    return "_test" in path.name or "_harness" in path.name or path.name.startswith("test_")


def declarations(header_text):
    """(qualified name as listed, key name) for each declaration, by namespace."""
    out = []
    spans = [(m.start(), m.group(1)) for m in NAMESPACE.finditer(header_text)]
    for m in DECL.finditer(header_text):
        ns = None
        for start, name in spans:
            if start < m.start():
                ns = name
        out.append(f"{ns}::{m.group(2)}" if ns else m.group(2))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    root = pathlib.Path(ap.parse_args().source)
    problems = []

    sources = {}
    for top in ("src", "apps", "include"):
        for ext in ("*.cpp", "*.hpp", "*.h"):
            for f in (root / top).rglob(ext):
                if not is_test(f):
                    sources[f] = strip_comments(f.read_text(errors="replace"))

    meta_dir = root / "src" / "meta"
    for f, text in sources.items():
        if meta_dir in f.parents:
            continue
        for pattern, what in LITERAL_USES:
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{f.relative_to(root)}:{line}: meta key {what} ({m.group(0).strip()}); "
                                "use its declaration in src/meta")

    catalog = sources.get(meta_dir / "catalog.hpp", "")
    family_sets = " ".join(m.group(1) for t in sources.values() for m in FAMILY_SET.finditer(t))
    headers = sorted(p for p in meta_dir.glob("*.hpp") if p.name not in ("catalog.hpp", "groups.hpp"))
    if not headers:
        problems.append("no section headers in src/meta")
    declared_total = 0
    for h in headers:
        text = sources[h]
        rel = h.relative_to(root)
        decls = declarations(text)
        declared_total += len(decls)
        section = SECTION.search(text)
        listing = KEYS_LIST.search(text)
        if not section or not listing:
            problems.append(f"{rel}: needs a k<Section>Keys list and a k<Section>Section")
            continue
        if f'#include "meta/{h.name}"' not in catalog or f"&{section.group(1)}," not in catalog:
            problems.append(f"{rel}: {section.group(1)} is not listed in src/meta/catalog.hpp")
        listed = [x.strip() for x in listing.group(2).split(",") if x.strip()]
        for d in decls:
            if d not in listed:
                problems.append(f"{rel}: {d} is declared but not in {listing.group(1)} (so not in docs/metadata.md)")
        writer = section.group(2)
        folders = [root / writer] if writer.startswith("src/") else [root / "src"]
        for d in decls:
            pattern = re.compile(r"\bmeta::" + re.escape(d) + r"\b")
            written = any(
                any(folder in f.parents for folder in folders) and meta_dir not in f.parents and pattern.search(t)
                for f, t in sources.items())
            if not written and not re.search(r"\b" + re.escape(d) + r"\b", family_sets):
                problems.append(f"{rel}: {d} is declared but {writer} never names it (a key nobody writes?)")
    for p in problems:
        print("FAIL:", p)
    print(f"{declared_total} declarations in {len(headers)} sections; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
