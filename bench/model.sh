#!/usr/bin/env bash
# What scoring with the model costs (issue #16, docs/model.md), side by side:
# sluice scan over the SpamAssassin ham and over the campaign fixtures, with
# the shipped model and with [model] enabled = false, one thread, best of five
# runs each; then the model's own cost per message from the difference.
#   usage: bench/model.sh [SLUICE_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
sluice="${1:-build/release/sluice}"
ham="../shared/corpora/ham/spamassassin-corpus"
[ -d "$ham" ] || { echo "model.sh: $ham missing" >&2; exit 2; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
printf '[model]\nenabled = false\n' > "$tmp/off.toml"
printf '[model]\nenabled = true\n' > "$tmp/on.toml"

best() {  # best of five wall times of "$@"
  local b=""
  for _ in 1 2 3 4 5; do
    local s e
    s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s.%N)
    b=$(python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); b=sys.argv[3]; print(min(t, float(b)) if b else t)" "$s" "$e" "$b")
  done
  echo "$b"
}

printf '%-10s %6s %12s %12s %9s %12s\n' set files without_s with_s overhead per_message
for set in ham campaigns; do
  case "$set" in
    ham) dir="$ham" ;;
    campaigns) dir="tests/fixtures/campaigns" ;;
  esac
  files=$(find "$dir" -type f -not -name '*.py' -not -name '*.md' | wc -l)
  base=(scan -q --no-progress --format jsonl -j 1 "$dir")
  # Interleaved, so drift in the machine's speed hits both alike.
  without=$(best "$sluice" "${base[@]}" -c "$tmp/off.toml")
  with=$(best "$sluice" "${base[@]}" -c "$tmp/on.toml")
  python3 - "$set" "$files" "$without" "$with" <<'PY'
import sys
name, files, without, with_ = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print("%-10s %6d %12.3f %12.3f %8.1f%% %9.1f µs" % (name, files, without, with_, 100 * (with_ / without - 1),
      1e6 * (with_ - without) / files))
PY
done
