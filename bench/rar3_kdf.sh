#!/usr/bin/env bash
# What the RAR 3/4 password search costs (docs/adr/0020): libarchive's
# header-encrypted test archive (rar -hp, password 12345678; read in place from
# ../shared/corpora) in a mail full of password-like words, none of them the
# password, so every allowed candidate is tried. Scanned with
# max_password_candidates = 1 and = 32 (the default): the difference / 31 is
# the cost of one candidate (one 2^18-iteration SHA-1 key and one header
# decryption); the 32-candidate run is the worst case per message the default
# caps allow for this format.
#
#   bash bench/rar3_kdf.sh build/release/sluice
set -euo pipefail
SLUICE=${1:?usage: rar3_kdf.sh path/to/sluice}
RAR="$(cd "$(dirname "$0")/../.." && pwd)/shared/corpora/archives/libarchive/test_read_format_rar_encryption_header.rar"
[ -f "$RAR" ] || { echo "missing $RAR (../shared/corpora)" >&2; exit 1; }
WORK=$(mktemp -d) && trap 'rm -rf "$WORK"' EXIT
/usr/bin/python3 - "$RAR" "$WORK/mail.eml" <<'PY'
import sys
from email.message import EmailMessage
from email.policy import default
m = EmailMessage(policy=default)
m["From"] = "a@example.com"; m["To"] = "b@example.com"; m["Subject"] = "order"
m.set_content("Password: alpha2020\n" + " ".join("word%02d" % i for i in range(60)) + "\n")
m.add_attachment(open(sys.argv[1], "rb").read(), maintype="application", subtype="vnd.rar", filename="order.rar")
open(sys.argv[2], "wb").write(m.as_bytes(policy=default))
PY
run() {  # $1 = max_password_candidates
  printf '[limits]\nmax_password_candidates = %s\n' "$1" > "$WORK/c.toml"
  local best=999999
  for _ in 1 2 3 4 5; do
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
tried=$(/usr/bin/python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
def walk(n):
    if isinstance(n, dict):
        for k, v in n.items():
            if k == "archive.passwords_tried": print(v); sys.exit()
            walk(v)
    elif isinstance(n, list):
        for x in n: walk(x)
walk(d)' "$WORK/out.json")
echo "RAR 3 -hp, password nowhere in the mail: 1 candidate ${one} ms, ${tried} candidates ${all} ms"
echo "per candidate: $(( (all - one) / (tried - 1) )) ms (best of five runs each)"
