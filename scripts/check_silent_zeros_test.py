#!/usr/bin/env python3
"""Self-test of check_silent_zeros.py: each seam must be refused, a clean tree passes."""
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
CHECK = HERE / "check_silent_zeros.py"


def run(files):
    with tempfile.TemporaryDirectory() as d:
        root = pathlib.Path(d)
        for rel, text in files.items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        r = subprocess.run([sys.executable, str(CHECK), "--root", str(root)], capture_output=True, text=True)
        return r.returncode, r.stdout


BARE = "int f(V v) {\n  return load(v, 4).value_or(0);\n}\n"
EXPLAINED = "int f(V v) {\n  // value_or: in bounds, 8 bytes checked above.\n  return load(v, 4).value_or(0);\n}\n"
FAR = "int f(V v) {\n  // value_or: in bounds.\n  g();\n}\nint h(V v) {\n  return load(v, 4).value_or(0);\n}\n"
cases = [
    ("unexplained read", {"src/a.cpp": BARE}, 1),
    ("explained read", {"src/a.cpp": EXPLAINED}, 0),
    ("a comment in another function does not count", {"src/a.cpp": FAR}, 1),
    ("tests are not audited", {"src/a_test.cpp": BARE}, 0),
    ("apps are audited too", {"apps/cli/a.cpp": BARE}, 1),
    ("two reads, one explained", {"src/a.cpp": EXPLAINED + BARE.replace("f(", "g(")}, 1),
    ("raw pointer indexing", {"src/a.cpp": "int f(V v) {\n  return v.data()[3];\n}\n"}, 1),
    ("raw pointer indexing through ->", {"src/a.cpp": "int f(V* v) {\n  return v->data() [3];\n}\n"}, 1),
    ("raw pointer indexing even with a comment", {"src/a.cpp": "// value_or: no\nint f(V v) { return v.data()[0]; }\n"}, 1),
    ("a bulk copy is not indexing", {"src/a.cpp": "void f(V v, O& o) {\n  o.assign(v.data(), v.data() + v.size());\n}\n"}, 0),
]
failed = 0
for name, files, want in cases:
    rc, out = run(files)
    if rc != want:
        failed += 1
        print(f"FAIL {name}: exit {rc}, wanted {want}\n{out}")
print(f"silent zeros self-test: {len(cases) - failed}/{len(cases)} cases as expected")
sys.exit(1 if failed else 0)
