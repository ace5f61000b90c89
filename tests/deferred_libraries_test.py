#!/usr/bin/env python3
"""The libraries Sluice opens on first use (docs/adr/0030, 0031) stay out of
every program's start: none of them may come back as a link dependency,
directly or through another library, or every start pays their loading again.
For Sluice's own libsluice-pdf.so, that includes what it alone brings (QPDF
and its tree)."""
import argparse
import re
import subprocess
import sys


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--header", required=True, help="generated/deferred_libraries.hpp")
    ap.add_argument("--plugin", required=True, help="libsluice-pdf.so, as built")
    ap.add_argument("programs", nargs="+")
    args = ap.parse_args()
    with open(args.header, encoding="utf-8") as f:
        sonames = re.findall(r'= "(lib[^"/]+\.so[^"/]*)";', f.read())
    if len(sonames) < 5:
        print(f"deferred_libraries: expected five sonames in {args.header}, found {sonames}")
        return 1
    # What the plugin's tree maps that a program's own start never needs.
    plugin_tree = subprocess.run(["ldd", args.plugin], capture_output=True, text=True, check=True).stdout
    only_plugin = [line.split()[0] for line in plugin_tree.splitlines() if "libqpdf" in line]
    if not only_plugin:
        print(f"deferred_libraries: {args.plugin} does not load QPDF")
        return 1
    sonames += only_plugin
    problems = 0
    for program in args.programs:
        # ldd lists the whole tree the loader maps at start, not only DT_NEEDED.
        out = subprocess.run(["ldd", program], capture_output=True, text=True, check=True).stdout
        loaded = {line.split()[0] for line in out.splitlines() if line.strip()}
        found = [soname for soname in sonames if soname in loaded]
        for soname in found:
            print(f"deferred_libraries: {program} loads {soname} at start")
        problems += len(found)
        if not found:
            print(f"deferred_libraries: {program}: {len(loaded)} libraries at start, none of {', '.join(sonames)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
