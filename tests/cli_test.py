#!/usr/bin/env python3
"""End-to-end tests of the `sluice` command, run as a user runs it: files,
directories, stdin, every output format validated against
docs/report.schema.json, exit statuses, errors, --extract safety, --config and
`explain`. Run by ctest with Debian's python3 (python3-jsonschema)."""
import argparse
import datetime
import gzip
import hashlib
import json
import os
import pathlib
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import zlib

import jsonschema

ARGS = None


def run(*argv, stdin=None, check_rc=None):
    p = subprocess.run([ARGS.sluice, *argv], input=stdin, capture_output=True, timeout=300)
    if check_rc is not None and p.returncode != check_rc:
        raise AssertionError(f"exit {p.returncode} != {check_rc} for {argv}\nstdout:{p.stdout[-2000:]!r}\nstderr:{p.stderr[-2000:]!r}")
    return p


def fixture(rel):
    return str(pathlib.Path(ARGS.source) / "tests/fixtures" / rel)


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def walk(artifact):
    yield artifact
    for c in artifact["children"]:
        yield from walk(c)


def gzip_with_name(name: bytes, payload: bytes) -> bytes:
    """A gzip member whose FNAME is `name`, byte for byte (Python's gzip module
    would sanitise it). The deflate data comes from zlib."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = co.compress(payload) + co.flush()
    header = b"\x1f\x8b\x08\x08" + struct.pack("<I", 0) + b"\x00\x03" + name + b"\x00"
    return header + body + struct.pack("<II", zlib.crc32(payload), len(payload) & 0xFFFFFFFF)


class Cli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        schema = json.loads((pathlib.Path(ARGS.source) / "docs/report.schema.json").read_text())
        cls.validator = jsonschema.Draft202012Validator(schema)

    def valid(self, doc):
        errors = sorted(self.validator.iter_errors(doc), key=lambda e: list(e.path))
        self.assertFalse(errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5]))
        return doc

    def test_file_text_names_verdict_tree_and_finding(self):
        p = run("scan", fixture("gzip/named.gz"), check_rc=1)
        out = p.stdout.decode()
        self.assertIn("named.gz: SUSPICIOUS", out)
        self.assertIn('└─ "invoice.scr"  pe-exe', out)
        self.assertIn(sha256(fixture("pe/hello.exe")), out)
        self.assertIn('container.executable  file "named.gz" › "invoice.scr"', out)

    def test_json_document_matches_schema_and_payload_hash(self):
        p = run("scan", "--format", "json", fixture("gzip/hello.exe.gz"), check_rc=1)
        doc = self.valid(json.loads(p.stdout))
        self.assertEqual(doc["verdict"], "suspicious")
        arts = list(walk(doc["artifacts"][0]))
        pe = [a for a in arts if a["type"] == "pe-exe"]
        self.assertEqual(len(pe), 1)
        self.assertEqual(pe[0]["sha256"], sha256(fixture("pe/hello.exe")))
        self.assertEqual(pe[0]["md5"], hashlib.md5(pathlib.Path(fixture("pe/hello.exe")).read_bytes()).hexdigest())
        self.assertEqual(pe[0]["sha1"], hashlib.sha1(pathlib.Path(fixture("pe/hello.exe")).read_bytes()).hexdigest())
        self.assertEqual(doc["findings"][0]["artifact"], 'file "hello.exe.gz" › "hello.exe"')

    def test_directory_jsonl_one_valid_line_per_file_in_order(self):
        d = fixture("gzip")
        files = sorted(str(p) for p in pathlib.Path(d).rglob("*") if p.is_file())
        p = run("scan", "--format", "jsonl", d)
        self.assertEqual(p.returncode, 1)
        lines = p.stdout.decode().splitlines()
        self.assertEqual(len(lines), len(files))
        docs = [self.valid(json.loads(l)) for l in lines]
        self.assertEqual([x["input"] for x in docs], files)

    def test_parallel_output_equals_serial(self):
        d = fixture("gzip")
        a = run("scan", "-j", "1", "--format", "jsonl", d).stdout.decode().splitlines()
        b = run("scan", "-j", "4", "--format", "jsonl", d).stdout.decode().splitlines()
        strip = lambda l: {k: v for k, v in json.loads(l).items() if k != "elapsed_ms"}
        self.assertEqual([strip(x) for x in a], [strip(x) for x in b])

    def test_json_for_several_inputs_is_an_array(self):
        p = run("scan", "--format", "json", fixture("gzip/text.txt.gz"), fixture("gzip/multi.gz"), check_rc=0)
        doc = self.valid(json.loads(p.stdout))
        self.assertEqual(len(doc), 2)

    def test_stdin(self):
        data = pathlib.Path(fixture("gzip/hello.exe.gz")).read_bytes()
        p = run("scan", "--format", "jsonl", "-", stdin=data, check_rc=1)
        doc = self.valid(json.loads(p.stdout))
        self.assertEqual(doc["input"], "stdin")
        self.assertIn(sha256(fixture("pe/hello.exe")), [a["sha256"] for a in walk(doc["artifacts"][0])])
        t = run("scan", "-", stdin=data, check_rc=1)
        self.assertIn("stdin: SUSPICIOUS", t.stdout.decode())

    def test_mbox_yields_one_result_per_message_named_file_hash_n(self):
        import mailbox
        path = fixture("mail/text/partial.mbox")
        p = run("scan", "--format", "jsonl", path, check_rc=0)
        docs = [self.valid(json.loads(l)) for l in p.stdout.decode().splitlines()]
        self.assertEqual([d["input"] for d in docs],
                         [path + "#1", path + "#2", path + "#3", path + "#partial[1]"])
        # Oracle: Python's mailbox reads the same messages (without the From line).
        box = mailbox.mbox(path, create=False)
        want = [hashlib.sha256(box.get_bytes(k)).hexdigest() for k in box.keys()]
        box.close()
        self.assertEqual([d["artifacts"][0]["sha256"] for d in docs[:3]], want)
        # The message/partial fragments (#2 and #3) joined are the message they carry.
        expected = json.loads(pathlib.Path(fixture("mail/text/expected.json")).read_text())
        self.assertEqual(docs[3]["artifacts"][0]["sha256"], expected["partial.mbox"]["whole_sha256"])
        # A JSON document for one mbox is an array; stdin splits too.
        j = self.valid(json.loads(run("scan", "--format", "json", path, check_rc=0).stdout))
        self.assertEqual(len(j), 4)
        t = run("scan", "-", stdin=pathlib.Path(path).read_bytes(), check_rc=0).stdout.decode()
        self.assertIn("stdin#1: CLEAN", t)
        self.assertIn("stdin#partial[1]: CLEAN", t)

    def test_maildir_messages_are_inputs_and_tmp_is_skipped(self):
        import email.message
        import mailbox
        with tempfile.TemporaryDirectory() as d:
            md = mailbox.Maildir(os.path.join(d, "Mail"), create=True)
            for i in range(2):
                m = email.message.EmailMessage()
                m["From"] = "a@example.com"
                m["To"] = "b@example.com"
                m["Subject"] = f"message {i}"
                m.set_content(f"body {i} http://example.com/{i}\n")
                mm = mailbox.MaildirMessage(m)
                if i == 1:
                    mm.set_subdir("cur")
                md.add(mm)
            # A delivery in progress: half a message in tmp/, which readers skip.
            pathlib.Path(d, "Mail", "tmp", "1.partial.host").write_bytes(b"From: a@example.com\nSubj")
            # A folder called tmp outside a Maildir is scanned as usual.
            pathlib.Path(d, "tmp").mkdir()
            pathlib.Path(d, "tmp", "note.txt").write_bytes(b"hello\n")
            p = run("scan", "--format", "jsonl", d, check_rc=0)
            docs = [self.valid(json.loads(l)) for l in p.stdout.decode().splitlines()]
            inputs = [x["input"] for x in docs]
            self.assertEqual(len(inputs), 3, inputs)
            self.assertEqual(sum("/Mail/new/" in x for x in inputs), 1)
            self.assertEqual(sum("/Mail/cur/" in x for x in inputs), 1)
            self.assertFalse(any("/Mail/tmp/" in x for x in inputs))
            self.assertTrue(inputs[-1].endswith("/tmp/note.txt"))

    def test_clean_input_exits_zero(self):
        p = run("scan", fixture("gzip/text.txt.gz"), check_rc=0)
        self.assertIn("CLEAN", p.stdout.decode())

    def test_bad_path_is_one_line_and_others_still_scanned(self):
        p = run("scan", "--format", "jsonl", "/nonexistent/file.eml", fixture("gzip/text.txt.gz"))
        self.assertEqual(p.returncode, 2, "an error and nothing found: 2")
        err = p.stderr.decode().strip().splitlines()
        self.assertEqual(len(err), 1)
        self.assertIn("/nonexistent/file.eml", err[0])
        docs = [self.valid(json.loads(l)) for l in p.stdout.decode().splitlines()]
        self.assertEqual([d["verdict"] for d in docs], ["error", "clean"])
        p = run("scan", "/nonexistent/x", fixture("gzip/named.gz"))
        self.assertEqual(p.returncode, 1, "something found outranks an error")
        self.assertIn("named.gz: SUSPICIOUS", p.stdout.decode())

    def test_truncated_input_gets_an_error_line_and_a_verdict(self):
        p = run("scan", fixture("gzip/truncated.gz"), check_rc=1)
        err = p.stderr.decode().strip().splitlines()
        self.assertEqual(len(err), 1)
        self.assertIn("truncated.gz", err[0])
        self.assertIn("cut short", err[0])

    def test_extract_keeps_hostile_names_inside_the_directory(self):
        with tempfile.TemporaryDirectory() as tmp:
            evil = gzip_with_name(b"../../../../tmp/evil\x1b[31m\xff.exe", b"MZ payload")
            src = pathlib.Path(tmp) / "in.gz"
            src.write_bytes(evil)
            out = pathlib.Path(tmp) / "out"
            run("scan", "--extract", str(out), str(src), fixture("gzip/nested.gz.gz"))
            written = sorted(p for p in out.rglob("*") if p.is_file())
            self.assertEqual(len(written), 3)  # one child of in.gz, two of nested.gz.gz
            for p in written:
                self.assertTrue(str(p.resolve()).startswith(str(out.resolve()) + os.sep))
                self.assertRegex(p.name, r"^[0-9]{6}-[A-Za-z0-9._ ()+-]+$")
                self.assertEqual(p.stat().st_mode & 0o777, 0o600, "never executable")
            payloads = {p.read_bytes() for p in written}
            self.assertIn(b"MZ payload", payloads)
            self.assertIn(pathlib.Path(fixture("pe/hello.exe")).read_bytes(), payloads)
            self.assertFalse(pathlib.Path("/tmp/evil").exists())
            # A second run into the same directory never overwrites: it reports.
            p = run("scan", "--extract", str(out), str(src))
            self.assertIn("extract", p.stderr.decode())

    def test_extract_writes_a_sparse_disk_as_a_sparse_file(self):
        listing = pathlib.Path(fixture("listings/sparse_2t.txt")).read_text()
        vsize = int(listing.split("virtual size: ")[1].split("(")[1].split(" bytes")[0])
        with tempfile.TemporaryDirectory() as tmp:
            probe = pathlib.Path(tmp) / "probe"
            try:
                with open(probe, "wb") as f:
                    f.truncate(vsize)
            except OSError as e:
                self.skipTest(f"this file system cannot hold a {vsize}-byte sparse file: {e}")
            probe.unlink()
            src = pathlib.Path(tmp) / "s.vhd"
            src.write_bytes(gzip.decompress(pathlib.Path(fixture("vhd/sparse_2t.vhd.gz")).read_bytes()))
            out = pathlib.Path(tmp) / "out"
            run("scan", "--extract", str(out), str(src), check_rc=1)
            written = {p.name: p for p in out.rglob("*") if p.is_file()}
            disk = [p for n, p in written.items() if n.endswith("-gpt")]
            self.assertEqual(len(disk), 1, sorted(written))
            st = disk[0].stat()
            self.assertEqual(st.st_size, vsize)
            self.assertLess(st.st_blocks * 512, 64 << 20, "holes are not written")
            hashes = {sha256(p) for p in written.values() if p.stat().st_size < (64 << 20)}
            for part in ("front", "back"):
                want = listing.split(f"### partition {part} sha256\n")[1].split("\n")[0]
                self.assertIn(want, hashes)
            self.assertIn(sha256(fixture("pe/hello.exe")), hashes)

    def test_text_output_escapes_control_characters(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = pathlib.Path(tmp) / "esc.gz"
            src.write_bytes(gzip_with_name(b"a\x1b]0;pwned\x07.txt", b"hello"))
            out = run("scan", str(src)).stdout
            self.assertNotIn(b"\x1b]", out)
            self.assertIn(b"\\x1b", out)

    def test_config_overrides_limits_and_errors_are_reported(self):
        with tempfile.TemporaryDirectory() as tmp:
            cfg = pathlib.Path(tmp) / "c.toml"
            cfg.write_text("[limits]\nmax_depth = 1\n")
            p = run("scan", "--config", str(cfg), "--format", "json", fixture("gzip/nested.gz.gz"), check_rc=1)
            doc = self.valid(json.loads(p.stdout))
            self.assertEqual(doc["limits_hit"][0]["limit"], "max_depth")
            self.assertIn("limit.exceeded", [f["id"] for f in doc["findings"]])
            cfg.write_text("[limits]\nmax_dept = 1\n")
            p = run("scan", "--config", str(cfg), fixture("gzip/nested.gz.gz"), check_rc=2)
            self.assertIn("max_dept", p.stderr.decode())
            cfg.write_text('[policy]\nexit_at = "malicious"\n')
            run("scan", "--config", str(cfg), fixture("gzip/named.gz"), check_rc=0)

    def test_input_larger_than_the_limit_is_never_clean(self):
        with tempfile.TemporaryDirectory() as tmp:
            cfg = pathlib.Path(tmp) / "c.toml"
            cfg.write_text("[limits]\nmax_input_bytes = 50\n")
            p = run("scan", "--config", str(cfg), "--format", "json", fixture("gzip/text.txt.gz"), check_rc=1)
            doc = self.valid(json.loads(p.stdout))
            self.assertEqual(doc["verdict"], "suspicious")
            self.assertEqual(doc["limits_hit"][0]["limit"], "max_input_bytes")
            # The boundary, read by size (a regular file) and by stream (stdin):
            # exactly the limit is whole, one byte more is cut.
            for size, cut in ((50, False), (51, True)):
                note = pathlib.Path(tmp) / f"note{size}.txt"
                note.write_bytes(b"x" * (size - 1) + b"\n")
                for args, stdin in ((["--format", "json", str(note)], None), (["--format", "json", "-"], note.read_bytes())):
                    p = run("scan", "--config", str(cfg), *args, stdin=stdin)
                    doc = self.valid(json.loads(p.stdout))
                    hit = [h["limit"] for h in doc.get("limits_hit", [])]
                    self.assertEqual("max_input_bytes" in hit, cut, (size, args))

    def test_gzip_bomb_ends_in_a_finding(self):
        with tempfile.TemporaryDirectory() as tmp:
            bomb = pathlib.Path(tmp) / "bomb.gz"
            with gzip.open(bomb, "wb", compresslevel=1) as f:
                block = bytes(1 << 20)
                for _ in range(300):  # 300 MiB of zeros: past the 256 MiB default
                    f.write(block)
            p = run("scan", "--format", "json", str(bomb), check_rc=1)
            doc = self.valid(json.loads(p.stdout))
            self.assertIn(doc["limits_hit"][0]["limit"], ("max_artifact_bytes", "max_ratio"))
            self.assertEqual(doc["verdict"], "suspicious")

    def test_explain_version_help(self):
        p = run("explain", "limit.exceeded", check_rc=0)
        self.assertIn("Why it matters", p.stdout.decode())
        p = run("explain", "no.such.id", check_rc=2)
        self.assertIn("container.executable", p.stderr.decode())
        self.assertIn(b"sluice 0.", run("--version", check_rc=0).stdout)
        self.assertIn(b"Exit status", run("--help", check_rc=0).stdout)
        run("scan", check_rc=2)
        run("scan", "--format", "xml", fixture("gzip/multi.gz"), check_rc=2)

    def test_yara_rule_dirs_from_config_and_bad_rules_are_config_errors(self):
        with tempfile.TemporaryDirectory() as tmp:
            rules = pathlib.Path(tmp) / "rules"
            rules.mkdir()
            (rules / "local.yar").write_text(
                'rule Local_Text : demo { meta: score = 45 description = "fixture text" '
                'strings: $h = "harmless text" condition: $h }\n')
            cfg = pathlib.Path(tmp) / "c.toml"
            cfg.write_text(f'[yara]\nrule_dirs = ["{rules}"]\nbuiltin_rules = false\n')
            p = run("scan", "--config", str(cfg), "--format", "json", fixture("gzip/text.txt.gz"))
            doc = self.valid(json.loads(p.stdout))
            hits = [f for f in doc["findings"] if f["id"] == "yara.match"]
            self.assertEqual([(f["evidence"]["rule"], f["evidence"]["namespace"], f["score"]) for f in hits],
                             [("Local_Text", "local", 45)])
            (rules / "broken.yar").write_text("rule Broken {\n condition: $missing\n}\n")
            p = run("scan", "--config", str(cfg), fixture("gzip/text.txt.gz"), check_rc=2)
            self.assertRegex(p.stderr.decode(), r"broken\.yar:\d+: undefined string")

    def test_iocs_in_json_and_text(self):
        p = run("scan", "--format", "json", fixture("iocs/link_and_zip.eml"), check_rc=1)
        doc = self.valid(json.loads(p.stdout))
        iocs = doc["iocs"]
        self.assertEqual([h["sha256"] for h in iocs["hashes"]], [sha256(fixture("pe/hello.exe"))])
        self.assertEqual(iocs["ips"], ["198.51.100.7", "2001:db8::7"])
        self.assertEqual(iocs["domains"], ["portal.example-billing.test"])
        out = run("scan", fixture("iocs/link_and_zip.eml"), check_rc=1).stdout.decode()
        self.assertIn("iocs: ", out)
        self.assertIn("domain   portal.example-billing.test", out)

    def test_installed_programs_carry_no_fault_injection(self):
        # src/formats/fault is linked into the test executables only: the sluice
        # a user installs treats the fault magic as an ordinary (unread) CHM.
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "fault.chm")
            with open(path, "wb") as f:
                f.write(b"ITSF SLUICE-FAULT:segv\n")
            p = run("scan", "--format", "json", "--isolate", "--workers", "1", path)
            r = json.loads(p.stdout)
            self.assertNotEqual(r["verdict"], "error")
            self.assertNotIn("engine.worker_crashed", [x["id"] for x in r["findings"]])

    def test_isolate_gives_the_in_process_report(self):
        # docs/adr/0011: the same JSON from a sandboxed worker, elapsed time aside.
        paths = [fixture("campaigns"), fixture("iocs/link_and_zip.eml"), fixture("gzip/text.txt.gz")]
        here = run("scan", "--format", "jsonl", "-j", "1", *paths).stdout.decode().splitlines()
        p = run("scan", "--format", "jsonl", "-j", "2", "--isolate", "--workers", "2", "--worker-stats", *paths)
        there = p.stdout.decode().splitlines()
        self.assertEqual(len(here), len(there))
        for a, b in zip(here, there):
            a, b = json.loads(a), json.loads(b)
            self.valid(b)
            a.pop("elapsed_ms"), b.pop("elapsed_ms")
            self.assertEqual(a, b)
        self.assertRegex(p.stderr.decode(), r"workers: 2, scans \d+, failures 0, respawns 0")

    def test_in_flight_gives_a_page_the_scans_time(self):
        # docs/adr/0043: stored mail gives a page its message's time; --in-flight
        # (a pipe from the MTA) the scan's, in process and in a sandboxed worker.
        page = fixture("campaigns/benign_newsletter.eml")

        def clocks(*extra):
            doc = json.loads(run("scan", "--format", "json", *extra, page, check_rc=0).stdout)
            self.valid(doc)
            return [(a["meta"].get("html.clock"), a["meta"].get("html.clock_from"))
                    for a in walk(doc["artifacts"][0]) if a["type"] == "html"]

        self.assertEqual(clocks(), [("2023-01-10T09:30:00Z", "date")])
        before = time.time()
        for extra in ([], ["--isolate", "--workers", "1"]):
            [(clock, source)] = clocks("--in-flight", *extra)
            self.assertEqual(source, "scan", extra)
            seen = datetime.datetime.strptime(clock, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
            self.assertLess(abs(seen.timestamp() - before), 600, (clock, extra))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--sluice", required=True)
    ap.add_argument("--source", required=True)
    ARGS, rest = ap.parse_known_args()
    result = unittest.main(argv=[sys.argv[0], *rest], exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
