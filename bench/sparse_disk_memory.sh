#!/usr/bin/env bash
# What a sparse virtual disk costs (docs/adr/0009-sparse-disks.md): for each
# disk fixture, its file size, the virtual size Sluice reads, the data it holds,
# and the CLI's peak RSS (GNU time), with RSS / file size as the ratio. A disk
# assembled to its virtual size would need the virtual size; ClamAV 1.4 does not
# open VHD or VHDX at all (bench/compare_clamav.sh).
#   usage: bench/sparse_disk_memory.sh [SLUICE_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
sluice="${1:-build/release/sluice}"
command -v /usr/bin/time >/dev/null || { echo "GNU time missing: apt-get install time" >&2; exit 2; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
printf '%-20s %10s %16s %12s %10s %8s %7s\n' disk file_MB virtual_bytes present_MB rss_MB ratio secs
for gz in tests/fixtures/vhd/sparse_2t.vhd.gz tests/fixtures/vhd/sparse_2t.vhdx.gz tests/fixtures/vhd/ntfs_2t.vhdx.gz; do
  f="$tmp/$(basename "$gz" .gz)"
  gunzip -c "$gz" > "$f"
  /usr/bin/time -f '%M %e' -o "$tmp/time" "$sluice" scan --format json "$f" > "$tmp/out.json" || true
  read -r rss_kb secs < <(tail -n 1 "$tmp/time")  # after any "exited with status" line
  python3 - "$f" "$tmp/out.json" "$rss_kb" "$secs" <<'PY'
import json, os, sys
path, out, rss_kb, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
disk = json.load(open(out))["artifacts"][0]["children"][0]
size = os.path.getsize(path)
present = disk.get("meta", {}).get("sparse.present_bytes", 0)
print(f"{os.path.basename(path):20s} {size/2**20:10.1f} {disk['size']:16d} {present/2**20:12.1f} "
      f"{rss_kb/1024:10.1f} {rss_kb*1024/size:8.2f} {secs:>7s}")
PY
done
