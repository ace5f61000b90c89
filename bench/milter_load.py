#!/usr/bin/env python3
"""The driver behind bench/milter_load.sh (see there). Not a test: it prints figures."""
import argparse
import os
import shutil
import smtplib
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "milter"))
from harness import Milter, Postfix, Sink, free_port, wait_for  # noqa: E402

CAMPAIGNS = ["iso_as_pdf.eml", "lnk_hidden_dll.eml", "padded_zip.eml", "password_iso_zip.eml", "rtlo_zip.eml",
             "sba_icon_img.eml", "script_zip.eml", "udf_only.eml", "vhd.eml", "benign_img_text.eml",
             "benign_iso_docs.eml", "benign_password_zip.eml", "benign_real_sba.eml", "benign_zip_docs.eml"]


def workload(source, corpora, ham_count):
    ham_root = os.path.join(corpora, "ham")
    ham = sorted(os.path.join(d, f) for d, _, fs in os.walk(ham_root) for f in fs
                 if f.endswith(".eml") and 0 < os.path.getsize(os.path.join(d, f)) < 256 << 10)
    step = max(1, len(ham) // ham_count)
    items = [("ham", open(p, "rb").read()) for p in ham[::step][:ham_count]]
    items += [("campaign", open(os.path.join(source, "tests", "fixtures", "campaigns", n), "rb").read())
              for n in CAMPAIGNS]
    return items


def run(pf, sink, items, clients, per_client, tag):
    results = []  # (kind, code, seconds, marker)
    lock = threading.Lock()

    def client(cid):
        for i in range(per_client):
            kind, raw = items[(cid * per_client + i) % len(items)]
            marker = f"bench-{tag}-{cid}-{i}"
            start = time.perf_counter()
            try:
                with smtplib.SMTP("127.0.0.1", pf.port, timeout=120) as s:
                    s.mail("bench@example.org")
                    s.rcpt("rcpt@example.net")
                    code, _ = s.data(f"X-Test-ID: {marker}\r\n".encode() + raw)
            except smtplib.SMTPResponseException as e:
                code = e.smtp_code
            except (smtplib.SMTPServerDisconnected, OSError):
                code = 0
            with lock:
                results.append((kind, code, time.perf_counter() - start, marker))

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    accepted = [r for r in results if r[1] == 250]
    try:
        wait_for(lambda: all(sink.find(r[3].encode()) for r in accepted), 120, "delivery")
    except AssertionError:
        pass
    held = {q["queue_id"] for q in pf.queue_entries() if q["queue_name"] == "hold"}
    acc = {"sent": len(results),
           "delivered": sum(1 for r in accepted if sink.find(r[3].encode())),
           "held": len(held),
           "rejected": sum(1 for r in results if 500 <= r[1] < 600),
           "deferred": sum(1 for r in results if 400 <= r[1] < 500),
           "no answer": sum(1 for r in results if r[1] == 0)}
    acc["unaccounted"] = acc["sent"] - acc["delivered"] - acc["held"] - acc["rejected"] - acc["deferred"]
    return wall, results, acc


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--milter", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--messages", type=int, default=50)
    ap.add_argument("--ham", type=int, default=40)
    ap.add_argument("--socket", choices=["inet", "unix"], default="inet")
    args = ap.parse_args()
    corpora = os.path.join(args.source, "..", "shared", "corpora")
    items = workload(args.source, corpora, args.ham)
    root = tempfile.mkdtemp(prefix="sluice-milter-bench-")
    os.chmod(root, 0o755)  # Postfix's daemons reach their directories below it as postfix
    sink = Sink()
    sink.start()
    mroot = os.path.join(root, "m")
    milter = Milter(args.milter, mroot, free_port(), free_port(),
                    unix_socket=os.path.join(mroot, "milter.sock") if args.socket == "unix" else None)
    os.makedirs(milter.root)
    os.chmod(milter.root, 0o755)  # Postfix's smtpd reaches a unix socket in it
    plain = Postfix(os.path.join(root, "plain"), sink.port, 0, milter=False)
    filtered = Postfix(os.path.join(root, "milter"), sink.port, milter.postfix_address())
    figures = {}
    try:
        milter.write_config("")
        milter.start()
        for name, pf in (("without", plain), ("with", filtered)):
            pf.start()
            run(pf, sink, items[:4], 1, 4, f"{name}-warm")  # warm Postfix's processes
            figures[name] = run(pf, sink, items, args.clients, args.messages, name)
            pf.stop()
        with open(f"/proc/{milter.proc.pid}/status") as f:
            rss = next(l.split()[1] for l in f if l.startswith("VmHWM"))
    finally:
        for pf in (plain, filtered):
            pf.stop()
        milter.stop()
        sink.stop()
        scan_ms = [l["scan_ms"] for l in milter.log_lines() if "scan_ms" in l and l.get("verdict") == "clean"]
        shutil.rmtree(root, ignore_errors=True)

    print(f"{args.clients} clients x {args.messages} messages over {args.socket}; workload: {sum(1 for k, _ in items if k == 'ham')} ham "
          f"+ {len(CAMPAIGNS)} campaign fixtures, cycled")
    rate = {}
    for name in ("without", "with"):
        wall, results, acc = figures[name]
        rate[name] = len(results) / wall
        ham = [r[2] for r in results if r[0] == "ham" and r[1] == 250]
        print(f"  {name:7} milter: {rate[name]:7.1f} msg/s  ham latency p50 {pct(ham, 50) * 1000:6.1f} ms"
              f"  p99 {pct(ham, 99) * 1000:6.1f} ms  accounting {acc}")
    ham_with = [r[2] for r in figures["with"][1] if r[0] == "ham" and r[1] == 250]
    ham_without = [r[2] for r in figures["without"][1] if r[0] == "ham" and r[1] == 250]
    print(f"  throughput with/without: {100 * rate['with'] / rate['without']:.0f} %")
    print(f"  added ham latency: p50 {(pct(ham_with, 50) - pct(ham_without, 50)) * 1000:.1f} ms, "
          f"p99 {(pct(ham_with, 99) - pct(ham_without, 99)) * 1000:.1f} ms")
    print(f"  milter's own wait per clean message: p50 {pct(scan_ms, 50)} ms, p99 {pct(scan_ms, 99)} ms")
    print(f"  sluice-milter peak RSS: {int(rss) / 1024:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
