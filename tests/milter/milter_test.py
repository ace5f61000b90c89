#!/usr/bin/env python3
"""sluice-milter against a real Postfix (issue #13). Starts a private Postfix
instance, an SMTP sink it relays to and sluice-milter, sends fixtures through
SMTP and checks what the sender was told, what arrived and what Postfix holds.
Every message sent is accounted for as delivered, held, rejected (5xx) or
deferred (4xx).

Usage: milter_test.py --milter build/sluice-milter --sluice build/sluice --source .
"""
import argparse
import email
import email.policy
import grp
import io
import json
import os
import shutil
import signal
import smtplib
import stat
import subprocess
import sys
import tempfile
import threading
import urllib.error
import zipfile
from email.message import EmailMessage

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Milter, Postfix, Sink, free_port, have_postfix, wait_for  # noqa: E402

MALICIOUS = ["iso_as_pdf.eml", "lnk_hidden_dll.eml", "padded_zip.eml", "password_iso_zip.eml",
             "rtlo_zip.eml", "sba_icon_img.eml", "script_zip.eml", "udf_only.eml", "vhd.eml"]
BENIGN = ["benign_img_text.eml", "benign_iso_docs.eml", "benign_password_zip.eml",
          "benign_real_sba.eml", "benign_zip_docs.eml"]
HAM_SAMPLE = 8
REJECT_TEXT = "Rejected by Sluice: malicious attachment (scan "
TEMPFAIL_TEXT = "Sluice could not scan this message"

FAILURES = []


def walk_artifacts(artifacts):
    for a in artifacts:
        yield a
        yield from walk_artifacts(a.get("children", []))


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print(f"FAIL: {what}", flush=True)


class Ledger:
    """What happened to every message sent: the SMTP answer at end of DATA and,
    for accepted ones, where the message ended up."""

    def __init__(self):
        self.sent = []  # dicts: marker, name, code, text, queue_id, place
        self.lock = threading.Lock()
        self.counter = 0

    def marker(self):
        with self.lock:
            self.counter += 1
            return f"sluice-test-{os.getpid()}-{self.counter}"


def with_marker(raw: bytes, marker: str) -> bytes:
    return f"X-Test-ID: {marker}\r\n".encode() + raw


def send(pf, ledger, name, raw, sender="sender@example.org"):
    """One SMTP transaction; returns the ledger entry."""
    marker = ledger.marker()
    entry = {"marker": marker, "name": name, "code": None, "text": "", "queue_id": None, "place": None}
    try:
        with smtplib.SMTP("127.0.0.1", pf.port, timeout=120) as s:
            s.ehlo("client.sluice-test.invalid")
            s.mail(sender)
            s.rcpt("rcpt@example.net")
            code, text = s.data(with_marker(raw, marker))
            entry["code"], entry["text"] = code, text.decode(errors="replace")
    except smtplib.SMTPResponseException as e:
        entry["code"], entry["text"] = e.smtp_code, e.smtp_error.decode(errors="replace")
    except (smtplib.SMTPServerDisconnected, OSError) as e:
        entry["code"], entry["text"] = 0, f"connection lost: {e}"
    if entry["code"] == 250 and "queued as " in entry["text"]:
        entry["queue_id"] = entry["text"].rsplit("queued as ", 1)[1].strip()
    with ledger.lock:
        ledger.sent.append(entry)
    return entry


def delivered(sink, entry, timeout=60):
    msgs = wait_for(lambda: sink.find(entry["marker"].encode()), timeout, f"delivery of {entry['name']}")
    entry["place"] = "delivered"
    return msgs[0]


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def body_of(raw):
    """The body as SMTP carries it: CRLF or LF alike, and SMTP ends the last line."""
    norm = raw.replace(b"\r\n", b"\n")
    return norm.split(b"\n\n", 1)[1].rstrip(b"\n") if b"\n\n" in norm else b""


def many_parts(n):
    boundary = "sluice-many-parts"
    head = ("From: bulk@example.org\r\nTo: rcpt@example.net\r\nSubject: many parts\r\n"
            f"Message-ID: <many-{n}@sluice-test.invalid>\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n')
    parts = "".join(f"--{boundary}\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n" for i in range(n))
    return (head + parts + f"--{boundary}--\r\n").encode()


def mail_with(data, filename, maintype, subtype, subject, message_id, text):
    m = EmailMessage()
    m["From"] = "archive@example.org"
    m["To"] = "rcpt@example.net"
    m["Subject"] = subject
    m["Message-ID"] = message_id
    m.set_content(text)
    m.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return m.as_bytes(policy=email.policy.SMTP)


def script_loop(n):
    """A page whose script never ends: its scan takes max_script_ms of CPU, then ends
    with a limit finding. Deterministically slow, unlike a large message whose scan
    time depends on how fast the engine has become."""
    page = f"<html><body><p>page {n}</p><script>var i = 0; for (;;) {{ i++; }}</script></body></html>\n"
    return mail_with(page.encode(), f"page{n}.html", "text", "html", "the page",
                     f"<script-loop-{n}@sluice-test.invalid>", "See the page attached.\n")


def with_attachment(path, filename):
    with open(path, "rb") as f:
        data = f.read()
    return mail_with(data, filename, "application", "zip", "the archive",
                     f"<{filename}@sluice-test.invalid>", "See attached.\n")


def ham_sample(corpora):
    root = os.path.join(corpora, "ham")
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs
                   if f.endswith(".eml") and 0 < os.path.getsize(os.path.join(d, f)) < 1 << 20)
    if not files:
        return []
    step = max(1, len(files) // HAM_SAMPLE)
    return files[::step][:HAM_SAMPLE]


def sluice_headers(msg):
    return [(k, v) for k, v in msg.items() if k.lower().startswith("x-sluice-")]


def wait_log_event(milter, event, count):
    wait_for(lambda: sum(1 for l in milter.log_lines() if l.get("event") == event) >= count, 60,
             f"milter log event {event} #{count}")


def log_for(milter, queue_id):
    lines = [l for l in milter.log_lines() if l.get("queue_id") == queue_id and "verdict" in l]
    return lines[-1] if lines else None


BASE_CONFIG = """
[milter]
workers = 2
"""


def phase_policy(args, pf, sink, milter, ledger):
    """Default actions: malicious rejected, benign and ham delivered with headers."""
    fixtures = os.path.join(args.source, "tests", "fixtures")
    seen = []  # (entry, verdict the test observed)
    for name in MALICIOUS:
        with open(os.path.join(fixtures, "campaigns", name), "rb") as f:
            e = send(pf, ledger, name, f.read())
        check(e["code"] == 550 and REJECT_TEXT in e["text"], f"{name}: expected 550 with the reject text, got {e['code']} {e['text']}")
        seen.append((e, "malicious"))
    deliverable = [(n, os.path.join(fixtures, "campaigns", n)) for n in BENIGN]
    deliverable += [(os.path.relpath(p, args.corpora), p) for p in ham_sample(args.corpora)]
    check(len(deliverable) >= len(BENIGN) + HAM_SAMPLE // 2 or not os.environ.get("CI"), "ham corpus sample missing")
    for name, path in deliverable:
        with open(path, "rb") as f:
            raw = f.read()
        e = send(pf, ledger, name, raw)
        check(e["code"] == 250, f"{name}: expected 250, got {e['code']} {e['text']}")
        if e["code"] != 250:
            continue
        got = delivered(sink, e)
        check(body_of(got) == body_of(raw), f"{name}: body changed in transit")
        msg = parse(got)
        verdict = msg.get("X-Sluice-Verdict", "")
        check(len(msg.get_all("X-Sluice-Verdict", [])) == 1 and msg.get("X-Sluice-Scan-ID") and
              msg.get("X-Sluice-Findings") is not None, f"{name}: X-Sluice headers missing: {sluice_headers(msg)}")
        if name in BENIGN:
            check(verdict.startswith("clean score="), f"{name}: look-alike not clean: {verdict}")
        seen.append((e, verdict.split(" ")[0]))

    # A suspicious message is tagged, not rejected.
    with open(os.path.join(fixtures, "mail", "text", "html_lure.eml"), "rb") as f:
        e = send(pf, ledger, "html_lure.eml", f.read())
    check(e["code"] == 250, f"html_lure.eml: expected 250, got {e['code']} {e['text']}")
    if e["code"] == 250:
        msg = parse(delivered(sink, e))
        check(msg.get("X-Sluice-Verdict", "").startswith("suspicious score="),
              f"html_lure.eml: expected a suspicious tag, got {sluice_headers(msg)}")
        check(msg.get("X-Sluice-Campaign", "").startswith("C-"),
              f"html_lure.eml: recorded mail is tagged with its campaign: {sluice_headers(msg)}")
        seen.append((e, "suspicious"))

    # A sender's own X-Sluice-* headers are removed; only the true verdict remains.
    with open(os.path.join(fixtures, "campaigns", "benign_zip_docs.eml"), "rb") as f:
        forged = (b"X-Sluice-Verdict: clean score=0\r\nX-Sluice-Scan-ID: forged\r\n"
                  b"X-SLUICE-VERDICT: clean\r\nX-Sluice-Whatever: yes\r\n" + f.read())
    e = send(pf, ledger, "forged headers", forged)
    check(e["code"] == 250, f"forged: expected 250, got {e['code']}")
    if e["code"] == 250:
        msg = parse(delivered(sink, e))
        hs = sluice_headers(msg)
        check(len(hs) == 3 and [k.lower() for k, _ in hs] == ["x-sluice-verdict", "x-sluice-findings", "x-sluice-scan-id"]
              and msg["X-Sluice-Scan-ID"] != "forged", f"forged headers survived: {hs}")
        seen.append((e, msg.get("X-Sluice-Verdict", "").split(" ")[0]))

    # Hostile messages get an answer (not a deferral) within the deadline.
    bomb = os.path.join(fixtures, "archive", "nested_bomb.zip")
    for name, raw in [("zip bomb", with_attachment(bomb, "nested_bomb.zip")), ("100,000 MIME parts", many_parts(100_000))]:
        e = send(pf, ledger, name, raw)
        check(e["code"] in (250, 550), f"{name}: expected an answer, got {e['code']} {e['text']}")
        if e["code"] == 250:
            msg = parse(delivered(sink, e))
            verdict = msg.get("X-Sluice-Verdict", "").split(" ")[0]
            check(verdict in ("suspicious", "malicious"), f"{name}: a limit hit must not be clean: {verdict}")
            line = log_for(milter, e["queue_id"])
            check(line is not None and line["scan_ms"] <= 30000, f"{name}: no answer within the deadline: {line}")
            seen.append((e, verdict))
        elif e["code"] == 550:
            seen.append((e, "malicious"))

    # /metrics agrees with what the test saw, message by message.
    m = milter.metrics()
    for verdict in ("clean", "suspicious", "malicious", "error", "unscanned"):
        want = sum(1 for _, v in seen if v == verdict)
        got = m.get(f'sluice_milter_messages_total{{verdict="{verdict}"}}')
        check(got == want, f"/metrics verdict {verdict}: {got}, the test saw {want}")
    rejected = sum(1 for e, _ in seen if e["code"] == 550)
    check(m.get('sluice_milter_actions_total{action="reject"}') == rejected, "/metrics reject count")
    check(m.get('sluice_milter_actions_total{action="tag"}') == len(seen) - rejected, "/metrics tag count")
    check(m.get("sluice_scan_duration_seconds_count") == len(seen), "/metrics latency histogram count")

    # POST /v1/scan answers what `sluice scan --format json` answers, in the report schema.
    with open(os.path.join(args.source, "docs", "report.schema.json")) as f:
        validator = jsonschema.Draft202012Validator(json.load(f))
    for rel in ["campaigns/vhd.eml", "mail/text/html_lure.eml", "campaigns/benign_iso_docs.eml"]:
        path = os.path.join(fixtures, rel)
        with open(path, "rb") as f:
            api = json.loads(milter.http("/v1/scan", f.read()))
        errors = [e.message for e in validator.iter_errors(api)]
        check(not errors, f"/v1/scan {rel}: not a valid report: {errors[:3]}")
        cli = json.loads(subprocess.run([args.sluice, "scan", "--format", "json", path],
                                        capture_output=True, check=False).stdout)
        check(api["verdict"] == cli["verdict"] and [x["id"] for x in api["findings"]] == [x["id"] for x in cli["findings"]],
              f"/v1/scan {rel}: {api['verdict']} vs the CLI's {cli['verdict']}")
    check(milter.metrics().get("sluice_http_scans_total") == 3, "/metrics counts HTTP scans")
    # A page's clock (docs/adr/0043): stored mail gives it the message's own time;
    # ?in_flight=1, as the milter does, the scan's (the fields may be the sender's).
    with open(os.path.join(fixtures, "campaigns", "benign_newsletter.eml"), "rb") as f:
        page_mail = f.read()

    def page_clock(query):
        report = json.loads(milter.http("/v1/scan" + query, page_mail))
        pages = [a for a in walk_artifacts(report["artifacts"]) if a.get("type") == "html"]
        return [a.get("meta", {}).get("html.clock_from") for a in pages]

    check(page_clock("") == ["date"], f"/v1/scan: a stored message's page reads its Date: {page_clock('')}")
    check(page_clock("?in_flight=1") == ["scan"], "/v1/scan?in_flight=1: the page reads the scan's time")
    try:
        milter.http("/v1/scan?in_flight=yes", page_mail)
        check(False, "/v1/scan?in_flight=yes was accepted")
    except urllib.error.HTTPError as e:
        check(e.code == 400, f"/v1/scan?in_flight=yes: HTTP {e.code}")
    # Every message and upload reached its sandboxed worker without a copy: each
    # was written once, into the sealed memfd the worker maps.
    m = milter.metrics()
    check(m.get("sluice_pool_isolated") == 1, "the milter scans in sandboxed workers by default")
    check((m.get("sluice_scanned_bytes_total") or 0) > 0 and m.get("sluice_pool_input_bytes_copied_total") == 0,
          f"input bytes copied on the way to the workers: {m.get('sluice_pool_input_bytes_copied_total')} "
          f"of {m.get('sluice_scanned_bytes_total')} scanned")
    try:
        milter.http("/v1/scan", b"x" * 5_000_000)
        check(False, "/v1/scan accepted a body above max_body_bytes")
    except urllib.error.HTTPError as e:
        check(e.code == 413, f"/v1/scan above max_body_bytes: HTTP {e.code}")
    except (ConnectionError, urllib.error.URLError):
        pass  # the server answered 413 and closed while the client was still sending
    check(milter.healthy(), "/healthz after an oversized POST")


def phase_campaigns(args, milter, root):
    """What the milter recorded is in the store the CLI reads, one row per
    suspicious or malicious message, with its envelope's recipient domain."""
    out = subprocess.run([args.sluice, "campaigns", "--db", os.path.join(root, "campaigns.db"), "assignments",
                          "--format", "jsonl"], capture_output=True, check=False)
    check(out.returncode == 0, f"campaigns assignments: {out.stderr.decode(errors='replace')}")
    rows = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
    recorded = milter.metrics().get("sluice_campaign_records_total")
    check(len(rows) >= len(MALICIOUS) + 1 and recorded == len(rows),
          f"campaign store: {len(rows)} rows, /metrics says {recorded}, the test sent {len(MALICIOUS)} malicious + 1 suspicious")
    check(milter.metrics().get("sluice_campaign_errors_total") == 0, "campaign store errors")
    rejected = [l for l in milter.log_lines() if l.get("verdict") == "malicious"]
    check(rejected and all(str(l.get("campaign", "")).startswith("C-") for l in rejected),
          "every malicious message's log line names its campaign")
    out = subprocess.run([args.sluice, "campaigns", "--db", os.path.join(root, "campaigns.db"), "list",
                          "--format", "json"], capture_output=True, check=False)
    listed = json.loads(out.stdout or b"[]")
    domains = {d["value"] for c in listed for d in c["recipient_domains"]}
    check("example.net" in domains, f"recipient domains come from the SMTP envelope: {sorted(domains)[:5]}")


def phase_reload(args, pf, sink, milter, ledger, root):
    """SIGHUP: quarantine takes effect; a broken config keeps the old one."""
    fixtures = os.path.join(args.source, "tests", "fixtures", "campaigns")
    qdir = os.path.join(root, "quarantine")
    os.makedirs(qdir, mode=0o700)
    milter.write_config(BASE_CONFIG + f'on_malicious = "quarantine"\nquarantine_dir = "{qdir}"\n')
    milter.signal(signal.SIGHUP)
    wait_log_event(milter, "reloaded", 1)
    for step, name in [("quarantine", "vhd.eml"), ("broken config", "rtlo_zip.eml")]:
        if step == "broken config":
            milter.write_config(BASE_CONFIG + 'on_malicious = "explode"\n')
            milter.signal(signal.SIGHUP)
            wait_log_event(milter, "reload_failed", 1)
        with open(os.path.join(fixtures, name), "rb") as f:
            e = send(pf, ledger, f"{name} ({step})", f.read())
        check(e["code"] == 250 and e["queue_id"], f"{name} ({step}): expected 250, got {e['code']} {e['text']}")
        if not e["queue_id"]:
            continue
        entry = wait_for(lambda: [q for q in pf.queue_entries() if q["queue_id"] == e["queue_id"]], 30,
                         f"{name} on the queue")[0]
        check(entry["queue_name"] == "hold", f"{name} ({step}): on queue {entry['queue_name']}, not hold")
        if entry["queue_name"] == "hold":
            e["place"] = "held"
        check(f"{e['queue_id']}: milter-hold: END-OF-MESSAGE" in pf.log(), f"{name}: Postfix did not log the hold")
        # Postfix logs only "milter triggers HOLD action"; Sluice's reason travels
        # in the held message's headers, for whoever looks before releasing it.
        held = subprocess.run(["postcat", "-c", pf.config, "-h", "-q", e["queue_id"]], capture_output=True,
                              text=True, errors="replace", check=False).stdout
        check("X-Sluice-Verdict: malicious score=" in held and "X-Sluice-Findings: " in held,
              f"{name}: the held message carries no verdict headers")
        line = log_for(milter, e["queue_id"])
        scan_id = line["scan_id"] if line else "missing"
        for ext in (".eml", ".json"):
            p = os.path.join(qdir, scan_id + ext)
            check(os.path.exists(p) and stat.S_IMODE(os.stat(p).st_mode) == 0o600, f"quarantine file {p}")


def phase_deadline(args, pf, sink, milter, ledger):
    """A scan past the deadline gets on_error (tempfail); oversize and allow-listed mail is not scanned."""
    milter.write_config(BASE_CONFIG + "\n[limits]\ndeadline_ms = 200\nmax_children = 200000\nmax_artifacts = 200000\n")
    milter.signal(signal.SIGHUP)
    wait_log_event(milter, "reloaded", 2)
    e = send(pf, ledger, "past the deadline", many_parts(100_000))
    check(e["code"] == 451 and TEMPFAIL_TEXT in e["text"], f"deadline: expected 451 with the tempfail text, got {e['code']} {e['text']}")
    lines = [l for l in milter.log_lines() if l.get("verdict") == "error"]
    check(bool(lines) and lines[-1].get("reason") in ("deadline", "timeout") and lines[-1]["scan_ms"] <= 1000,
          f"deadline: milter log {lines[-1:] }")
    milter.write_config(BASE_CONFIG + 'max_message_bytes = 1000000\nsender_allow = ["@trusted.example.org"]\n')
    milter.signal(signal.SIGHUP)
    wait_log_event(milter, "reloaded", 3)
    fixtures = os.path.join(args.source, "tests", "fixtures", "campaigns")
    with open(os.path.join(fixtures, "vhd.eml"), "rb") as f:
        vhd = f.read()
    for name, raw, sender, reason in [
            ("oversize", vhd + b"\r\n" + b"padding line of the oversize test\r\n" * 40000, "sender@example.org", "oversize"),
            ("allow-listed sender", b"X-Sluice-Verdict: clean\r\n" + vhd, "robot@trusted.example.org", "sender_allow")]:
        e = send(pf, ledger, name, raw, sender)
        check(e["code"] == 250, f"{name}: expected 250, got {e['code']} {e['text']}")
        if e["code"] != 250:
            continue
        msg = parse(delivered(sink, e))
        hs = sluice_headers(msg)
        line = log_for(milter, e["queue_id"])
        check(line is not None and line["verdict"] == "unscanned" and line.get("reason") == reason, f"{name}: log {line}")
        if reason == "oversize":  # on_oversize = tag: marked as not scanned
            check(msg.get("X-Sluice-Verdict") == "unscanned reason=oversize", f"{name}: {hs}")
        else:  # not scanned, not marked, and the sender's own header is gone
            check(hs == [], f"{name}: {hs}")


def phase_faults(args, pf, sink, milter, ledger):
    """Pool saturated → on_busy; milter SIGKILLed mid-scan → 4xx; the retry is scanned."""
    slow = script_loop(1)
    # Four seconds of script per slow scan: long enough to act on while it runs,
    # well inside the 30 s deadline.
    slow_limits = "\n[limits]\nmax_script_ms = 4000\n"
    milter.stop()
    milter.write_config("[milter]\nworkers = 1\nmax_queued = 0\n" + slow_limits)
    milter.start()
    result = {}
    t = threading.Thread(target=lambda: result.update(send(pf, ledger, "slow (killed)", slow)))
    t.start()
    wait_for(lambda: milter.metrics().get("sluice_pool_in_use") == 1, 60, "the slow scan to occupy the one worker")
    with open(os.path.join(args.source, "tests", "fixtures", "campaigns", "benign_zip_docs.eml"), "rb") as f:
        e = send(pf, ledger, "while busy", f.read())
    check(e["code"] == 451 and TEMPFAIL_TEXT in e["text"], f"busy: expected 451, got {e['code']} {e['text']}")
    check(milter.metrics().get("sluice_pool_saturated_total") == 1, "/metrics pool saturation")
    busy = [l for l in milter.log_lines() if l.get("reason") == "busy"]
    check(len(busy) == 1 and busy[0]["action"] == "tempfail", f"busy log line {busy}")
    milter.kill()
    t.join(timeout=120)
    check(400 <= (result.get("code") or 0) < 500, f"killed milter: expected 4xx, got {result.get('code')} {result.get('text')}")
    # The sender keeps the message and retries; the restarted milter scans it.
    milter.write_config(BASE_CONFIG + slow_limits)
    milter.start()
    e = send(pf, ledger, "slow (retried)", slow)
    check(e["code"] == 250, f"retry: expected 250, got {e['code']} {e['text']}")
    if e["code"] == 250:
        msg = parse(delivered(sink, e))
        check(msg.get("X-Sluice-Verdict", "").startswith("suspicious"), f"retry: {sluice_headers(msg)}")

    # SIGTERM while a message is being scanned: it still gets its answer, then the daemon exits 0.
    result.clear()
    t = threading.Thread(target=lambda: result.update(send(pf, ledger, "slow (SIGTERM)", slow)))
    t.start()
    wait_for(lambda: milter.metrics().get("sluice_pool_in_use") == 1, 60, "a scan in flight before SIGTERM")
    milter.signal(signal.SIGTERM)
    t.join(timeout=120)
    check(result.get("code") == 250, f"SIGTERM: the message in flight got {result.get('code')} {result.get('text')}")
    check(milter.proc.wait(timeout=60) == 0, f"SIGTERM: exit status {milter.proc.returncode}")
    stopping = [l for l in milter.log_lines() if l.get("event") == "stopping"]
    check(bool(stopping) and stopping[-1]["drained"], f"SIGTERM: {stopping[-1:]}")


def account(pf, sink, ledger):
    held = {q["queue_id"] for q in pf.queue_entries() if q["queue_name"] == "hold"}
    counts = {"delivered": 0, "held": 0, "rejected": 0, "deferred": 0}
    for e in ledger.sent:
        if e["code"] == 250:
            if e["queue_id"] in held:
                e["place"] = "held"
            elif e["place"] is None:
                try:
                    delivered(sink, e, timeout=30)
                except AssertionError:
                    pass
            check(e["place"] in ("delivered", "held"), f"{e['name']}: accepted but neither delivered nor held")
            if e["place"]:
                counts[e["place"]] += 1
        elif e["code"] and 500 <= e["code"] < 600:
            counts["rejected"] += 1
        elif e["code"] and 400 <= e["code"] < 500:
            counts["deferred"] += 1
        else:
            check(False, f"{e['name']}: no SMTP answer ({e['code']} {e['text']})")
    print(f"accounting: sent {len(ledger.sent)} = " + " + ".join(f"{v} {k}" for k, v in counts.items()), flush=True)
    check(sum(counts.values()) == len(ledger.sent), "every message sent is accounted for")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--milter", required=True)
    ap.add_argument("--sluice", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--corpora")
    ap.add_argument("--socket", choices=["inet", "unix"], default="inet",
                    help="loopback TCP or a unix socket (on both, no step before the end of the message is answered)")
    args = ap.parse_args()
    args.corpora = args.corpora or os.path.join(args.source, "..", "shared", "corpora")
    ci = os.environ.get("CI") == "true"
    if os.geteuid() != 0 or not have_postfix():
        print("needs root and Debian's postfix (scripts/install-deps.sh)")
        return 1 if ci else 77
    if ci and not os.path.isdir(os.path.join(args.corpora, "ham")):
        print(f"corpus missing: {args.corpora}/ham")
        return 1

    root = tempfile.mkdtemp(prefix="sluice-milter-test-")
    sink = Sink()
    socket_path = os.path.join(root, "milter.sock") if args.socket == "unix" else None
    milter = Milter(args.milter, root, free_port(), free_port(), unix_socket=socket_path)
    pf = Postfix(root, sink.port, milter.postfix_address())
    ledger = Ledger()
    try:
        sink.start()
        milter.write_config(BASE_CONFIG + f'\n[campaigns]\ndb = "{root}/campaigns.db"\n')
        milter.start()
        if socket_path:
            st = os.stat(socket_path)
            check(stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o660,
                  f"milter socket mode {oct(st.st_mode)}, expected a socket with 0660")
            check(grp.getgrgid(st.st_gid).gr_name == "postfix", f"milter socket group {st.st_gid}, expected postfix")
        pf.start()
        phase_policy(args, pf, sink, milter, ledger)
        phase_campaigns(args, milter, root)
        phase_reload(args, pf, sink, milter, ledger, root)
        phase_deadline(args, pf, sink, milter, ledger)
        phase_faults(args, pf, sink, milter, ledger)
        account(pf, sink, ledger)
    except AssertionError as e:
        FAILURES.append(str(e))
        print(f"FAIL: {e}", flush=True)
    finally:
        pf.stop()
        milter.stop()
        sink.stop()
        if FAILURES:
            print("--- sluice-milter log (tail) ---\n" + milter.log_text()[-4000:])
            print("--- Postfix log (tail) ---\n" + pf.log()[-4000:])
        shutil.rmtree(root, ignore_errors=True)
    print(f"{len(FAILURES)} failure(s)")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
