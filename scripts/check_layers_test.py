#!/usr/bin/env python3
"""The layering check must fail on each kind of seam it exists to stop: run it
on small made-up trees, one seam each, and on a clean one (ctest: layers_check_test)."""
import subprocess
import sys
import tempfile
from pathlib import Path

CHECK = Path(__file__).resolve().parent / "check_layers.py"

CLEAN = {
    "include/sluice/result.hpp": "",
    "src/core/reader.hpp": '#include "sluice/result.hpp"\n',
    "src/codecs/cfb/cfb.hpp": '#include "core/reader.hpp"\n',
    "src/formats/msg/unpacker.cpp": '#include "codecs/cfb/cfb.hpp"\n#include "formats/msg/parser.hpp"\n',
    "src/formats/msg/parser.hpp": '#include "core/reader.hpp"\n',
    "src/formats/msg/README.md": "",
    "src/formats/msg/msg_test.cpp": '#include "test_support.hpp"\n',
    "src/analysis/detector.hpp": "",
    "src/analysis/mail/mail.cpp": '#include "formats/msg/parser.hpp"\n#include "analysis/detector.hpp"\n',
    "tests/support/test_support.hpp": "",
}

SEAMS = {
    "a format reaching into another format": {
        "src/formats/tnef/unpacker.cpp": '#include "formats/msg/parser.hpp"\n',
        "src/formats/tnef/README.md": "",
        "src/formats/tnef/tnef_test.cpp": "",
    },
    "a format including a detector": {
        "src/formats/msg/parser.cpp": '#include "analysis/detector.hpp"\n',
    },
    "a detector reading a format's unpacker": {
        "src/formats/msg/unpacker.hpp": "",
        "src/analysis/mail/more.cpp": '#include "formats/msg/unpacker.hpp"\n',
    },
    "a cycle between codecs": {
        "src/codecs/mapi/mapi.hpp": '#include "codecs/cfb/cfb.hpp"\n',
        "src/codecs/cfb/cfb.cpp": '#include "codecs/mapi/mapi.hpp"\n',
    },
    "test scaffolding in src": {
        "src/formats/msg/disk_test_util.hpp": "",
        "src/analysis/mail/mail_test.cpp": '#include "formats/msg/disk_test_util.hpp"\n',
    },
    "a format folder without its README": {
        "src/formats/gzip/unpacker.cpp": '#include "core/reader.hpp"\n',
        "src/formats/gzip/gzip_test.cpp": "",
    },
    "code including test support": {
        "src/core/budget.cpp": '#include "test_support.hpp"\n',
    },
    "an include that resolves to nothing": {
        "src/core/budget.cpp": '#include "core/missing.hpp"\n',
    },
}


def run(files: dict[str, str]) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        return subprocess.run([sys.executable, str(CHECK), "--root", str(root)],
                              capture_output=True, text=True, check=False)


def main() -> int:
    failures = 0
    clean = run(CLEAN)
    if clean.returncode != 0:
        print(f"FAIL: the clean tree was refused:\n{clean.stdout}")
        failures += 1
    for seam, extra in SEAMS.items():
        r = run({**CLEAN, **extra})
        if r.returncode == 0:
            print(f"FAIL: {seam} passed the check:\n{r.stdout}")
            failures += 1
        else:
            print(f"ok: {seam}: {r.stdout.splitlines()[0]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
