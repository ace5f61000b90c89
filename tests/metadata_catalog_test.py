#!/usr/bin/env python3
"""docs/metadata.md is what `sluice keys --markdown` prints from the declarations
in src/meta, and every meta key in the stored fixture reports (tests/golden, which
golden_reports keeps equal to live scans) is declared there with the type its
values have. Run by ctest (metadata_catalog).

  metadata_catalog_test.py --sluice BIN --source REPO [--write]   (--write regenerates the doc)
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--sluice", required=True)
ap.add_argument("--source", required=True)
ap.add_argument("--write", action="store_true")
args = ap.parse_args()

problems = []
generated = subprocess.run([args.sluice, "keys", "--markdown"], check=True, capture_output=True, text=True).stdout
doc_path = os.path.join(args.source, "docs", "metadata.md")
if args.write:
    with open(doc_path, "w") as f:
        f.write(generated)
with open(doc_path) as f:
    stored = f.read()
if stored != generated:
    problems.append("docs/metadata.md differs from `sluice keys --markdown`; regenerate it with "
                    "`sluice keys --markdown > docs/metadata.md` (or this test with --write)")

# The declarations as the binary prints them: key -> type; families by prefix.
exact, families = {}, []
for m in re.finditer(r"^\| `([^`]+)` \| (string|int|bool|addresses|hash64) \|", generated, re.M):
    key, kind = m.group(1), m.group(2)
    if "<" in key:
        families.append((key.split("<")[0], kind))
    else:
        exact[key] = kind
if len(exact) < 250:
    problems.append(f"only {len(exact)} declared keys read from `sluice keys --markdown`")


def kind_of(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


# How each declared type reads in the JSON report: typed values render as text.
JSON_KIND = {"string": "string", "int": "int", "bool": "bool", "addresses": "string", "hash64": "string"}
HASH64 = re.compile(r"^[0-9a-f]{16}$")


def declared(key):
    if key in exact:
        return exact[key]
    for prefix, kind in families:
        if key.startswith(prefix) and len(key) > len(prefix):
            return kind
    return None


seen = 0
reports = sorted(glob.glob(os.path.join(args.source, "tests", "golden", "*.json")))
if not reports:
    problems.append("no stored reports in tests/golden")
for path in reports:
    with open(path) as f:
        report = json.load(f)

    def walk(node):
        global seen
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "meta" and isinstance(v, dict):
                    for key, value in v.items():
                        seen += 1
                        want = declared(key)
                        values = value if isinstance(value, list) else [value]
                        if want is None:
                            problems.append(f"{os.path.basename(path)}: meta key {key} is not declared in src/meta")
                        elif any(kind_of(x) != JSON_KIND[want] for x in values) or (
                                want == "hash64" and not all(HASH64.match(str(x)) for x in values)):
                            problems.append(f"{os.path.basename(path)}: {key} holds {values!r}, declared {want}")
                else:
                    walk(v)
        elif isinstance(node, list):
            for x in node:
                walk(x)

    walk(report)
if seen < 100:
    problems.append(f"only {seen} meta entries in the stored reports: is tests/golden complete?")

for p in problems:
    print("FAIL:", p)
print(f"{len(exact)} keys and {len(families)} families declared; {seen} meta entries in {len(reports)} "
      f"stored reports checked; {len(problems)} problems")
sys.exit(1 if problems else 0)
