#!/usr/bin/env bash
# Builds data/model/sluice-model.json, the model Sluice ships and compiles in
# (docs/model.md): the campaign fixtures, the wave-1 mail and the campaign
# stream's seeded look-alikes against every ham message of the shared corpora,
# labelled by scripts/model_training_set.py, trained by `sluice model train`
# with a fixed seed. Same inputs, same bytes. Rerun it whenever the feature
# list changes (a new finding ID, a new structural feature): a model of
# another feature version is refused at engine start, and a test says so.
#   usage: data/model/make_model.sh [SLUICE_BINARY]
set -euo pipefail
cd "$(dirname "$0")/../.."
sluice="${1:-build/release/sluice}"
corpora="${SLUICE_CORPORA:-../shared/corpora}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 scripts/model_training_set.py --fixtures tests/fixtures --corpora "$corpora" \
  --out "$tmp" --train "$tmp/labels.tsv"
"$sluice" model train --labels "$tmp/labels.tsv" --seed 2020 --folds 5 --rounds 120 --max-depth 4 \
  --description "campaign fixtures, wave-1 mail and the seeded campaign stream (malicious) against the shared corpora's ham and the benign look-alikes (benign); data/model/make_model.sh" \
  -o data/model/sluice-model.json
