#!/usr/bin/env bash
# Time and peak memory of one scan per hostile input (issue #21): inputs that
# once blew the budget. Each is made here, in a temporary folder, by a real
# writer (7z, tar, Python's email and zlib) or a small generator where no
# writer makes such a thing (a GPT whose 128 entries all span the disk). Goal
# with the default limits: every one <= 2 s and <= 512 MiB peak RSS, with
# limit.exceeded naming the limit where one was hit.
#
#   bash bench/hostile.sh [path/to/sluice]     (default build/release/sluice)
set -euo pipefail
cd "$(dirname "$0")/.."
SLUICE="${1:-build/release/sluice}"
PY=/usr/bin/python3
W=$(mktemp -d) && trap 'rm -rf "$W"' EXIT

# 1. A tar of five 7z archives with 10,000 tiny files each.
mkdir -p "$W/tiny"
"$PY" - "$W/tiny" <<'PY'
import os, sys
for i in range(10000):
    with open(os.path.join(sys.argv[1], f"f{i:05d}.txt"), "wb") as f:
        f.write(bytes([65 + i % 26]))
PY
# Each archive differs (a file of its own), so dedup cannot skip four of them.
for k in 1 2 3 4 5; do
  printf '%s' "$k" > "$W/tiny/which.txt"
  (cd "$W/tiny" && 7z a -bd -mx=1 "$W/many$k.7z" . >/dev/null)
done
tar -C "$W" -cf "$W/many_7z.tar" many1.7z many2.7z many3.7z many4.7z many5.7z

# 2. Nested zip bomb: 16 members of 1 GiB of zeros per level, two levels
#    (deflated once with zlib, the same stream stored under 16 names).
"$PY" - "$W" <<'PY'
import struct, sys, zlib
def zip_of(names, raw, crc, size):
    out, central = bytearray(), bytearray()
    for n in names:
        off = len(out); nb = n.encode()
        out += struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, 8, 0, 0, crc, len(raw), size, len(nb), 0) + nb + raw
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 20, 20, 0, 8, 0, 0, crc, len(raw), size,
                               len(nb), 0, 0, 0, 0, 0, off) + nb
    cd = len(out)
    return bytes(out + central + struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, len(names), len(names),
                                           len(central), cd, 0))
size = 1 << 30
c = zlib.compressobj(9, zlib.DEFLATED, -15); raw = bytearray(); crc = 0; chunk = bytes(1 << 20)
for _ in range(size >> 20):
    raw += c.compress(chunk); crc = zlib.crc32(chunk, crc)
raw += c.flush()
inner = zip_of([f"zeros{i}.bin" for i in range(16)], bytes(raw), crc, size)
c2 = zlib.compressobj(9, zlib.DEFLATED, -15); raw2 = c2.compress(inner) + c2.flush()
open(sys.argv[1] + "/nested_bomb.zip", "wb").write(
    zip_of([f"level1_{i}.zip" for i in range(16)], raw2, zlib.crc32(inner), len(inner)))
PY

# 3. A 64 MiB GPT disk whose 128 entries all span the whole usable range.
"$PY" - "$W/gpt128.img" <<'PY'
import struct, sys, uuid, zlib
ss, size = 512, 64 << 20
n = size // ss
disk = bytearray(size)
disk[446:446 + 16] = struct.pack("<B3sB3sII", 0, b"\0\x02\0", 0xEE, b"\xff\xff\xff", 1, n - 1)
disk[510:512] = b"\x55\xaa"
first, last = 34, n - 34
basic = uuid.UUID("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7").bytes_le
entries = bytearray()
for i in range(128):
    entries += basic + uuid.UUID(int=i + 1).bytes_le + struct.pack("<QQQ", first, last, 0) + \
        f"p{i}".encode("utf-16-le").ljust(72, b"\0")
def header(my, alt, elba):
    h = bytearray(struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0, my, alt, first, last,
                              uuid.UUID(int=7).bytes_le, elba, 128, 128, zlib.crc32(entries)))
    struct.pack_into("<I", h, 16, zlib.crc32(h))
    return h
disk[ss:ss + 92] = header(1, n - 1, 2)
disk[2 * ss:2 * ss + len(entries)] = entries
disk[(n - 33) * ss:(n - 33) * ss + len(entries)] = entries
disk[(n - 1) * ss:(n - 1) * ss + 92] = header(n - 1, 1, n - 33)
open(sys.argv[1], "wb").write(disk)
PY

# 4. A message with 20,000 one-byte .exe parts, and 5. an mbox of 50,000
#    tiny messages, both written by Python's email package.
"$PY" - "$W" <<'PY'
import sys
from email.message import EmailMessage
from email.policy import SMTP
m = EmailMessage(); m["From"] = "a@example.com"; m["To"] = "b@example.com"; m["Subject"] = "parts"
m.set_content("see attached")
for i in range(20000):
    m.add_attachment(b"M", maintype="application", subtype="octet-stream", filename=f"p{i}.exe")
open(sys.argv[1] + "/parts20k.eml", "wb").write(m.as_bytes(policy=SMTP))
with open(sys.argv[1] + "/tiny50k.mbox", "wb") as f:
    for i in range(50000):
        t = EmailMessage(); t["From"] = "a@example.com"; t["Subject"] = f"m{i}"; t.set_content("x")
        f.write(b"From a@example.com Tue Apr 14 09:30:00 2020\n" + t.as_bytes() + b"\n")
PY
cp tests/fixtures/lies/ebr_loop.img.gz "$W/" && gunzip "$W/ebr_loop.img.gz"

printf '%-22s %10s %8s %10s  %s\n' input bytes seconds "peak MiB" "verdict (limits hit)"
for f in many_7z.tar nested_bomb.zip gpt128.img parts20k.eml tiny50k.mbox ebr_loop.img; do
  /usr/bin/time -f "%e %M" -o "$W/time" "$SLUICE" scan -j 1 -f json "$W/$f" > "$W/out.json" 2>/dev/null || true
  read -r secs kb < <(tail -1 "$W/time")
  summary=$("$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
r = r[0] if isinstance(r, list) else r
print(r["verdict"], "(" + ", ".join(sorted({h["limit"] for h in r.get("limits_hit", [])})) + ")")' "$W/out.json")
  printf '%-22s %10d %8s %10d  %s\n' "$f" "$(stat -c %s "$W/$f")" "$secs" "$((kb / 1024))" "$summary"
done
