#!/usr/bin/env python3
"""Self-test of check_silent_zeros.py: each seam must be refused, a clean tree passes."""
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
CHECK = HERE / "check_silent_zeros.py"


def run(files, todo=""):
    with tempfile.TemporaryDirectory() as d:
        root = pathlib.Path(d)
        for rel, text in files.items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        (root / "scripts").mkdir(exist_ok=True)
        (root / "scripts/silent_zeros_todo.txt").write_text(todo)
        r = subprocess.run([sys.executable, str(CHECK), "--root", str(root)], capture_output=True, text=True)
        return r.returncode, r.stdout


BARE = "int f(V v) {\n  return load(v, 4).value_or(0);\n}\n"
EXPLAINED = "int f(V v) {\n  // value_or: in bounds, 8 bytes checked above.\n  return load(v, 4).value_or(0);\n}\n"
FAR = "int f(V v) {\n  // value_or: in bounds.\n  g();\n}\nint h(V v) {\n  return load(v, 4).value_or(0);\n}\n"
cases = [
    ("unexplained read", {"src/a.cpp": BARE}, "", 1),
    ("explained read", {"src/a.cpp": EXPLAINED}, "", 0),
    ("a comment in another function does not count", {"src/a.cpp": FAR}, "", 1),
    ("tests are not audited", {"src/a_test.cpp": BARE}, "", 0),
    ("todo allows a file not yet audited", {"src/a.cpp": BARE}, "src/a.cpp 1\n", 0),
    ("todo may not grow silently", {"src/a.cpp": BARE + BARE.replace("f(", "g(")}, "src/a.cpp 1\n", 1),
    ("stale todo entry", {"src/a.cpp": EXPLAINED}, "src/a.cpp 1\n", 1),
]
failed = 0
for name, files, todo, want in cases:
    rc, out = run(files, todo)
    if rc != want:
        failed += 1
        print(f"FAIL {name}: exit {rc}, wanted {want}\n{out}")
print(f"silent zeros self-test: {len(cases) - failed}/{len(cases)} cases as expected")
sys.exit(1 if failed else 0)
