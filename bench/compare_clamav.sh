#!/usr/bin/env bash
# Side by side with ClamAV on the same messages. ClamAV gets the best possible
# chance: a signature database holding the exact SHA-256 of the harmless
# payload every malicious fixture carries (pe/hello.exe). Whatever ClamAV then
# misses, it missed because it never reached the bytes (it does not open FAT
# images, VHD or VHDX). Prints a detection table and the wall-time ratio.
#   usage: bench/compare_clamav.sh [SLUICE_BINARY] [FILES...]
set -euo pipefail
cd "$(dirname "$0")/.."
sluice="${1:-build/release/sluice}"
shift || true
if ! command -v clamscan >/dev/null; then
  echo "clamscan not installed: apt-get install clamav" >&2
  exit 2
fi
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <(ls tests/fixtures/mail/*.eml tests/fixtures/campaigns/*.eml 2>/dev/null)
fi
db="$(mktemp -d)"
trap 'rm -rf "$db"' EXIT
sigtool --sha256 tests/fixtures/pe/hello.exe > "$db/payload.hsb"
sigtool --sha256 tests/fixtures/pe/payload.dll >> "$db/payload.hsb"

printf '%-34s %-12s %-12s\n' message clamav sluice
clam_found=0; sluice_found=0
for f in "${files[@]}"; do
  # Exit statuses say "found"; the verdicts are read from the output instead.
  out=$(clamscan --no-summary -d "$db" --max-recursion=32 "$f" 2>/dev/null || true)
  case "$out" in *FOUND*) c=found ;; *) c=- ;; esac
  s=$( ("$sluice" scan --format jsonl "$f" 2>/dev/null || true) | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["verdict"])')
  printf '%-34s %-12s %-12s\n' "$(basename "$f")" "$c" "$s"
  [ "$c" = found ] && clam_found=$((clam_found+1))
  [ "$s" = malicious ] && sluice_found=$((sluice_found+1))
done
echo "payload reached: clamav $clam_found, sluice (malicious) $sluice_found of ${#files[@]}"

start=$(date +%s.%N); clamscan --no-summary -d "$db" --max-recursion=32 "${files[@]}" >/dev/null 2>&1 || true
mid=$(date +%s.%N); "$sluice" scan -j 1 --format jsonl "${files[@]}" >/dev/null 2>&1 || true
end=$(date +%s.%N)
python3 - "$start" "$mid" "$end" <<'PY'
import sys
s, m, e = map(float, sys.argv[1:])
print(f"wall time, one core each: clamav {m-s:.2f}s, sluice {e-m:.2f}s, ratio clamav/sluice {((m-s)/(e-m)):.2f}")
PY
