#!/usr/bin/python3
"""Writes the labelled mail a Sluice model is trained and tested on, as label
files for `sluice model train --labels` / `sluice model eval --labels`
(path<TAB>malicious|benign<TAB>technique), deterministic for the same inputs.

Malicious: the campaign fixtures (tests/fixtures/campaigns, not benign_*), the
wave-1 mail fixtures (tests/fixtures/mail), and the campaign stream's waves
(tests/campaigns/make_stream.py, written by Python's email package into OUT:
six seeded waves of look-alikes built from real writers' containers). The
technique is the fixture's name or the wave's label.
Benign: every message of the shared corpora's ham folders, the benign campaign
fixtures and tests/fixtures/mail/benign.eml.

--hold-out PREFIX... moves every malicious sample whose technique starts with a
prefix to the test file (whole techniques the model never sees), and
--ham-test-every N moves every Nth ham message (by a hash of its path) there
too. Without them everything goes to the train file.

Usage: model_training_set.py --fixtures tests/fixtures --corpora ../shared/corpora
           --out DIR --train FILE [--test FILE --hold-out P... --ham-test-every N]
"""
import argparse
import hashlib
import os
import subprocess
import sys

WAVE_1 = ["aicpa.eml", "cdc_han.eml", "sba_loan.eml", "password_in_body.eml"]


def files_under(d):
    out = []
    for root, dirs, names in os.walk(d):
        dirs.sort()
        for n in sorted(names):
            out.append(os.path.join(root, n))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--corpora", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--train", required=True)
    ap.add_argument("--test")
    ap.add_argument("--hold-out", nargs="*", default=[])
    ap.add_argument("--ham-test-every", type=int, default=0)
    a = ap.parse_args()
    if (a.hold_out or a.ham_test_every) and not a.test:
        sys.exit("model_training_set.py: --hold-out and --ham-test-every need --test")

    fixtures = os.path.abspath(a.fixtures)
    corpora = os.path.abspath(a.corpora)
    ham_root = os.path.join(corpora, "ham")
    if not os.path.isdir(ham_root):
        sys.exit("model_training_set.py: %s missing" % ham_root)
    here = os.path.dirname(os.path.abspath(__file__))
    stream_dir = os.path.join(os.path.abspath(a.out), "stream")
    subprocess.run([sys.executable, os.path.join(here, "..", "tests", "campaigns", "make_stream.py"),
                    "--fixtures", fixtures, "--corpora", corpora, "--out", stream_dir], check=True)

    malicious = []  # (path, technique)
    campaigns = os.path.join(fixtures, "campaigns")
    benign = []
    for n in sorted(os.listdir(campaigns)):
        if not n.endswith(".eml"):
            continue
        p = os.path.join(campaigns, n)
        (benign.append(p) if n.startswith("benign_") else malicious.append((p, n[:-4])))
    for n in WAVE_1:
        malicious.append((os.path.join(fixtures, "mail", n), n[:-4]))
    benign.append(os.path.join(fixtures, "mail", "benign.eml"))
    with open(os.path.join(stream_dir, "truth.tsv")) as truth:
        for line in truth:
            name, label, kind = line.rstrip("\n").split("\t")
            if kind == "campaign":  # its ham is the corpora's, listed below
                malicious.append((os.path.join(stream_dir, name), label))
    ham = files_under(ham_root)

    train, test = [], []
    for p, t in malicious:
        held = any(t.startswith(h) for h in a.hold_out)
        (test if held else train).append((p, "malicious", t))
    for p in benign:
        train.append((p, "benign", ""))
    for p in ham:
        rel = os.path.relpath(p, corpora).encode()
        every = a.ham_test_every
        held = every > 0 and int(hashlib.sha1(rel).hexdigest(), 16) % every == 0
        (test if held else train).append((p, "benign", ""))

    for path, rows in ((a.train, train), (a.test, test)):
        if not path:
            continue
        with open(path, "w") as f:
            for p, label, t in rows:
                f.write("%s\t%s\t%s\n" % (p, label, t))
    print("train: %d malicious, %d benign; test: %d malicious, %d benign" % (
        sum(r[1] == "malicious" for r in train), sum(r[1] == "benign" for r in train),
        sum(r[1] == "malicious" for r in test), sum(r[1] == "benign" for r in test)), file=sys.stderr)


if __name__ == "__main__":
    main()
