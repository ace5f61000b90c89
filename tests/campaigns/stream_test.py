#!/usr/bin/python3
"""The campaign stream, end to end: make_stream.py composes six interleaved
waves plus ham; `sluice scan --campaign-db` records them in a fresh SQLite
store in stream order; the grouping is scored against the truth with the
adjusted Rand index, and no ham or benign fixture may share a campaign with a
malicious message. Then the store is read back the way a user does
(`sluice campaigns list|show|assignments|export`, `--html`).

Usage: stream_test.py --sluice PATH --source DIR
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from math import comb

# What the grouping reaches on this stream (written down when it was built;
# a change that lowers it is a regression in grouping or in what the scan sees).
MIN_ARI = 1.0


def ari(truth, pred):
    """Adjusted Rand index of two labelings of the same items (Hubert & Arabie 1985)."""
    n = len(truth)
    pairs = Counter(zip(truth, pred))
    a = Counter(truth)
    b = Counter(pred)
    index = sum(comb(v, 2) for v in pairs.values())
    sa = sum(comb(v, 2) for v in a.values())
    sb = sum(comb(v, 2) for v in b.values())
    expected = sa * sb / comb(n, 2)
    top = (sa + sb) / 2
    return 1.0 if top == expected else (index - expected) / (top - expected)


def png_rows(path):
    """RGB rows of a PNG (8-bit RGB or RGBA, non-interlaced) with the stdlib only."""
    import struct
    import zlib
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, "unexpected PNG form"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, bpp, rows


def browser_check(html, tmp, campaigns, check):
    """The report in real headless Chromium: no console errors, and the
    screenshot shows one header band (#1f4e79) per campaign section."""
    import shutil
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        check(os.environ.get("CI") != "true", "chromium missing (scripts/install-deps.sh installs it)")
        print("stream_test: chromium missing, browser check skipped")
        return
    profile = os.path.join(tmp, "chromium-profile")
    shot = os.path.join(tmp, "report.png")
    base = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + profile,
            "--enable-logging=stderr", "--v=0", "--virtual-time-budget=2000", "--hide-scrollbars"]
    height = 1400 * max(1, campaigns) + 600
    rc, out, err = run(base + ["--window-size=1280,%d" % height, "--screenshot=" + shot, "file://" + html])
    check(rc == 0 and os.path.exists(shot), "chromium screenshot: rc %d %s" % (rc, err[-500:]))
    console = [l for l in err.splitlines() if "CONSOLE" in l or "Uncaught" in l or "Refused to" in l]
    check(not console, "console errors in the report: %s" % console[:3])
    rc, dom, err = run(base + ["--dump-dom", "file://" + html])
    check(dom.count('<section class="campaign"') == campaigns, "DOM has %d campaign sections, want %d"
          % (dom.count('<section class="campaign"'), campaigns))
    if not os.path.exists(shot):
        return
    width, bpp, rows = png_rows(shot)
    check(width == 1280, "screenshot width %d" % width)
    band = bytes((0x1f, 0x4e, 0x79))
    # A header band is at least 20 rows of the colour across most of the page
    # (a section's 1-pixel border is the same colour and must not count).
    bands, run_rows = 0, 0
    for row in rows + [b""]:
        hits = sum(1 for x in range(0, width, 8) if row[x * bpp:x * bpp + 3] == band)
        if hits >= (width // 8) // 2:
            run_rows += 1
            continue
        if run_rows >= 20:
            bands += 1
        run_rows = 0
    check(bands == campaigns, "screenshot shows %d campaign header bands, want %d" % (bands, campaigns))


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600, **kw)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sluice", required=True)
    ap.add_argument("--source", required=True)
    # OASIS's STIX 2.1 JSON schemas are packaged by neither Debian nor npm; with a
    # checkout's schemas/ folder here (or in SLUICE_STIX_SCHEMAS) every campaign's
    # export is validated against them too.
    ap.add_argument("--stix-schemas", default=os.environ.get("SLUICE_STIX_SCHEMAS"))
    a = ap.parse_args()
    corpora = os.path.join(a.source, "..", "shared", "corpora")
    if not os.path.isdir(os.path.join(corpora, "ham")):
        print("stream_test: shared corpora missing: %s" % corpora)
        return 1 if os.environ.get("CI") == "true" else 77
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)
            print("FAIL:", what)

    with tempfile.TemporaryDirectory() as tmp:
        stream = os.path.join(tmp, "stream")
        subprocess.run([sys.executable, os.path.join(a.source, "tests", "campaigns", "make_stream.py"),
                        "--fixtures", os.path.join(a.source, "tests", "fixtures"), "--corpora", corpora,
                        "--out", stream], check=True, timeout=300)
        truth = {}
        for line in open(os.path.join(stream, "truth.tsv")):
            name, label, kind = line.rstrip("\n").split("\t")
            truth[name] = (label, kind)
        files = sorted(f for f in os.listdir(stream) if f.endswith(".eml"))
        db = os.path.join(tmp, "campaigns.db")
        rc, out, err = run([a.sluice, "scan", "--campaign-db", db, "--campaign-time", "date", "--format", "jsonl",
                            "--no-progress", "-j", "2"] + files, cwd=stream)
        check(rc in (0, 1), "sluice scan exited %d: %s" % (rc, err[-2000:]))
        results = [json.loads(l) for l in out.splitlines() if l.strip()]
        import jsonschema  # Debian's python3-jsonschema (scripts/install-deps.sh)
        with open(os.path.join(a.source, "docs", "report.schema.json")) as f:
            validator = jsonschema.Draft202012Validator(json.load(f))
        for r in results:
            errors = [e.message for e in validator.iter_errors(r)]
            check(not errors, "%s: not a valid report: %s" % (r.get("input"), errors[:3]))
        check(len(results) >= len(files), "one result per message: %d for %d files" % (len(results), len(files)))

        label_of, kind_of = {}, {}
        campaign_of = {}
        for r in results:
            name = r["input"].split("#")[0]
            label, kind = truth[name]
            key = r["input"]
            label_of[key], kind_of[key] = label, kind
            check("campaign" in r, "%s: result without a campaign member" % key)
            c = r.get("campaign")
            if kind == "campaign":
                check(r["verdict"] in ("suspicious", "malicious"), "%s (%s) scanned %s" % (key, label, r["verdict"]))
                check(c is not None, "%s (%s) was not recorded" % (key, label))
            if r["verdict"] == "clean":
                check(c is None, "%s: clean mail joined campaign %s" % (key, c and c["id"]))
            if c is not None:
                campaign_of[key] = c["id"]
                check(c["size"] >= 1 and c["id"].startswith("C-"), "%s: campaign member %r" % (key, c))
                if not c["started"]:
                    check(len(c["shared"]) > 0, "%s joined %s with no shared fingerprint" % (key, c["id"]))

        # No ham shares a campaign with a malicious message.
        members = defaultdict(set)
        for key, cid in campaign_of.items():
            members[cid].add(kind_of[key])
        for cid, kinds in members.items():
            check(kinds != {"ham", "campaign"}, "campaign %s mixes ham and campaign mail" % cid)

        # Grouping quality over every recorded message (ham recorded as a false
        # positive counts as its own singleton truth).
        keys = sorted(campaign_of)
        t = [label_of[k] if kind_of[k] == "campaign" else "ham:" + k for k in keys]
        p = [campaign_of[k] for k in keys]
        score = ari(t, p)
        waves = sorted({label_of[k] for k in keys if kind_of[k] == "campaign"})
        print("stream_test: %d messages, %d recorded, %d waves, %d campaigns, ARI %.4f"
              % (len(results), len(keys), len(waves), len(set(p)), score))
        for w in waves:
            ids = Counter(campaign_of[k] for k in keys if label_of[k] == w)
            print("  %-14s -> %s" % (w, dict(ids)))
        check(score >= MIN_ARI, "adjusted Rand index %.4f < %.4f" % (score, MIN_ARI))

        # Reading the store back.
        rc, out, err = run([a.sluice, "campaigns", "--db", db, "list", "--format", "json"])
        check(rc == 0, "campaigns list: %d %s" % (rc, err))
        listed = json.loads(out) if rc == 0 else []
        by_id = {c["id"]: c for c in listed}
        check(set(by_id) == set(p), "list shows the campaigns results named: %s vs %s" % (sorted(by_id), sorted(set(p))))
        for w in waves:
            cid = Counter(campaign_of[k] for k in keys if label_of[k] == w).most_common(1)[0][0]
            c = by_id.get(cid, {})
            check(c.get("size") == sum(1 for k in keys if label_of[k] == w), "%s: size %s" % (w, c.get("size")))
            check(len(c.get("recipient_domains", [])) > 0, "%s: no recipient domains" % w)
            check(len(c.get("techniques", [])) > 0, "%s: no container technique" % w)
            # The three variants (the DHL wave's shortcut is one more, the same in every message).
            want = 4 if w == "dhl_lnk" else 3
            check(len(c.get("payload_hashes", [])) == want, "%s: %d payload hashes, want %d"
                  % (w, len(c.get("payload_hashes", [])), want))
            check(c.get("sample_evidence", "").startswith("message"), "%s: sample evidence %r" % (w, c.get("sample_evidence")))
            if w in ("cdc_iso", "aicpa_zip_iso", "eidl_zip"):
                check([f["value"] for f in c.get("families", [])] == ["remcos"], "%s: families %r" % (w, c.get("families")))
                check(len(c.get("c2", [])) >= 1, "%s: no C2" % w)
        sba = [by_id.get(Counter(campaign_of[k] for k in keys if label_of[k] == w).most_common(1)[0][0], {})
               for w in ("sba_img", "eidl_zip")]
        check(all(any(b["value"] == "SBA" for b in c.get("brands", [])) for c in sba),
              "both SBA waves carry the SBA brand: %r" % [c.get("brands") for c in sba])

        report = os.path.join(tmp, "campaigns.html")
        rc, out, err = run([a.sluice, "campaigns", "--db", db, "--html", report])
        check(rc == 0 and os.path.exists(report), "campaigns --html: %d %s" % (rc, err))
        if rc == 0:
            browser_check(report, tmp, len(by_id), check)
        first = sorted(by_id)[0] if by_id else "C-1"
        rc, out, err = run([a.sluice, "campaigns", "--db", db, "export", first, "--format", "stix"])
        check(rc == 0, "export --format stix: %s" % err)
        bundle = json.loads(out) if rc == 0 else {}
        kinds = Counter(o["type"] for o in bundle.get("objects", []))
        check(bundle.get("type") == "bundle" and kinds["campaign"] == 1 and kinds["indicator"] >= 1,
              "STIX bundle: %s" % dict(kinds))
        if a.stix_schemas:
            bundles = []
            for cid in sorted(by_id):
                rc, out, err = run([a.sluice, "campaigns", "--db", db, "export", cid, "--format", "stix"])
                check(rc == 0, "export %s --format stix: %s" % (cid, err))
                bundles.append(os.path.join(tmp, "stix-%s.json" % cid))
                with open(bundles[-1], "w") as f:
                    f.write(out)
            rc, out, err = run([sys.executable, os.path.join(a.source, "scripts", "validate_stix.py"),
                                "--schemas", a.stix_schemas] + bundles)
            check(rc == 0, "STIX bundles against the OASIS schemas:\n%s%s" % (out[-3000:], err[-1000:]))
            print("stream_test: %d STIX bundles validated against %s" % (len(bundles), a.stix_schemas))
        rc, out, err = run([a.sluice, "campaigns", "--db", db, "assignments", "--format", "jsonl"])
        check(rc == 0, "assignments: %s" % err)
        rows = [json.loads(l) for l in out.splitlines() if l.strip()]
        check(len(rows) == len(keys), "assignments: %d rows for %d recorded" % (len(rows), len(keys)))
        check(all(set(r) >= {"message_id", "input", "campaign"} for r in rows), "assignments fields")
        rc, out, err = run([a.sluice, "campaigns", "--db", db, "show", first])
        check(rc == 0 and ("campaign " + first) in out, "show %s: %s" % (first, err or out[:200]))
        rc, out, err = run([a.sluice, "campaigns", "--db", db, "show", "C-99999"])
        check(rc == 2 and "no campaign C-99999" in err, "show of an unknown ID: %d %s" % (rc, err))

        # A corrupt store is a clear error and every scan result is still printed.
        bad = os.path.join(tmp, "bad.db")
        with open(bad, "wb") as f:
            f.write(b"x" * 4096)
        rc, out, err = run([a.sluice, "scan", "--campaign-db", bad, "--format", "jsonl", "--no-progress",
                            files[0], files[1]], cwd=stream)
        check(rc == 1 or rc == 2, "scan with a corrupt store exits %d" % rc)
        check("not a database" in err, "corrupt store message: %s" % err)
        check(len([l for l in out.splitlines() if l.strip()]) >= 2, "results still printed with a corrupt store")

    if failures:
        print("stream_test: %d failures" % len(failures))
        return 1
    print("stream_test: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
