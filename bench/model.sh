#!/usr/bin/env bash
# What scoring with the model costs (issue #16, docs/model.md), side by side:
# sluice scan over the SpamAssassin ham and over the campaign fixtures, with
# the shipped model and with [model] enabled = false, one thread, best of nine
# alternating runs each (CPU time); then the model's own cost per message from the difference. Two
# outputs: `text -q` renders only flagged mail (the scan's own cost) and
# `jsonl` renders every report (the scan plus one more finding in each JSON).
#   usage: bench/model.sh [SLUICE_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
sluice="${1:-build/release/sluice}"
ham="../shared/corpora/ham/spamassassin-corpus"
[ -d "$ham" ] || { echo "model.sh: $ham missing" >&2; exit 2; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
printf '[model]\nenabled = false\n' > "$tmp/off.toml"
printf '[model]\nenabled = true\n' > "$tmp/on.toml"

printf '%-16s %6s %14s %12s %9s %12s\n' set files without_cpu_s with_cpu_s overhead per_message
for output in text jsonl; do
for set in ham campaigns; do
  case "$set" in
    ham) dir="$ham" ;;
    campaigns) dir="tests/fixtures/campaigns" ;;
  esac
  files=$(find "$dir" -type f -not -name '*.py' -not -name '*.md' | wc -l)
  # Nine alternating pairs, CPU time (user + system) of each, best of each
  # side: the machine's drift hits both alike.
  python3 - "$set $output" "$files" "$sluice" "$tmp" "$output" "$dir" <<'PY'
import resource, subprocess, sys
name, files, sluice, tmp, output, where = sys.argv[1], int(sys.argv[2]), *sys.argv[3:]
def cpu(config):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sluice, "scan", "-q", "--no-progress", "--format", output, "-j", "1", "-c", config, where],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
off, on = [], []
for _ in range(9):
    off.append(cpu(tmp + "/off.toml"))
    on.append(cpu(tmp + "/on.toml"))
without, with_ = min(off), min(on)
print("%-16s %6d %14.3f %12.3f %8.1f%% %9.1f µs" % (name, files, without, with_, 100 * (with_ / without - 1),
      1e6 * (with_ - without) / files))
PY
done
done
