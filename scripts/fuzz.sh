#!/usr/bin/env bash
# Builds every fuzz_* target with libFuzzer (clang 16), replays its seeds, then
# fuzzes each for FUZZ_SECONDS of fresh inputs. Seeds: fuzz/seeds/<name>/ plus,
# read in place when present, the matching folders of ../shared/corpora.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
cmake --workflow --preset fuzz
corpora="$(cd .. && pwd)/shared/corpora"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

extra_seeds() {  # corpus folders worth mutating for each target
  case "$1" in
    gzip) echo "archives/dfvfs archives/strelka" ;;
    zip) echo "archives/libzip archives/strelka" ;;
    iso9660) echo "images/libarchive images/kdomanski images/hooklift" ;;
    fat) echo "images/rust-fatfs" ;;
    archive) echo "archives/p7zip" ;;
    pe) echo "archives/p7zip" ;;
    vhd|vhdx|partition) echo "images/dfvfs" ;;
    mime) echo "ham/strelka ham/mailparser spam/spamscope-mail-parser" ;;
    mbox) echo "mbox" ;;
    tnef) echo "tnef/tnefparse tnef/clamav" ;;
    msg) echo "msg/ruby-msg msg/email-outlook-message-perl" ;;
    udf) echo "images/libarchive" ;;
    engine) echo "ham/strelka archives/dfvfs" ;;
  esac
}

# A hostile size can make a library (libarchive) ask malloc for 2^63 bytes. In
# production malloc returns NULL and the library reports an error; the fuzzers
# must see the same, not a sanitizer abort: NULL from ASan's allocator, and no
# libFuzzer malloc limit below ASan's own maximum.
export ASAN_OPTIONS="${ASAN_OPTIONS:-allocator_may_return_null=1:detect_leaks=1}"

status=0
for bin in build/fuzz/fuzz/fuzz_*; do
  name="${bin##*/fuzz_}"
  dirs=("fuzz/seeds/$name")
  for d in $(extra_seeds "$name"); do
    [ -d "$corpora/$d" ] && dirs+=("$corpora/$d")
  done
  mkdir -p "$work/$name"
  echo "== fuzz_$name: ${FUZZ_SECONDS}s over ${dirs[*]}"
  # New inputs go to the scratch folder first; seed folders are only read.
  if ! "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=4096 -malloc_limit_mb=1048576 \
        -max_len=1048576 \
        -print_final_stats=1 "$work/$name" "${dirs[@]}" >"$work/$name.log" 2>&1; then
    echo "fuzz_$name FAILED:"; tail -60 "$work/$name.log"; status=1
    mkdir -p fuzz-crashes && cp crash-* leak-* timeout-* oom-* fuzz-crashes/ 2>/dev/null || true
  else
    grep -E "stat::number_of_executed_units|cov:" "$work/$name.log" | tail -2
  fi
done
exit $status
