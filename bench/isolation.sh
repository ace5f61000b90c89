#!/usr/bin/env bash
# What sandboxed scanning costs (docs/adr/0011): messages/s in process and in
# sandboxed workers (sluice scan --isolate), with one and two workers (and as
# many CLI jobs), over the SpamAssassin ham corpus and the campaign fixtures,
# and the time to start one worker (fork + lock down), from --worker-stats.
#   usage: bench/isolation.sh [SLUICE_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
sluice="${1:-build/release/sluice}"
ham="../shared/corpora/ham/spamassassin-corpus"
[ -d "$ham" ] || { echo "isolation.sh: $ham missing" >&2; exit 2; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

printf '%-12s %6s %-22s %8s %10s %14s\n' set files mode seconds msgs_per_s worker_start_ms
for set in ham campaigns; do
  case "$set" in
    ham) dir="$ham" ;;
    campaigns) dir="tests/fixtures/campaigns" ;;
  esac
  files=$(find "$dir" -type f | wc -l)
  for mode in "in-process:1" "isolated:1" "in-process:2" "isolated:2"; do
    kind="${mode%%:*}"; n="${mode##*:}"
    args=(scan -q --no-progress --format jsonl -j "$n")
    [ "$kind" = isolated ] && args+=(--isolate --workers "$n" --worker-stats)
    start=$(date +%s.%N)
    "$sluice" "${args[@]}" "$dir" > /dev/null 2> "$tmp/err" || true
    end=$(date +%s.%N)
    spawn=$(sed -n 's/.*(mean \([0-9.]*\) ms to fork and lock down).*/\1/p' "$tmp/err" | tail -1)
    python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); f=int(sys.argv[3]); \
print(f'{sys.argv[4]:12s} {f:6d} {sys.argv[5]:22s} {s:8.2f} {f/s:10.1f} {sys.argv[6]:>14s}')" \
      "$start" "$end" "$files" "$set" "$kind, $n job(s)" "${spawn:--}"
  done
done
