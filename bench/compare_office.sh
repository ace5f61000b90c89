#!/usr/bin/env bash
# Office documents side by side with ClamAV's own Office heuristics
# (--alert-macros: "Heuristics.OLE2.ContainsMacros" for any VBA project;
# --alert-encrypted-doc), the closest thing a ClamAV admin can switch on
# without commercial signatures. Inputs: SpamAssassin's OLEVBMacro messages and
# the oletools test documents (../shared/corpora, read in place; the password
# zips are skipped: neither tool has their password), plus the LibreOffice and
# technique fixtures of tests/fixtures/office. Prints one row per file, the
# counts, and the wall-time ratio (one core each).
#   usage: bench/compare_office.sh [SLUICE_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
sluice="${1:-build/release/sluice}"
command -v clamscan >/dev/null || { echo "clamscan not installed: apt-get install clamav" >&2; exit 2; }
corpora="$(cd .. && pwd)/shared/corpora"
mapfile -t files < <(ls "$corpora"/spam/spamassassin-tdata/olevbmacro/*.eml \
  "$corpora"/office/oletools/{olevba,oleform,msodde,encrypted,excel4-macros,oleobj/external_link,ooxml}/* \
  tests/fixtures/office/* 2>/dev/null | grep -v '\.zip$')
db="$(mktemp -d)"
trap 'rm -rf "$db"' EXIT
sigtool --sha256 tests/fixtures/pe/hello.exe > "$db/payload.hsb"
opts=(--no-summary -d "$db" --alert-macros=yes --alert-encrypted-doc=yes --max-recursion=32)

printf '%-58s %-10s %-11s %s\n' file clamav sluice office-findings
clam=0; flagged=0
for f in "${files[@]}"; do
  out=$(clamscan "${opts[@]}" "$f" 2>/dev/null || true)
  case "$out" in *FOUND*) c=found; clam=$((clam+1)) ;; *) c=- ;; esac
  read -r v ids < <( ("$sluice" scan --format jsonl "$f" 2>/dev/null || true) | python3 -c '
import json, sys
r = json.loads(sys.stdin.readline())
ids = sorted({f["id"] for f in r.get("findings", []) if f["id"].startswith(("office.", "name.document"))})
print(r["verdict"], ",".join(ids) or "-")')
  [ "$v" != clean ] && flagged=$((flagged+1))
  printf '%-58s %-10s %-11s %s\n' "${f#"$corpora"/}" "$c" "$v" "$ids"
done
echo "flagged: clamav $clam, sluice (suspicious or malicious) $flagged, of ${#files[@]} files"
start=$(date +%s.%N); clamscan "${opts[@]}" "${files[@]}" >/dev/null 2>&1 || true
mid=$(date +%s.%N); "$sluice" scan -j 1 --format jsonl "${files[@]}" >/dev/null 2>&1 || true
end=$(date +%s.%N)
python3 - "$start" "$mid" "$end" <<'PY'
import sys
s, m, e = map(float, sys.argv[1:])
print(f"wall time, one core each: clamav {m-s:.2f}s, sluice {e-m:.2f}s, ratio clamav/sluice {((m-s)/(e-m)):.2f}")
PY
