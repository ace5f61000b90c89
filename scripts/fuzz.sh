#!/usr/bin/env bash
# Builds every fuzz_* target with libFuzzer (clang 16), replays its seeds, then
# fuzzes them for FUZZ_TOTAL_SECONDS of fresh inputs in all, split evenly across
# the targets (at least 5 s each), so adding a target does not lengthen CI.
# FUZZ_SECONDS, when set, gives each target that many seconds instead (for a
# long run by hand). Seeds: fuzz/seeds/<name>/ plus, read in place when present,
# the matching folders of ../shared/corpora.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --workflow --preset fuzz
targets=(build/fuzz/fuzz/fuzz_*)
if [ -n "${FUZZ_SECONDS:-}" ]; then
  per_target="$FUZZ_SECONDS"
else
  total="${FUZZ_TOTAL_SECONDS:-900}"
  per_target=$(( total / ${#targets[@]} ))
  [ "$per_target" -ge 5 ] || per_target=5
fi
echo "fuzz: ${#targets[@]} targets, ${per_target}s each"
corpora="$(cd .. && pwd)/shared/corpora"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

extra_seeds() {  # corpus folders worth mutating for each target
  case "$1" in
    gzip) echo "archives/dfvfs archives/strelka" ;;
    zip) echo "archives/libzip archives/strelka" ;;
    iso9660) echo "images/libarchive images/kdomanski-iso9660 images/hooklift-iso9660 images/libcdio" ;;
    fat) echo "images/rust-fatfs images/dosfstools" ;;
    ntfs) echo "images/sleuthkit" ;;
    archive) echo "archives/p7zip archives/rarfile archives/py7zr" ;;
    rar5_crypto) echo "archives/rarfile archives/strelka" ;;
    rar3_crypto) echo "archives/rarfile archives/libarchive" ;;
    pe) echo "archives/p7zip" ;;
    vhd|vhdx|partition) echo "images/dfvfs images/dissect-hypervisor" ;;
    mime) echo "ham/strelka ham/mailparser spam/spamscope-mail-parser" ;;
    mbox) echo "mbox" ;;
    tnef) echo "tnef/tnefparse tnef/clamav" ;;
    msg) echo "msg/ruby-msg msg/email-outlook-message-perl" ;;
    udf) echo "images/libarchive images/libcdio" ;;
    ole) echo "office/oletools/olevba office/oletools/oleobj office/oletools/encrypted office/oletools/excel4-macros" ;;
    office) echo "office/oletools/msodde office/oletools/ooxml" ;;
    engine) echo "ham/strelka archives/dfvfs images/strelka archives/clamav" ;;
  esac
}

# A hostile size can make a library (libarchive) ask malloc for 2^63 bytes. In
# production malloc returns NULL and the library reports an error; the fuzzers
# must see the same, not a sanitizer abort: NULL from ASan's allocator, and no
# libFuzzer malloc limit below ASan's own maximum.
export ASAN_OPTIONS="${ASAN_OPTIONS:-allocator_may_return_null=1:detect_leaks=1}"

status=0
for bin in "${targets[@]}"; do
  name="${bin##*/fuzz_}"
  seeds="${name#parse_}"  # fuzz_parse_<format> mutates its format's seeds
  [ -d "fuzz/seeds/$seeds" ] || seeds="${seeds%_*}"  # fuzz_parse_icon_png: the icon seeds
  dirs=("fuzz/seeds/$seeds")
  for d in $(extra_seeds "$seeds"); do
    if [ -d "$corpora/$d" ]; then
      dirs+=("$corpora/$d")
    elif [ "${CI:-}" = true ]; then
      echo "fuzz: corpus folder missing: $corpora/$d"; exit 1
    fi
  done
  for d in $(awk -v t="$seeds" '$1 == t { for (i = 2; i <= NF; i++) print $i }' fuzz/fixture-seeds.txt); do
    dirs+=("tests/fixtures/$d")
  done
  mkdir -p "$work/$name"
  echo "== fuzz_$name: ${per_target}s over ${dirs[*]}"
  # New inputs go to the scratch folder first; seed folders are only read.
  # Crashes, leaks and timeouts land in fuzz-crashes/ (ignored by git), never
  # in the working tree's top.
  mkdir -p fuzz-crashes
  if ! "$bin" -max_total_time="$per_target" -timeout=10 -rss_limit_mb=4096 -malloc_limit_mb=1048576 \
        -artifact_prefix="fuzz-crashes/$name-" \
        -max_len=1048576 \
        -print_final_stats=1 "$work/$name" "${dirs[@]}" >"$work/$name.log" 2>&1; then
    echo "fuzz_$name FAILED:"; tail -60 "$work/$name.log"; status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "$work/$name.log" | tail -2
  fi
done
exit $status
