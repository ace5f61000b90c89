#!/usr/bin/env bash
# Installs everything Sluice needs to build, test and fuzz on Debian 12, as root.
# Idempotent: apt-get skips what is already there.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
# Postfix for tests/milter (a private instance per test run): no system configuration.
# PostgreSQL: libpq for the shared campaign store, and the server the store
# tests start themselves in a temp dir (src/campaigns/postgres_server_test_support.cpp).
# Redis: hiredis for the queue (sluice submit | worker | results) and the server
# tests/scaleout starts itself on a loopback port.
# XGBoost: `sluice model train | eval` (src/training); scans never load it.
# Chromium: the campaign HTML report is opened headless by tests/campaigns/stream_test.py.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential g++ cmake ninja-build pkg-config git ca-certificates \
  zlib1g-dev libssl-dev libbz2-dev liblzma-dev libzstd-dev libarchive-dev nlohmann-json3-dev libcli11-dev libtomlplusplus-dev libtsk-dev libyara-dev libseccomp-dev duktape-dev libqpdf-dev \
  libgtest-dev libgmock-dev libbenchmark-dev \
  python3 python3-jsonschema python3-pefile python3-olefile liblnk-utils p7zip-full libarchive-tools publicsuffix gzip yara \
  qpdf poppler-utils \
  unar \
  clang-16 libclang-rt-16-dev \
  win32-loader gcc-mingw-w64-x86-64-win32-runtime \
  libmilter-dev libcpp-httplib-dev postfix python3-aiosmtpd \
  libsqlite3-dev libpq-dev postgresql chromium \
  libhiredis-dev redis-server \
  libxgboost-dev \
  >/dev/null


# Tools that only regenerate committed fixtures or data (icon themes for
# data/icons/make_reference.sh, icotool, ImageMagick, nsis ...) are not needed to
# build or test: they are in tests/fixtures/install-fixture-tools.sh.
