#!/usr/bin/env bash
# C concurrent SMTP clients x M messages (ham plus campaign fixtures) through a
# private Postfix, without and then with sluice-milter, side by side in one run.
# Prints messages/s, the latency Sluice adds (p50, p99, ham only), the daemon's
# peak RSS and the accounting (sent = delivered + held + rejected + deferred).
# Needs root, postfix and python3-aiosmtpd (scripts/install-deps.sh).
#
# SOCKET is inet (loopback TCP, the default) or unix. On both, sluice-milter
# asks Postfix not to wait for an answer to any step before end of message
# (over TCP with a quick ACK of each command: docs/adr/0037).
#
#   bash bench/milter_load.sh [BUILD_DIR] [CLIENTS] [MESSAGES_PER_CLIENT] [SOCKET]
#   bash bench/milter_load.sh build/release 4 50 unix
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-build/release}"
clients="${2:-4}"
per_client="${3:-50}"
socket="${4:-inet}"
exec /usr/bin/python3 "$here/milter_load.py" --milter "$build/sluice-milter" \
  --source "$here/.." --clients "$clients" --messages "$per_client" --socket "$socket"
