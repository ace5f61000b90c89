#!/usr/bin/env python3
"""The findings catalog (docs/findings.md), the policy (data/policy.toml) and the
source stay in step: every ID the code can raise is documented and weighted, and
every documented ID is weighted. Run by ctest."""
import argparse
import pathlib
import re
import sys
import tomllib

ap = argparse.ArgumentParser()
ap.add_argument("--source", required=True)
src = pathlib.Path(ap.parse_args().source)

doc_text = (src / "docs/findings.md").read_text()
catalog = set(re.findall(r"^### `([a-z0-9_.]+)`", doc_text, re.M))
doc_weights = {m.group(1): float(m.group(2)) for m in re.finditer(
    r"^### `([a-z0-9_.]+)`\n(?:.*\n)*?Severity: \w+ · Weight: ([0-9.]+)", doc_text, re.M)}
policy = tomllib.loads((src / "data/policy.toml").read_text())["policy"]
weights = set(policy.get("weights", {}))
floors = set(policy.get("floors", {}))

raised = {}
patterns = [
    r'\banomaly\(\s*"([a-z0-9_.]+)"',
    r'\banomaly_on\([^,()]+,\s*"([a-z0-9_.]+)"',
    r'\bsink\.add\(\s*"([a-z0-9_.]+)"',
    r'\bnote\(\s*tree,\s*\w+,\s*"([a-z0-9_.]+)"',
    r'\bFinding\{\s*"([a-z0-9_.]+)"',
    r'findings\.push_back\(\{\s*"([a-z0-9_.]+)"',
    # Pure parsers collect issues as {"id", Severity::x, ...} for their unpacker.
    r'"([a-z0-9_]+\.[a-z0-9_.]+)"\s*,\s*Severity::',
]
literals = set()
for f in list(src.glob("src/**/*.cpp")) + list(src.glob("src/**/*.hpp")) + list(src.glob("apps/**/*.cpp")):
    if f.name.endswith("_test.cpp"):
        continue
    text = f.read_text(errors="replace")
    literals.update(re.findall(r'"([a-z0-9_]+\.[a-z0-9_.]+)"', text))
    for p in patterns:
        for m in re.finditer(p, text):
            raised.setdefault(m.group(1), str(f.relative_to(src)))

problems = []
for fid, where in sorted(raised.items()):
    if fid not in catalog:
        problems.append(f"{fid} (raised in {where}) is not in docs/findings.md")
    if fid not in weights:
        problems.append(f"{fid} (raised in {where}) has no weight in data/policy.toml")
for fid in sorted(catalog - weights):
    problems.append(f"{fid} is documented but has no weight in data/policy.toml")
for fid in sorted(weights - catalog):
    problems.append(f"{fid} has a weight but is not documented in docs/findings.md")
for fid, w in sorted(doc_weights.items()):
    if fid in policy.get("weights", {}) and float(policy["weights"][fid]) != w:
        problems.append(f"{fid}: docs say weight {w:g}, data/policy.toml says {policy['weights'][fid]}")
for fid in sorted(catalog - set(doc_weights)):
    problems.append(f"{fid}: no 'Severity: … · Weight: N' line under its heading")
for fid in sorted(floors - catalog):
    problems.append(f"{fid} has a floor but is not documented")
for kind in ("context", "lies"):
    for fid in sorted(set(policy.get(kind, [])) - catalog):
        problems.append(f"{fid} is listed in policy.{kind} but is not documented")
for fid in sorted(catalog - set(raised) - literals):
    problems.append(f"{fid} is documented but appears nowhere in src/")

print(f"catalog: {len(catalog)} IDs, raised in source: {len(raised)}, weighted: {len(weights)}")
for p in problems:
    print("  " + p)
print(f"{0 if problems else 1} passed, {len(problems)} failed")
sys.exit(1 if problems else 0)
