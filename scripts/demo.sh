#!/usr/bin/env bash
# The first command from README.md: install, build, and scan the bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target sluice_cli
set +e
./build/release/sluice scan examples/
rc=$?
set -e
echo "(exit status $rc: 0 clean, 1 something found, 2 error)"
[ "$rc" -le 1 ]
