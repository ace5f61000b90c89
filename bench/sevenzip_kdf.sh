#!/usr/bin/env bash
# What the 7z password search costs (docs/adr/0013): a header-encrypted 7z
# (7z -mhe=on, default 2^19 SHA-256 rounds per key) whose password is nowhere
# in a mail full of password-like words, so every allowed candidate is tried.
# Scanned with max_password_candidates = 1 and = 32 (the default): the
# difference / 31 is the cost of one candidate; the 32-candidate run is the
# worst case per message the default caps allow (32 x 2^19 = 2^24 rounds =
# max_key_derivation_rounds).
#
#   bash bench/sevenzip_kdf.sh build/release/sluice
set -euo pipefail
SLUICE=${1:?usage: sevenzip_kdf.sh path/to/sluice}
WORK=$(mktemp -d) && trap 'rm -rf "$WORK"' EXIT
printf 'payload\n' > "$WORK/readme.txt"
(cd "$WORK" && 7z a -bd -bso0 -t7z -pNotInTheMail1 -mhe=on order.7z readme.txt)
/usr/bin/python3 - "$WORK" <<'PY'
import sys
from email.message import EmailMessage
from email.policy import default
w = sys.argv[1]
m = EmailMessage(policy=default)
m["From"] = "a@example.com"; m["To"] = "b@example.com"; m["Subject"] = "order"
m.set_content("Password: alpha2020\n" + " ".join("word%02d" % i for i in range(60)) + "\n")
m.add_attachment(open(w + "/order.7z", "rb").read(), maintype="application",
                 subtype="x-7z-compressed", filename="order.7z")
open(w + "/mail.eml", "wb").write(m.as_bytes(policy=default))
PY
run() {  # $1 = max_password_candidates
  printf '[limits]\nmax_password_candidates = %s\n' "$1" > "$WORK/c.toml"
  local best=999999
  for _ in 1 2 3; do
    local t0 t1 ms
    t0=$(date +%s%N)
    "$SLUICE" scan -c "$WORK/c.toml" -f json "$WORK/mail.eml" > "$WORK/out.json" || true
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    (( ms < best )) && best=$ms
  done
  echo "$best"
}
one=$(run 1)
all=$(run 32)
tried=$(grep -o '"archive.passwords_tried": *[0-9]*' "$WORK/out.json" | grep -o '[0-9]*$' | head -n1)
echo "candidates tried with the default caps: ${tried:-?}"
echo "scan, 1 candidate:   ${one} ms (best of 3)"
echo "scan, 32 candidates: ${all} ms (best of 3)"
echo "per candidate (2^19 SHA-256 rounds): $(( (all - one) / 31 )) ms"
echo "worst case per message (2^24 rounds, the default max_key_derivation_rounds): ~$(( all - one + (all - one) / 31 )) ms"
