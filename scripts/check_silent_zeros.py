#!/usr/bin/env python3
"""Every `.value_or(0)` in src/ and apps/ (tests and harnesses aside) says why
zero is the right answer there: a comment containing "value_or" on the same
line or in the comment block just above the statement (a blank line or a line
that closes a block ends the search; one comment may cover a run of reads over
the same checked structure). The pattern core::Reader exists to prevent is a
read past the end silently becoming 0; where 0 is the loader's own answer, or
the read is provably in bounds, the comment says so. Run by ctest
(silent_zeros); self-test in scripts/check_silent_zeros_test.py.

  check_silent_zeros.py --root REPO         exit 1 listing unexplained sites
  check_silent_zeros.py --root REPO --count print explained/unexplained counts

The other way a read past the end goes unseen is indexing a view's raw
pointer (`v.data()[i]`): refused everywhere, without exception (read through
core::Reader, ByteView::byte_at or a core::Fixed<N> taken whole).

The audit of issue #19 is done: every site has its reason, so a new one
without a reason fails (the ratchet that listed files still to audit went
with the last of them, iso9660's byte helpers, now core::Fixed reads).
"""
import argparse
import pathlib
import re
import sys

SITE = re.compile(r"\.value_or\(\s*0[uUlL]*\s*\)")
RAW_INDEX = re.compile(r"(\.|->)data\(\)\s*\[")
# How far up a comment may sit above the read it explains: a run of reads of
# one structure is a few lines, never a screenful.
REACH = 12


def skipped(path: pathlib.Path) -> bool:
    n = path.name
    return n.endswith("_test.cpp") or n.endswith("_harness.cpp") or "test_support" in n


def explained(lines, i):
    if "value_or" in lines[i].split("//", 1)[1] if "//" in lines[i] else False:
        return True
    for j in range(i - 1, max(-1, i - 1 - REACH), -1):
        text = lines[j].strip()
        if not text:
            return False
        if text.startswith("//"):
            if "value_or" in text:
                return True
            continue
        if text.startswith("}") or text.endswith("{") and not text.startswith("//"):
            # Entering or leaving a block ends the run the comment covers,
            # unless the block is the statement's own (handled by REACH).
            if text.startswith("}"):
                return False
    return False


def scan(root: pathlib.Path):
    problems, ok = [], 0
    for top in ("src", "apps", "include"):
        base = root / top
        if not base.exists():
            continue
        for path in sorted(base.rglob("*")):
            if path.suffix not in (".cpp", ".hpp") or skipped(path):
                continue
            lines = path.read_text(errors="replace").splitlines()
            for i, line in enumerate(lines):
                code = line.split("//", 1)[0]
                if RAW_INDEX.search(code):
                    problems.append(f"{path.relative_to(root)}:{i + 1}: indexing a raw pointer: {line.strip()}")
                if not SITE.search(code):
                    continue
                if explained(lines, i):
                    ok += 1
                else:
                    problems.append(f"{path.relative_to(root)}:{i + 1}: value_or(0) without a reason: {line.strip()}")
    return problems, ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True, type=pathlib.Path)
    ap.add_argument("--count", action="store_true")
    args = ap.parse_args()
    problems, ok = scan(args.root)
    if args.count:
        print(f"silent zeros: {ok} explained, {len(problems)} unexplained")
        return 0
    for p in problems:
        print(p)
    print(f"silent zeros: {ok} explained, {len(problems)} unexplained")
    return 1 if problems else 0

if __name__ == "__main__":
    sys.exit(main())
