#!/usr/bin/env python3
"""Golden reports: `sluice scan -f jsonl` over every campaign fixture
(tests/fixtures/campaigns/*.eml), compared field by field with the stored
report in tests/golden/<fixture>.json, so any change of behaviour — a verdict,
a score, a finding, a meta value, an artifact's path or hash — shows as a diff
naming the JSON path. Fields in MAY_DIFFER are not compared.

  golden_test.py --sluice BUILD/sluice --source REPO            compare (ctest)
  golden_test.py --sluice BUILD/sluice --source REPO --update   rewrite the goldens

Update only when the change is intended, and say why in the commit.
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path

# Times and the build's version string: the rest of a report is a function of
# the input bytes and the built-in configuration.
MAY_DIFFER = {"elapsed_ms", "sluice_version"}
MAX_REPORTED = 25


def diff(want, got, path, out):
    if len(out) >= MAX_REPORTED:
        return
    if isinstance(want, dict) and isinstance(got, dict):
        for k in sorted(set(want) | set(got)):
            if k in MAY_DIFFER:
                continue
            if k not in got:
                out.append(f"{path}.{k}: missing (was {json.dumps(want[k])[:120]})")
            elif k not in want:
                out.append(f"{path}.{k}: new ({json.dumps(got[k])[:120]})")
            else:
                diff(want[k], got[k], f"{path}.{k}", out)
    elif isinstance(want, list) and isinstance(got, list):
        for i in range(max(len(want), len(got))):
            if i >= len(got):
                out.append(f"{path}[{i}]: missing (was {json.dumps(want[i])[:120]})")
            elif i >= len(want):
                out.append(f"{path}[{i}]: new ({json.dumps(got[i])[:120]})")
            else:
                diff(want[i], got[i], f"{path}[{i}]", out)
    elif want != got:
        out.append(f"{path}: {json.dumps(want)[:120]} → {json.dumps(got)[:120]}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sluice", required=True)
    ap.add_argument("--source", required=True, type=Path)
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    fixtures = args.source / "tests" / "fixtures" / "campaigns"
    golden = args.source / "tests" / "golden"
    names = sorted(p.name for p in fixtures.glob("*.eml"))
    if not names:
        print(f"golden: no fixtures in {fixtures}")
        return 1
    run = subprocess.run([str(Path(args.sluice).resolve()), "scan", "-f", "jsonl", "--no-progress", "-j", "2", *names],
                         cwd=fixtures, capture_output=True, text=True, check=False)
    if run.returncode not in (0, 1, 2, 3):
        print(f"golden: sluice scan failed ({run.returncode}): {run.stderr[-2000:]}")
        return 1
    reports = {}
    for line in run.stdout.splitlines():
        doc = json.loads(line)
        reports[doc["input"]] = doc
    if sorted(reports) != names:
        print(f"golden: expected a report per fixture, got {sorted(set(names) - set(reports))} missing")
        return 1

    if args.update:
        for name, doc in reports.items():
            (golden / (name + ".json")).write_text(json.dumps(doc, indent=1, sort_keys=True,
                                                              ensure_ascii=False) + "\n")
        stale = {p.name for p in golden.glob("*.eml.json")} - {n + ".json" for n in names}
        for s in stale:
            (golden / s).unlink()
        print(f"golden: wrote {len(reports)} reports, removed {len(stale)} stale")
        return 0

    failed = 0
    for name in names:
        stored = golden / (name + ".json")
        if not stored.is_file():
            print(f"FAIL {name}: no golden report ({stored}); run with --update")
            failed += 1
            continue
        out = []
        diff(json.loads(stored.read_text()), reports[name], "$", out)
        if out:
            failed += 1
            print(f"FAIL {name}: {len(out)}{'+' if len(out) >= MAX_REPORTED else ''} difference(s)")
            for o in out:
                print(f"  {o}")
    orphans = {p.name for p in golden.glob("*.eml.json")} - {n + ".json" for n in names}
    for o in sorted(orphans):
        print(f"FAIL {o}: golden report without a fixture")
        failed += 1
    print(f"golden: {len(names) - failed + len(orphans)}/{len(names)} reports as stored")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
