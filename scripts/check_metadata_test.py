#!/usr/bin/env python3
"""Self-test of check_metadata.py: small fake trees it must refuse (an
undocumented key, a stale row, a read nobody writes, a bad type word) and a
consistent one it must accept. Run by ctest (metadata_check_test)."""
import pathlib
import subprocess
import sys
import tempfile
import textwrap

CHECK = pathlib.Path(__file__).resolve().parent / "check_metadata.py"

WRITER = """\
#include "core/unpacker.hpp"
Status unpack(core::UnpackContext& ctx) {
  ctx.meta("x.name", ctx.clean_name(n));
  ctx.meta("x.size", static_cast<std::int64_t>(size));
  ctx.meta_on(*child,
              "x.hidden", true);
  ctx.meta_on(*child, flag ? "x.left" : "x.right", true);
  for (const auto& [k, v] : fields) ctx.meta("x.version." + k, v);
  meta.push_back({"x.pushed", std::string("a")});
  // ctx.meta("x.commented_out", 1);
  return {};
}
"""
READER = """\
void inspect(const Artifact& a) {
  if (a.meta_flag("x.hidden")) return;
  const std::string n = a.meta_string("x.name");
  for (const Meta& m : a.meta) {
    if (m.key == "x.size") continue;
    if (m.key.starts_with("x.version.")) continue;
  }
  (void)a.find_meta("x.version.CompanyName");
}
"""
DOC = """\
# Meta

## x (src/formats/x)

| key | type | meaning |
|-----|------|---------|
| `x.name` | string | the name |
| `x.size` | int | the size, bytes |
| `x.hidden` | bool | hidden |
| `x.left` | bool | left |
| `x.right` | bool | right |
| `x.version.<field>` | string | one version string |
| `x.pushed` | string | pushed through a Meta vector |
"""


def tree(root, writer=WRITER, reader=READER, doc=DOC, extra=None):
    files = {"src/formats/x/unpacker.cpp": writer, "src/analysis/y/d.cpp": reader, "docs/metadata.md": doc,
             # Test code writing or reading keys does not count.
             "src/formats/x/x_test.cpp": 'ctx.meta("x.only_in_test", 1); a.meta_string("x.nowhere");',
             "src/formats/x/x_harness.cpp": 'ctx.meta("x.only_in_harness", 1);'}
    files.update(extra or {})
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    return root


def run(root):
    r = subprocess.run([sys.executable, str(CHECK), "--source", str(root)], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


failures = 0


def expect(name, root, code, *needles):
    global failures
    rc, out = run(root)
    ok = rc == code and all(n in out for n in needles)
    print(f"{'ok  ' if ok else 'FAIL'} {name}")
    if not ok:
        failures += 1
        print(textwrap.indent(out, "     "))


with tempfile.TemporaryDirectory() as tmp:
    base = pathlib.Path(tmp)
    expect("consistent tree passes", tree(base / "good"), 0, "0 problem(s)")
    expect("undocumented written key", tree(base / "undoc", doc=DOC.replace("| `x.size` | int | the size, bytes |\n", "")),
           1, "metadata: x.size (written in src/formats/x/unpacker.cpp:4) is not documented")
    expect("stale documented key", tree(base / "stale", doc=DOC + "| `x.gone` | string | no longer written |\n"),
           1, "`x.gone` is documented but written nowhere")
    expect("read key nobody writes",
           tree(base / "unwritten", reader=READER + 'bool f(const Artifact& a) { return a.meta_flag("x.missing"); }\n'),
           1, "src/analysis/y/d.cpp:10: reads `x.missing`, which nothing in src/ or apps/ writes")
    expect("bad type word", tree(base / "badtype", doc=DOC.replace("| `x.size` | int |", "| `x.size` | integer |")),
           1, "`x.size` has type 'integer'")
    expect("two types is allowed", tree(base / "twotypes", doc=DOC.replace("| `x.size` | int |", "| `x.size` | string or int |")),
           0, "0 problem(s)")
    expect("key compared with m.key nobody writes",
           tree(base / "cmp", reader=READER.replace('m.key == "x.size"', 'm.key == "x.sizes"')),
           1, "reads `x.sizes`")
    expect("prefix read nobody writes",
           tree(base / "prefix", reader=READER.replace('starts_with("x.version.")', 'starts_with("z.")')),
           1, "reads keys under `z.`")
    expect("row in the wrong section",
           tree(base / "section", doc=DOC.replace("| `x.pushed` | string | pushed through a Meta vector |\n", "")
                + "\n## z (src/formats/z)\n\n| key | type | meaning |\n|-----|------|---------|\n"
                  "| `x.pushed` | string | pushed |\n"),
           1, "`x.pushed` sits under 'z (src/formats/z)' but is written in src/formats/x")
    expect("documented twice", tree(base / "twice", doc=DOC + "| `x.name` | string | again |\n"),
           1, "`x.name` is documented twice")
    expect("missing doc", tree(base / "nodoc", doc=""), 1, "x.name (written in")

print(f"{failures} failed")
sys.exit(1 if failures else 0)
