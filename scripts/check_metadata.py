#!/usr/bin/env python3
"""The meta-key catalog (docs/metadata.md) stays in step with the source: every
key a format writes on an artifact (ctx.meta / ctx.meta_on and the helpers that
forward to them) is documented, every documented key is still written, and
every key a detector, campaign, report or app reads is written by something.
Run by ctest (metadata_in_step); self-test in scripts/check_metadata_test.py.

  check_metadata.py --source REPO          check, exit 1 on any problem
  check_metadata.py --source REPO --list   print the keys found, with writers

What counts as a write (files under src/ and apps/, not *_test.cpp nor
*_harness.cpp):
  * the key argument of meta(KEY, value) and meta_on(target, KEY, value),
    also across lines; every literal in it counts (a ? "a.x" : "a.y");
  * Meta{KEY, value}, X.meta.push_back({KEY, ...}), std::vector<Meta> v{{KEY, ...}};
  * the per-file helpers in HELPERS below (lambdas or small classes that
    forward their key argument to ctx.meta);
  * a concatenation "lit." + expr is the family lit.<…>; an identifier in a
    concatenation is resolved where the file says what it is (a ternary of two
    literals, a "x" + "." initialiser, a constant, or EXPANSIONS below).
A key argument with no literal in it (ctx.meta(std::move(m.key), ...)) is a
forwarder: the literal is counted where the Meta was built.

What counts as a read: literals (or constants / range-for variables bound to
literals) passed to find_meta, meta_string, meta_strings, meta_flag, meta_int,
and literals compared with key == / key != ; key.starts_with("x.") reads the
family prefix x. (any written key under it satisfies it).
"""
import argparse
import itertools
import pathlib
import re
import sys

ALLOWED_TYPES = {"string", "int", "bool"}
KEY = re.compile(r"^[a-z0-9_]+(?:\.[a-z0-9_.]+)?$")      # "family" has no dot
READ_KEY = re.compile(r"^[a-z0-9_]+\.[a-z0-9_.]+$")
PLACEHOLDER = "<…>"

# Local helpers that forward their key argument to ctx.meta: file -> [(callee
# pattern, index of the key argument)]. A new helper belongs here, or its keys
# show up as "documented but written nowhere".
HELPERS = {
    "src/formats/lnk/unpacker.cpp": [(r"\btext", 0)],              # auto text = [&](key, v) {...}
    "src/formats/iso9660/iso_parser.cpp": [(r"\bput", 0)],         # read_metadata's put(key, value)
    "src/formats/iso9660/rock_ridge.cpp": [(r"\bput", 1)],         # put(rr, key, value)
    "src/formats/office/unpacker.cpp": [(r"\bfacts\.add", 0)],     # Facts::add(key, value)
    "src/families/pe_hook.cpp": [(r"\badd_once", 2)],              # add_once(seen, ctx, key, value)
}
# Local helpers that read meta by a key argument: file -> [(callee pattern, index)].
READ_HELPERS = {
    "src/analysis/families/family_detector.cpp": [(r"\bappend_all", 1)],  # append_all(a, key, label, ev)
}


def family_names(src):
    f = src / "src/families/families.cpp"
    return re.findall(r'Family\{\s*"([a-z0-9_]+)"', f.read_text()) if f.exists() else []


def expansions(src):
    """Identifiers whose values the file cannot tell: file -> {expr: [values]}."""
    fams = family_names(src)
    return {
        # record_config(ctx, family, ...) / record_families: f.name, one per Family.
        "src/families/pe_hook.cpp": {"family": fams, "f.name": fams},
        # FamilyDetector reads prefix = f.name + "." for each of all_families().
        "src/analysis/families/family_detector.cpp": {"f.name": fams},
    }


# A read of a key nothing writes is a bug in the reader. Until it is fixed, it is
# accepted only when named here, with the reason: key -> why.
READ_NOT_WRITTEN = {
}


def strip_comments(text):
    """Blank // and /* */ comments, keep strings and line numbers."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("R\"(", i):
            j = text.find(")\"", i + 3)
            j = n if j < 0 else j + 2
            out.append(text[i:j])
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def split_args(text, open_at):
    """Top-level comma-separated arguments of the bracket at open_at."""
    pairs = {"(": ")", "{": "}", "[": "]"}
    stack, args, start, i, n = [pairs[text[open_at]]], [], open_at + 1, open_at + 1, len(text)
    while i < n and stack:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c in pairs:
            stack.append(pairs[c])
        elif c in ")}]":
            stack.pop()
            if not stack:
                args.append(text[start:i])
                break
        elif c == "," and len(stack) == 1:
            args.append(text[start:i])
            start = i + 1
        i += 1
    return [a.strip() for a in args]


def split_top(expr, sep):
    parts, depth, start, i = [], 0, 0, 0
    while i < len(expr):
        c = expr[i]
        if c in "\"'":
            j = i + 1
            while j < len(expr) and expr[j] != c:
                j += 2 if expr[j] == "\\" else 1
            i = j + 1
            continue
        if c in "([{<":
            depth += 1
        elif c in ")]}>":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(expr[start:i])
            start = i + 1
        i += 1
    parts.append(expr[start:])
    return [p.strip() for p in parts]


LIT = re.compile(r'"((?:[^"\\]|\\.)*)"')
WRAP = re.compile(r"^(?:std::string(?:_view)?|std::move)\((.*)\)$", re.S)


class FileScope:
    """What one file says about identifiers: constants, ternaries, loop variables."""

    def __init__(self, text, extra, constants):
        self.values = dict(extra)
        self.constants = constants
        # const std::string prefix = exfat ? "exfat" : "ntfs";   view_(exfat ? "exfat" : "ntfs")
        for m in re.finditer(r'\b(\w+)\s*(?:=|\(|\{)\s*[\w.!]+\s*\?\s*"([^"]*)"\s*:\s*"([^"]*)"', text):
            self.values.setdefault(m.group(1), [m.group(2), m.group(3)])
        # const std::string prefix = std::string(family) + ".";
        self.exprs = {}
        for m in re.finditer(r'\b(?:std::string|auto)\s+(\w+)\s*=\s*([^;]*\+[^;]*);', text):
            self.exprs.setdefault(m.group(1), m.group(2))
        # for (std::string_view k : {"a.b", "c.d"})
        for m in re.finditer(r'for\s*\([^;()]*?\b(\w+)\s*:\s*\{([^{}]*)\}\s*\)', text):
            self.values.setdefault(m.group(1), LIT.findall(m.group(2)))
        # for (const auto& mh : kMetaHeaders) -> mh.key
        for m in re.finditer(r'for\s*\([^;()]*?\b(\w+)\s*:\s*(k\w+)\s*\)', text):
            if m.group(2) in constants:
                self.values.setdefault(m.group(1), [v for v in constants[m.group(2)] if READ_KEY.match(v)])

    def resolve(self, piece, depth=0):
        """The values an expression piece may have; None when unknown."""
        piece = piece.strip()
        while (w := WRAP.match(piece)):
            piece = w.group(1).strip()
        lits = LIT.fullmatch(piece)
        if lits:
            return [lits.group(1)]
        piece = re.sub(r"\[[^\]]*\]$", "", piece)          # kTimeKeys[bit]
        if piece in self.values:
            return self.values[piece]
        base = piece.split(".")[0]
        if "." in piece and base in self.values:             # mh.key
            return self.values[base]
        if piece in self.exprs and depth < 3:
            return self.concat(self.exprs[piece], depth + 1)
        if piece in self.constants:
            return self.constants[piece]
        return None

    def concat(self, expr, depth=0):
        """Every string a + b + c may spell, unknown pieces as PLACEHOLDER."""
        choices = []
        for p in split_top(expr, "+"):
            v = self.resolve(p, depth)
            choices.append(v if v is not None else [PLACEHOLDER])
        return ["".join(c) for c in itertools.product(*choices)]

    def keys_in(self, arg):
        """The keys (or lit.<…> families) a key argument spells."""
        if len(split_top(arg, "+")) > 1:
            out = []
            for k in self.concat(arg):
                k = re.sub(re.escape(PLACEHOLDER) + "+", PLACEHOLDER, k)
                fixed = k.split(PLACEHOLDER)[0]
                if "." in fixed and KEY.match(fixed.rstrip(".")):  # needs a literal "x." prefix
                    out.append(k)
            return out
        lits = [v for v in LIT.findall(arg) if KEY.match(v)]
        if lits:
            return lits
        v = self.resolve(arg)
        return [x for x in (v or []) if KEY.match(x)]


def type_guess(value):
    if value is None:
        return "?"
    if re.search(r"std::int64_t|static_cast<\s*std::int64_t", value):
        return "int"
    if re.fullmatch(r"true|false", value.strip()) or "!= 0" in value:
        return "bool"
    if '"' in value or "string" in value or "clean_name" in value:
        return "string"
    return "?"


def sources(src):
    for top in ("src", "apps"):
        for f in sorted((src / top).rglob("*")):
            if f.suffix in (".cpp", ".hpp", ".h", ".cc") and not re.search(r"_(test|harness)\.cpp$", f.name):
                yield f


def extract(src):
    files = {str(f.relative_to(src)): strip_comments(f.read_text(errors="replace")) for f in sources(src)}
    constants = {}
    for text in files.values():
        for m in re.finditer(r'\b(k[A-Z]\w*)(?:\[\])?\s*=\s*(\{[^;]*\}|"[^"]*")\s*;', text):
            constants.setdefault(m.group(1), LIT.findall(m.group(2)))
    ext = expansions(src)
    written, read, prefixes, suffixes = {}, {}, {}, {}   # key -> [(file, line[, type guess])]

    def line_of(text, at):
        return text.count("\n", 0, at) + 1

    for rel, text in files.items():
        scope = FileScope(text, ext.get(rel, {}), constants)

        def write(arg, value, at):
            for k in scope.keys_in(arg):
                written.setdefault(k, []).append((rel, line_of(text, at), type_guess(value)))

        calls = [(r"(?<![\w:])meta", 0, 1), (r"(?<![\w:])meta_on", 1, 2)]
        calls += [(p, i, None) for p, i in HELPERS.get(rel, [])]
        for pat, ki, vi in calls:
            for m in re.finditer(pat + r"\s*\(", text):
                args = split_args(text, m.end() - 1)
                if len(args) > ki:
                    write(args[ki], args[vi] if vi is not None and len(args) > vi else None, m.start())
        for m in re.finditer(r"\bMeta\s*\{|\bmeta\s*\.\s*(?:push_back|emplace_back)\s*\(\s*\{?", text):
            open_at = m.end() - 1
            args = split_args(text, open_at)
            if args:
                write(args[0], args[1] if len(args) > 1 else None, m.start())
        for m in re.finditer(r"std::vector<\s*Meta\s*>\s*\w+\s*\{", text):
            for item in split_args(text, m.end() - 1):
                if item.startswith("{"):
                    inner = split_args(item, 0)
                    if inner:
                        write(inner[0], inner[1] if len(inner) > 1 else None, m.start())

        def read_(v, at, kind=""):
            bucket = {"": read, "prefix": prefixes, "suffix": suffixes}[kind]
            bucket.setdefault(v, []).append((rel, line_of(text, at)))

        def read_arg(a, at):
            if len(split_top(a, "+")) > 1:
                vals = [re.sub(re.escape(PLACEHOLDER) + "+", PLACEHOLDER, v) for v in scope.concat(a)]
                vals = [v for v in vals if "." in v.split(PLACEHOLDER)[0]]
            else:
                vals = LIT.findall(a) if '"' in a else (scope.resolve(a) or [])
            for v in vals:
                if KEY.match(v) or (PLACEHOLDER in v and "." in v):
                    read_(v, at)

        accessors = [(r"(?<![\w:])(?:find_meta|meta_string|meta_strings|meta_flag|meta_int)", None)]
        accessors += READ_HELPERS.get(rel, [])
        for pat, ki in accessors:
            for m in re.finditer(pat + r"\s*\(", text):
                args = split_args(text, m.end() - 1)
                for a in (args if ki is None else args[ki:ki + 1]):
                    read_arg(a, m.start())
        # m.key == "x.y" (any key, "family" too); bare key == "x.y" only when it looks like one.
        for m in re.finditer(r'(\.)?\bkey\s*[!=]=\s*("[^"]*"|k\w+)|("[^"]*")\s*[!=]=\s*[\w.]*?(\.)?\bkey\b', text):
            tok, member = (m.group(2), m.group(1)) if m.group(2) else (m.group(3), m.group(4))
            for v in scope.resolve(tok) or []:
                if READ_KEY.match(v) or (member and KEY.match(v)):
                    read_(v, m.start())
        for m in re.finditer(r"\bkey\s*\.\s*ends_with\s*\(", text):
            args = split_args(text, m.end() - 1)
            for v in (scope.resolve(args[0]) or []) if args else []:
                if re.match(r"^\.[a-z0-9_.]+$", v):
                    read_(v, m.start(), "suffix")
        for m in re.finditer(r"\bkey\s*\.\s*starts_with\s*\(", text):
            args = split_args(text, m.end() - 1)
            for v in (scope.resolve(args[0]) or []) if args else []:
                if re.match(r"^[a-z0-9_]+\.", v):
                    if READ_KEY.match(v) and not v.endswith("."):
                        read_(v, m.start())
                    else:
                        read_(v, m.start(), "prefix")
    return written, read, prefixes, suffixes


def norm(key):
    return re.sub(r"<[^<>]*>", PLACEHOLDER, key)


def family_covers(family, key):
    """pe.version.<…> covers pe.version.CompanyName."""
    if PLACEHOLDER not in family:
        return family == key
    rx = "^" + ".*".join(re.escape(p) for p in family.split(PLACEHOLDER)) + "$"
    return re.match(rx, key) is not None


def overlaps(w, r):
    """Whether written key (or family) w can be the key read as r (or pattern r)."""
    if PLACEHOLDER not in r:
        return family_covers(w, r)
    if PLACEHOLDER not in w:
        return family_covers(r, w)
    a, b = w.split(PLACEHOLDER)[0], r.split(PLACEHOLDER)[0]
    return a.startswith(b) or b.startswith(a)


def parse_doc(path):
    rows, section_paths, section = [], [], ""
    if not path.exists():
        return rows
    for n, line in enumerate(path.read_text().splitlines(), 1):
        h = re.match(r"^##\s+(.*)$", line)
        if h:
            section = h.group(1).strip()
            paths = re.search(r"\(([^)]*)\)\s*$", section)
            section_paths = [p.strip().rstrip("/") for p in paths.group(1).split(",")
                             if re.match(r"^(src|apps)/", p.strip())] if paths else []
            continue
        m = re.match(r"^\|\s*`([^`]+)`\s*\|(.*)\|\s*$", line)
        if m:
            cells = [c.strip() for c in m.group(2).split("|")]
            rows.append({"key": m.group(1), "norm": norm(m.group(1)), "cells": cells, "line": n,
                         "section": section, "paths": section_paths})
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", default=str(pathlib.Path(__file__).resolve().parent.parent))
    ap.add_argument("--list", action="store_true", help="print the keys found and their writers")
    args = ap.parse_args(argv)
    src = pathlib.Path(args.source)
    written, read, prefixes, suffixes = extract(src)

    if args.list:
        for k in sorted(written):
            types = sorted({t for _, _, t in written[k]})
            where = sorted({f"{f}:{l}" for f, l, _ in written[k]})
            print(f"W {k}\t{'/'.join(types)}\t{' '.join(where)}")
        for k in sorted(read):
            print(f"R {k}\t{' '.join(sorted({f'{f}:{l}' for f, l in read[k]}))}")
        for k in sorted(prefixes):
            print(f"P {k}*\t{' '.join(sorted({f'{f}:{l}' for f, l in prefixes[k]}))}")
        for k in sorted(suffixes):
            print(f"S *{k}\t{' '.join(sorted({f'{f}:{l}' for f, l in suffixes[k]}))}")
        return 0

    doc = src / "docs/metadata.md"
    rows = parse_doc(doc)
    problems = []
    if not doc.exists():
        problems.append("docs/metadata.md is missing")
    documented = {}
    for r in rows:
        where = f"docs/metadata.md:{r['line']}"
        if r["norm"] in documented:
            problems.append(f"{where}: `{r['key']}` is documented twice (first at line {documented[r['norm']]['line']})")
            continue
        documented[r["norm"]] = r
        if len(r["cells"]) != 2:
            problems.append(f"{where}: `{r['key']}` needs exactly three cells: | key | type | meaning |")
            continue
        typ, meaning = r["cells"]
        words = [w.strip() for w in typ.split(" or ")]
        if not typ or any(w not in ALLOWED_TYPES for w in words):
            problems.append(f"{where}: `{r['key']}` has type '{typ}'; use string, int, bool (or 'string or int')")
        if not meaning:
            problems.append(f"{where}: `{r['key']}` has no meaning")

    written_n = {norm(k): v for k, v in written.items()}
    for k, sites in sorted(written_n.items()):
        f, l, _ = sites[0]
        if k not in documented:
            problems.append(f"{k} (written in {f}:{l}) is not documented in docs/metadata.md")
            continue
        paths = documented[k]["paths"]
        folders = {str(pathlib.PurePosixPath(w).parent) for w, _, _ in sites}
        if paths and not any(d == p or d.startswith(p + "/") for d in folders for p in paths):
            problems.append(f"docs/metadata.md:{documented[k]['line']}: `{k}` sits under "
                            f"'{documented[k]['section']}' but is written in {', '.join(sorted(folders))}")
    for k, r in sorted(documented.items()):
        if k not in written_n:
            problems.append(f"docs/metadata.md:{r['line']}: `{r['key']}` is documented but written nowhere in src/ or apps/")

    def is_written(k):
        return any(overlaps(w, k) for w in written_n)

    def prefix_written(p):
        return any(w.split(PLACEHOLDER)[0].startswith(p) or (PLACEHOLDER in w and p.startswith(w.split(PLACEHOLDER)[0]))
                   for w in written_n)

    def suffix_written(x):
        return any(w.endswith(x) or w.endswith(PLACEHOLDER) for w in written_n)

    for k, sites in sorted(read.items()):
        if is_written(k) or k in READ_NOT_WRITTEN:
            continue
        for f, l in sorted(set(sites)):
            problems.append(f"{f}:{l}: reads `{k}`, which nothing in src/ or apps/ writes")
    for group, test, what in ((prefixes, prefix_written, "under"), (suffixes, suffix_written, "ending")):
        for p, sites in sorted(group.items()):
            if test(p) or p in READ_NOT_WRITTEN:
                continue
            for f, l in sorted(set(sites)):
                problems.append(f"{f}:{l}: reads keys {what} `{p}`, and nothing writes one")
    for k in sorted(READ_NOT_WRITTEN):
        if k not in read and k not in prefixes and k not in suffixes:
            problems.append(f"READ_NOT_WRITTEN names `{k}`, which nothing reads any more: drop it")
        elif is_written(k):
            problems.append(f"READ_NOT_WRITTEN names `{k}`, which is written now: drop it")

    for p in problems:
        print(f"metadata: {p}")
    print(f"metadata: {len(written_n)} keys written, {len(read) + len(prefixes) + len(suffixes)} read, "
          f"{len(documented)} documented, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
