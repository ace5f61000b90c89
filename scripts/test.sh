#!/usr/bin/env bash
# The test command from README.md: install, build and run every test on the
# optimised build. SLUICE_SANITIZER_TESTS=1 runs the whole suite again under
# AddressSanitizer + UBSan (g++); CI instead replays every fixture, seed and
# corpus folder through the sanitizer-built fuzz targets (scripts/fuzz.sh,
# docs/adr/0017-ci-within-the-hour.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export CTEST_PARALLEL_LEVEL="${CTEST_PARALLEL_LEVEL:-$(nproc)}"
cmake --workflow --preset release
if [ "${SLUICE_SANITIZER_TESTS:-0}" = 1 ]; then
  cmake --workflow --preset asan-ubsan
fi
