#!/usr/bin/env bash
# What recording campaigns costs (issue #15, docs/campaigns.md), side by side:
# sluice scan without and with --campaign-db over the SpamAssassin ham corpus
# (nothing is stored: clean mail never joins a campaign) and over the campaign
# stream at ten times its test size (every campaign message stored and grouped), best of five runs each; then the
# grouping cost as a store grows to 100,000 messages (bench/campaign_grouping).
#   usage: bench/campaigns.sh [SLUICE_BINARY] [CAMPAIGN_GROUPING_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
sluice="${1:-build/release/sluice}"
grouping="${2:-build/bench/bench/campaign_grouping}"
ham="../shared/corpora/ham/spamassassin-corpus/easy-ham-1"
[ -d "$ham" ] || { echo "campaigns.sh: $ham missing" >&2; exit 2; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
# The stream ten times over (520 campaign messages): a run of 95 messages is
# mostly the fixed cost of opening the store and loading the PSL.
/usr/bin/python3 tests/campaigns/make_stream.py --fixtures tests/fixtures --corpora ../shared/corpora \
  --out "$tmp/stream" --scale 10

best() {  # best of five wall times of "$@"
  local b=""
  for _ in 1 2 3 4 5; do
    rm -f "$tmp"/c.db*
    local s e
    s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s.%N)
    b=$(python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); b=sys.argv[3]; print(min(t, float(b)) if b else t)" "$s" "$e" "$b")
  done
  echo "$b"
}

printf '%-16s %6s %12s %12s %10s\n' set files without_s with_s overhead
for set in ham stream; do
  case "$set" in
    ham) dir="$ham" ;;
    stream) dir="$tmp/stream" ;;
  esac
  files=$(find "$dir" -name '*.eml' -o -type f -path "$ham/*" | wc -l)
  base=(scan -q --no-progress --format jsonl -j 2 --campaign-time date "$dir")
  without=$(best "$sluice" "${base[@]}")
  with=$(best "$sluice" "${base[@]}" --campaign-db "$tmp/c.db")
  python3 -c "import sys; a=float(sys.argv[1]); b=float(sys.argv[2]); \
print(f'{sys.argv[3]:16s} {int(sys.argv[4]):6d} {a:12.2f} {b:12.2f} {100*(b-a)/a:9.1f}%')" \
    "$without" "$with" "$set" "$files"
done
if [ -x "$grouping" ]; then
  "$grouping" 100000
else
  echo "campaigns.sh: $grouping not built (cmake --preset bench && cmake --build --preset bench)"
fi
