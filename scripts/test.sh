#!/usr/bin/env bash
# The test command from README.md: install, build and run every test, once
# optimised and once under AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export CTEST_PARALLEL_LEVEL="${CTEST_PARALLEL_LEVEL:-$(nproc)}"
cmake --workflow --preset release
cmake --workflow --preset asan-ubsan
