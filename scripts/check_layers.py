#!/usr/bin/env python3
"""The include graph of src/ and apps/, checked against the layering in
docs/ARCHITECTURE.md ("Layers"). Run by ctest (`layers`) and so by CI.

A module is a folder: src/core, src/codecs/<name>, src/formats/<name>,
src/analysis/<name> (src/analysis itself is the detector framework), src/families,
src/engine, ... and include/sluice (the public API). Every `#include "..."` is
resolved the way the compiler would (the including file's folder, then include/,
src/, the generated folder, tests/, apps/) and becomes an edge between modules.

Checked, for every source that is not a test:
  * each module includes only the tiers its own tier may use (TIER_MAY_USE);
  * analysis and families read formats through their models, never an unpacker;
  * the module graph has no cycle (codecs may use each other, acyclically);
and for the tree as a whole:
  * no test scaffolding in src/: a header only tests include, used from another
    module's tests, belongs in tests/support/;
  * every format folder has the files docs/ARCHITECTURE.md promises
    (README.md, unpacker.cpp, <name>_test.cpp).

`--graph` prints the module edges (dot format) instead of checking.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # --root replaces it (the self-test)
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

# Tiers from the bottom up. A tier may use the tiers listed for it (and itself
# only where SELF_OK says so: a format is one folder and never reaches into a
# sibling format; codecs are small shared readers that may build on each other).
TIER_MAY_USE = {
    "public": {"public"},
    "core": {"public", "core", "meta"},
    "meta": {"public"},
    "codecs": {"public", "core", "meta", "codecs"},
    "formats": {"public", "core", "meta", "codecs"},
    "families": {"public", "core", "meta", "codecs", "formats"},
    "analysis": {"public", "core", "meta", "codecs", "formats", "families", "analysis"},
    "scoring": {"public", "core", "meta", "analysis"},
    "model": {"public", "core", "meta", "analysis", "scoring", "model"},
    "engine": {"public", "core", "meta", "codecs", "formats", "families", "analysis", "scoring", "model"},
    "report": {"public", "core", "meta", "analysis", "scoring"},
    "isolation": {"public", "core", "meta", "analysis", "scoring", "model", "engine", "report"},
    "campaigns": {"public", "core", "meta", "codecs", "analysis", "scoring", "model", "engine", "report"},
    "training": {"public", "core", "meta", "analysis", "scoring", "model", "engine", "report", "training"},
    "apps": {"public", "core", "meta", "codecs", "formats", "families", "analysis", "scoring", "model", "engine",
             "report", "isolation", "campaigns", "training", "apps"},
}
# Headers of a format that are not its model: readers above formats never see them.
NOT_A_MODEL = {"unpacker.hpp"}
FORMAT_FILES = ("README.md", "unpacker.cpp")


def module_of(path: Path) -> str | None:
    rel = path.relative_to(ROOT).parts
    if rel[0] == "include":
        return "public"
    if rel[0] == "apps":
        return "apps"
    if rel[0] != "src" or len(rel) < 3:
        return None
    top = rel[1]
    if top in ("codecs", "formats", "analysis") and len(rel) >= 4:
        return f"{top}/{rel[2]}"
    return top


def tier_of(module: str) -> str:
    return module.split("/", 1)[0]


def is_test(path: Path) -> bool:
    name = path.name
    return "_test" in name or name.startswith("test_")


def resolve(including: Path, target: str, search: list[Path]) -> Path | None:
    for base in [including.parent, *search]:
        candidate = base / target
        if candidate.is_file():
            return candidate.resolve()
    return None


def sources() -> list[Path]:
    out: list[Path] = []
    for top in ("src", "apps", "include"):
        for ext in ("*.hpp", "*.cpp", "*.h"):
            out.extend((ROOT / top).rglob(ext))
    return sorted(out)


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components; each of size > 1 is a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                found.append(sorted(scc))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--generated", type=Path, help="the build's generated/ folder")
    ap.add_argument("--graph", action="store_true", help="print the module graph as dot")
    ap.add_argument("--root", type=Path, help="the tree to check (default: this repository)")
    args = ap.parse_args()
    global ROOT
    if args.root:
        ROOT = args.root.resolve()
    search = [ROOT / "include", ROOT / "src", ROOT / "tests", ROOT / "tests" / "support",
              ROOT / "apps" / "cli", ROOT / "apps"]
    if args.generated:
        search.append(args.generated)

    problems: list[str] = []
    edges: dict[str, set[str]] = defaultdict(set)
    why: dict[tuple[str, str], str] = {}
    included_by_tests: dict[Path, set[str]] = defaultdict(set)
    included_by_code: set[Path] = set()

    for src in sources():
        mod = module_of(src)
        if mod is None:
            continue
        text = src.read_text(encoding="utf-8", errors="replace")
        for target in INCLUDE.findall(text):
            dst_path = resolve(src, target, search)
            rel_src = src.relative_to(ROOT)
            if dst_path is None:
                if target.endswith("_registry.cpp") or "generated" in target:
                    continue
                problems.append(f"{rel_src}: #include \"{target}\" resolves to no file")
                continue
            try:
                dst_rel = dst_path.relative_to(ROOT)
            except ValueError:
                continue
            if dst_rel.parts[0] == "tests":
                if not is_test(src) and "test_support" not in src.name:
                    problems.append(f"{rel_src}: code includes test support {dst_rel}")
                continue
            dst = module_of(dst_path)
            if dst is None:
                continue
            if is_test(src):
                included_by_tests[dst_path].add(mod)
                continue
            included_by_code.add(dst_path)
            if dst == mod:
                continue
            edges[mod].add(dst)
            why.setdefault((mod, dst), f"{rel_src} → {dst_rel}")
            tier, dst_tier = tier_of(mod), tier_of(dst)
            if dst_tier not in TIER_MAY_USE[tier]:
                problems.append(f"{rel_src}: {tier} may not include {dst_tier} ({dst_rel})")
            elif tier == "formats" and dst_tier == "formats":
                problems.append(f"{rel_src}: a format reaches into another format ({dst_rel})")
            elif tier in ("analysis", "families") and dst_tier == "formats" \
                    and dst_path.name in NOT_A_MODEL:
                problems.append(f"{rel_src}: {tier} reads a format's unpacker, not its model "
                                f"({dst_rel})")

    if args.graph:
        print("digraph sluice {")
        for a in sorted(edges):
            for b in sorted(edges[a]):
                print(f'  "{a}" -> "{b}";')
        print("}")
        return 0

    for cycle in find_cycles(edges):
        ring = " → ".join(cycle + [cycle[0]])
        pairs = [why.get((a, b)) for a in cycle for b in cycle if (a, b) in why]
        problems.append(f"cycle: {ring} ({'; '.join(p for p in pairs if p)})")

    for header, users in sorted(included_by_tests.items()):
        if header in included_by_code or header.suffix != ".hpp":
            continue
        own = module_of(header)
        foreign = sorted(u for u in users if u != own)
        if foreign and ("test" in header.name or "util" in header.name):
            problems.append(f"{header.relative_to(ROOT)}: test scaffolding in src/, used by "
                            f"{', '.join(foreign)}; it belongs in tests/support/")

    for folder in sorted((ROOT / "src" / "formats").iterdir()):
        if not folder.is_dir():
            continue
        wanted = [*FORMAT_FILES, f"{folder.name}_test.cpp"]
        if folder.name == "fault":  # test-only worker faults: no README of a file format
            wanted = ["README.md", "unpacker.cpp"]
        for name in wanted:
            if not (folder / name).is_file():
                problems.append(f"src/formats/{folder.name}/: missing {name}")

    modules = sorted(set(edges) | {m for targets in edges.values() for m in targets})
    n_edges = sum(len(t) for t in edges.values())
    for p in problems:
        print(f"layers: {p}")
    print(f"layers: {len(modules)} modules, {n_edges} edges, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
