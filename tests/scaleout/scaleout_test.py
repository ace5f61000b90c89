#!/usr/bin/env python3
"""sluice submit | worker | results against a real redis-server (issue #18).

Every phase uses its own streams on one Redis started here (AOF on, fsync
always), so the phases cannot see each other's jobs:
  main       campaign fixtures + every shared ham folder, two worker processes
             recording campaigns into a real PostgreSQL: one result per job,
             verdicts equal to `sluice scan`'s, the campaigns recorded;
  takeover   a worker SIGKILLed mid-job: the other takes its job over;
  duplicate  a worker frozen (SIGSTOP) past claim_idle_ms: its job is done by
             the other, and its own late result is written marked duplicate;
  restart    Redis SIGKILLed and restarted mid-run: workers reconnect, finish;
  poison     a job that crashes every sandboxed worker goes to the dead
             letters after max_attempts (test-only fault format);
  pressure   submit waits while max_queued jobs are queued;
  tls        rediss:// with a password and a private CA.
Exit 77 (skip) when redis-server is missing, unless CI=true."""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from servers import Postgres, Redis, fields, make_tls_files, wait_for  # noqa: E402

CI = os.environ.get("CI") == "true"
FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, flush=True)


def slow_mail(n):
    """A page whose script never ends: the scan takes max_script_ms, then ends with
    a limit finding. Deterministically slow (tests/milter uses the same page)."""
    from email.message import EmailMessage
    m = EmailMessage()
    m["From"] = "sender@sluice-test.invalid"
    m["To"] = "rcpt@sluice-test.invalid"
    m["Subject"] = f"slow page {n}"
    m["Message-ID"] = f"<slow-{n}@sluice-test.invalid>"
    m.set_content("See the page attached.\n")
    page = f"<html><body><p>page {n}</p><script>var i = 0; for (;;) {{ i++; }}</script></body></html>\n"
    m.add_attachment(page.encode(), maintype="text", subtype="html", filename=f"page{n}.html")
    return m.as_bytes()


class Phase:
    """One phase's streams, config file and processes."""

    def __init__(self, t, name, queue="", extra=""):
        self.t, self.name = t, name
        self.dir = os.path.join(t.root, name)
        os.makedirs(self.dir)
        self.stream, self.results, self.dead = f"{name}:jobs", f"{name}:results", f"{name}:dead"
        self.config = os.path.join(self.dir, "sluice.toml")
        with open(self.config, "w") as f:
            f.write(f'[queue]\nstream = "{self.stream}"\nresults = "{self.results}"\n'
                    f'dead_letters = "{self.dead}"\n{queue}\n{extra}\n')
        self.workers = []

    def sluice(self, *args, binary=None, url=None, timeout=600, check_rc=True):
        cmd = [binary or self.t.args.sluice, args[0], "--redis", url or self.t.redis.url(), "-c", self.config,
               *args[1:]]
        r = subprocess.run(cmd, capture_output=True, timeout=timeout)
        if check_rc and r.returncode != 0:
            check(False, f"{self.name}: {' '.join(cmd)} exited {r.returncode}: {r.stderr.decode(errors='replace')[-2000:]}")
        return r

    def submit(self, paths, **kw):
        r = self.sluice("submit", *paths, **kw)
        out = r.stdout.decode()
        check(out.startswith("submitted "), f"{self.name}: submit printed {out!r}")
        return int(out.split()[1]) if out.startswith("submitted ") else 0

    def start_worker(self, label, *extra, binary=None, url=None):
        log = open(os.path.join(self.dir, f"worker-{label}.log"), "wb")
        cmd = [binary or self.t.args.sluice, "worker", "--redis", url or self.t.redis.url(), "-c", self.config,
               "--name", f"{self.name}-{label}", *extra]
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        p.label, p.logfile = label, log.name
        self.workers.append(p)
        return p

    def log(self, p):
        with open(p.logfile, errors="replace") as f:
            return f.read()

    def wait_workers(self, timeout=600):
        for p in self.workers:
            try:
                rc = p.wait(timeout=timeout)
                check(rc in (0, -signal.SIGKILL), f"{self.name}: worker {p.label} exited {rc}: {self.log(p)[-2000:]}")
            except subprocess.TimeoutExpired:
                p.kill()
                check(False, f"{self.name}: worker {p.label} did not finish in {timeout} s: {self.log(p)[-2000:]}")

    def stop_all(self):
        for p in self.workers:
            if p.poll() is None:
                p.kill()
                p.wait()

    def redis(self):
        return self.t.redis.client()

    def entries(self, stream):
        c = self.redis()
        try:
            return [fields(e) for e in c.call("XRANGE", stream, "-", "+")]
        finally:
            c.close()

    def stats(self):
        c = self.redis()
        try:
            flat = c.call("HGETALL", f"{self.results}:stats")
            return {flat[i].decode(): int(flat[i + 1]) for i in range(0, len(flat), 2)}
        finally:
            c.close()

    def xlen(self, stream):
        c = self.redis()
        try:
            return c.call("XLEN", stream)
        finally:
            c.close()

    def pending_of(self, consumer):
        c = self.redis()
        try:
            summary = c.call("XPENDING", self.stream, "sluice")
            for name, count in (summary[3] or []):
                if name.decode() == consumer:
                    return int(count)
            return 0
        finally:
            c.close()

    def results_by_job(self):
        """job ID -> list of (duplicate, fields)"""
        out = {}
        for _, f in self.entries(self.results):
            out.setdefault(f["job"].decode(), []).append((f["duplicate"] == b"1", f))
        return out


class Test:
    def __init__(self, args):
        self.args = args
        self.root = tempfile.mkdtemp(prefix="sluice-scaleout-")
        os.chmod(self.root, 0o755)  # PostgreSQL runs as `postgres` inside it
        self.redis = Redis(self.root)

    def reference(self, paths):
        """name -> verdict from `sluice scan`, the single-machine path."""
        r = subprocess.run([self.args.sluice, "scan", "--format", "jsonl", "--no-progress", *paths],
                           capture_output=True, timeout=900)
        check(r.returncode in (0, 1), f"reference scan exited {r.returncode}: {r.stderr[-2000:]}")
        out = {}
        for line in r.stdout.decode().splitlines():
            d = json.loads(line)
            out[d["input"]] = d["verdict"]
        return out


def phase_main(t):
    fixtures = os.path.join(t.args.source, "tests", "fixtures", "campaigns")
    ham = os.path.join(t.args.source, "..", "shared", "corpora", "ham")
    paths = [fixtures] + sorted(os.path.join(ham, d) for d in os.listdir(ham))
    pg = Postgres(t.root)
    pg.start()
    try:
        db = pg.create_database("campaigns")
        # Small inline limit: many jobs travel by path, as on shared storage.
        ph = Phase(t, "main", queue="inline_max_bytes = 16384",
                   extra=f'[campaigns]\ndb = "{db}"\nmin_verdict = "suspicious"\n')
        expected = t.reference(paths)
        n = ph.submit(paths)
        check(n == len(expected), f"main: submitted {n} jobs, `sluice scan` gave {len(expected)} results")
        ph.start_worker("a", "--jobs", "1", "--drain")
        ph.start_worker("b", "--jobs", "1", "--drain")
        ph.wait_workers(timeout=900)
        by_job = ph.results_by_job()
        originals = {j: [f for dup, f in rs if not dup] for j, rs in by_job.items()}
        check(len(by_job) == n, f"main: {len(by_job)} jobs with results of {n}")
        check(all(len(v) == 1 for v in originals.values()),
              f"main: jobs without exactly one result: {[j for j, v in originals.items() if len(v) != 1][:5]}")
        got = {f[0]["name"].decode(): f[0]["verdict"].decode() for f in originals.values() if f}
        differ = {k: (v, got.get(k)) for k, v in expected.items() if got.get(k) != v}
        check(not differ, f"main: verdicts differ from sluice scan: {list(differ.items())[:5]}")
        check(ph.xlen(ph.stream) == 0, "main: the job stream is not empty after draining")
        check(ph.xlen(ph.dead) == 0, "main: dead letters in a clean run")
        by_path = sum(1 for f in (v[0] for v in originals.values() if v) if b'"job"' in f["report"])
        check(by_path == n, "main: every report carries its job member")
        # Both workers took part.
        workers = {f[0]["worker"].decode().rsplit("-", 1)[0] for f in originals.values() if f}
        check(workers == {"main-a", "main-b"}, f"main: results came from {workers}")
        # Campaigns were recorded into PostgreSQL, one row per suspicious or worse message.
        flagged = sum(1 for v in got.values() if v in ("suspicious", "malicious"))
        r = subprocess.run([t.args.sluice, "campaigns", "--db", db, "--format", "json", "list"],
                           capture_output=True, timeout=120)
        check(r.returncode == 0, f"main: campaigns list exited {r.returncode}: {r.stderr[-500:]}")
        listed = json.loads(r.stdout or b"[]")
        recorded = sum(c.get("size", 0) for c in listed)
        check(flagged > 0 and recorded == flagged,
              f"main: {recorded} messages in campaigns, {flagged} suspicious or malicious results")
        with_campaign = sum(1 for v in originals.values() if v and b'"campaign":{' in v[0]["report"])
        check(with_campaign == flagged, f"main: {with_campaign} reports name their campaign, {flagged} expected")
        # sluice results prints one JSON report per result.
        r = subprocess.run([t.args.sluice, "results", "--redis", t.redis.url(), "-c", ph.config],
                           capture_output=True, timeout=300)
        lines = [json.loads(l) for l in r.stdout.decode().splitlines()]
        check(len(lines) == n and all("job" in d and d["verdict"] == expected.get(d["input"]) for d in lines),
              f"main: sluice results printed {len(lines)} reports")
        import jsonschema
        with open(os.path.join(t.args.source, "docs", "report.schema.json")) as f:
            schema = jsonschema.Draft202012Validator(json.load(f))
        invalid = [d["input"] for d in lines if not schema.is_valid(d)]
        check(not invalid, f"main: reports not valid against docs/report.schema.json: {invalid[:3]}")
        print(f"main: {n} jobs, {flagged} flagged, {len(listed)} campaigns, "
              f"stats {ph.stats()}", flush=True)
    finally:
        pg.stop()


def write_slow(ph, count):
    d = os.path.join(ph.dir, "slow")
    os.makedirs(d)
    for i in range(count):
        with open(os.path.join(d, f"slow{i}.eml"), "wb") as f:
            f.write(slow_mail(i))
    return d


def phase_takeover(t):
    ph = Phase(t, "takeover", queue="claim_idle_ms = 1500", extra="[limits]\nmax_script_ms = 3000\n")
    n = ph.submit([write_slow(ph, 3)])
    a = ph.start_worker("a", "--jobs", "1")
    wait_for(lambda: ph.pending_of("takeover-a-0") == 1, 60, "worker a to hold a job")
    time.sleep(0.5)
    a.send_signal(signal.SIGKILL)
    a.wait()
    b = ph.start_worker("b", "--jobs", "1", "--drain")
    ph.wait_workers(timeout=300)
    by_job = ph.results_by_job()
    check(len(by_job) == n and all(sum(1 for d, _ in v if not d) == 1 for v in by_job.values()),
          f"takeover: {len(by_job)} of {n} jobs have exactly one result")
    taken = [json.loads(f["report"])["job"] for v in by_job.values() for d, f in v if not d]
    check(any(j["delivery"] == 2 and j["worker"] == "takeover-b-0" for j in taken),
          f"takeover: no result says it was the job's second delivery: {taken}")
    check("took over job" in ph.log(b), "takeover: worker b did not log the takeover")
    check(ph.xlen(ph.stream) == 0 and ph.xlen(ph.dead) == 0, "takeover: jobs left or dead-lettered")


def phase_duplicate(t):
    ph = Phase(t, "duplicate", queue="claim_idle_ms = 1000", extra="[limits]\nmax_script_ms = 2000\n")
    n = ph.submit([write_slow(ph, 1)])
    a = ph.start_worker("a", "--jobs", "1", "--no-isolate")
    wait_for(lambda: ph.pending_of("duplicate-a-0") == 1, 60, "worker a to hold the job")
    a.send_signal(signal.SIGSTOP)  # alive but silent: its heartbeat stops too
    b = ph.start_worker("b", "--jobs", "1", "--drain")
    wait_for(lambda: b.poll() is not None, 120, "worker b to finish the job and drain")
    a.send_signal(signal.SIGCONT)
    wait_for(lambda: ph.stats().get("duplicates", 0) == 1, 60, "worker a's late result")
    a.send_signal(signal.SIGTERM)
    check(a.wait(timeout=60) == 0, f"duplicate: worker a exited {a.returncode} on SIGTERM")
    by_job = ph.results_by_job()
    (job, rs), = by_job.items()
    check(n == 1 and sorted(d for d, _ in rs) == [False, True], f"duplicate: results {[(d, f['worker']) for d, f in rs]}")
    check(ph.stats() == {"results": 1, "duplicates": 1}, f"duplicate: stats {ph.stats()}")
    r = ph.sluice("results")
    check(len(r.stdout.decode().splitlines()) == 1 and b"1 duplicates (not shown" in r.stderr,
          f"duplicate: results without --duplicates: {r.stdout[:200]} {r.stderr}")
    r = ph.sluice("results", "--duplicates")
    docs = [json.loads(l) for l in r.stdout.decode().splitlines()]
    import jsonschema
    with open(os.path.join(t.args.source, "docs", "report.schema.json")) as f:
        schema = jsonschema.Draft202012Validator(json.load(f))
    check(all(schema.is_valid(d) for d in docs), "duplicate: a marked result is not valid against the schema")
    check(len(docs) == 2 and sum(1 for d in docs if d.get("duplicate") is True) == 1,
          f"duplicate: --duplicates printed {[d.get('duplicate') for d in docs]}")
    ph.stop_all()


def phase_restart(t):
    ph = Phase(t, "restart")
    ham = os.path.join(t.args.source, "..", "shared", "corpora", "ham", "spamassassin-corpus")
    n = ph.submit([ham])
    ph.start_worker("a", "--jobs", "1", "--drain")
    ph.start_worker("b", "--jobs", "1", "--drain")
    wait_for(lambda: ph.stats().get("results", 0) >= n // 5, 300, "a fifth of the results")
    t.redis.kill()
    time.sleep(1.5)
    t.redis.start()
    ph.wait_workers(timeout=600)
    by_job = ph.results_by_job()
    check(len(by_job) == n and all(sum(1 for d, _ in v if not d) == 1 for v in by_job.values()),
          f"restart: {len(by_job)} of {n} jobs have exactly one result")
    logs = "".join(ph.log(p) for p in ph.workers)
    check("connected again" in logs, "restart: no worker logged its reconnection")
    # Jobs whose read reply the restart swallowed come back from the worker's own
    # pending history at once, not from a takeover claim_idle_ms later.
    check("took over job" not in logs, "restart: a job waited for a takeover")
    check(ph.xlen(ph.stream) == 0, "restart: jobs left")
    print(f"restart: {n} jobs, stats {ph.stats()}", flush=True)


def phase_poison(t):
    if not t.args.faults:
        check(not CI, "poison: sluice-with-faults was not built (SLUICE_FAULT_INJECTION)")
        return
    ph = Phase(t, "poison", queue="max_attempts = 2")
    d = os.path.join(ph.dir, "in")
    os.makedirs(d)
    with open(os.path.join(d, "crash.chm"), "wb") as f:
        f.write(b"ITSF SLUICE-FAULT:segv\n")
    shutil.copy(os.path.join(t.args.source, "tests", "fixtures", "campaigns", "benign_zip_docs.eml"), d)
    n = ph.submit([d])
    ph.start_worker("a", "--jobs", "1", "--drain", binary=t.args.faults)
    ph.wait_workers(timeout=300)
    dead = ph.entries(ph.dead)
    check(len(dead) == 1, f"poison: {len(dead)} dead letters")
    if dead:
        f = dead[0][1]
        check(f["name"].decode().endswith("crash.chm") and f["attempts"] == b"2" and
              b"engine.worker_crashed" in f["reason"] and f["data"].startswith(b"ITSF"),
              f"poison: dead letter {f}")
    by_job = ph.results_by_job()
    check(n == 2 and len(by_job) == 1, f"poison: {len(by_job)} results for {n} jobs")
    check(ph.stats().get("requeued") == 1 and ph.stats().get("dead_letters") == 1, f"poison: stats {ph.stats()}")
    r = ph.sluice("results", "--format", "jsonl")
    lines = [json.loads(l) for l in r.stdout.decode().splitlines()]
    check(sum(1 for l in lines if "dead_letter" in l) == 1, f"poison: sluice results: {lines}")


def phase_pressure(t):
    ph = Phase(t, "pressure", queue="max_queued = 5")
    src = os.path.join(t.args.source, "..", "shared", "corpora", "ham", "spamassassin-corpus")
    files = sorted(os.path.join(r, f) for r, _, fs in os.walk(src) for f in fs)[:20]
    check(len(files) == 20, f"pressure: {len(files)} ham files")
    d = os.path.join(ph.dir, "in")
    os.makedirs(d)
    for i, f in enumerate(files):
        shutil.copy(f, os.path.join(d, f"{i:02d}.eml"))
    cmd = [t.args.sluice, "submit", "--redis", t.redis.url(), "-c", ph.config, d]
    sub = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(lambda: ph.xlen(ph.stream) == 5, 60, "five queued jobs")
    time.sleep(1.0)
    check(sub.poll() is None and ph.xlen(ph.stream) == 5, "pressure: submit did not wait at max_queued")
    # Not --drain: the stream empties each time the worker catches up with submit.
    w = ph.start_worker("a", "--jobs", "2")
    out, err = sub.communicate(timeout=300)
    check(sub.returncode == 0 and out.startswith(b"submitted 20 jobs"), f"pressure: submit {sub.returncode} {out} {err}")
    check(b"waiting for workers" in err, "pressure: submit did not say it was waiting")
    wait_for(lambda: ph.stats().get("results", 0) == 20, 300, "twenty results")
    w.send_signal(signal.SIGTERM)
    check(w.wait(timeout=60) == 0, f"pressure: worker exited {w.returncode} on SIGTERM")
    check(len(ph.results_by_job()) == 20 and ph.xlen(ph.stream) == 0,
          f"pressure: {len(ph.results_by_job())} results of 20")


def phase_tls(t):
    tls = make_tls_files(t.root)
    secure = Redis(os.path.join(t.root, "tls-redis"), password="s3cret pass", tls=tls)
    os.makedirs(secure.dir, exist_ok=True)
    secure.start()
    try:
        ph = Phase(t, "tls", queue=f'tls_ca_file = "{tls["ca"]}"')
        url = secure.url(tls=True).replace("s3cret pass", "s3cret%20pass")
        n = ph.submit([os.path.join(t.args.source, "tests", "fixtures", "campaigns")], url=url)
        ph.start_worker("a", "--jobs", "2", "--drain", url=url)
        ph.wait_workers(timeout=300)
        c = secure.client()
        got = c.call("XLEN", ph.results)
        c.close()
        check(n > 0 and got == n, f"tls: {got} results for {n} jobs")
        # A wrong password and an unknown CA are one clear line each, not a retry loop.
        bad = ph.sluice("submit", os.path.join(t.args.source, "README.md"), url=url.replace("s3cret", "wrong"),
                        check_rc=False, timeout=60)
        check(bad.returncode == 2 and b"AUTH" in bad.stderr, f"tls: wrong password: {bad.returncode} {bad.stderr}")
        other = Phase(t, "tls-unknown-ca", queue=f'tls_ca_file = "{tls["cert"]}"')
        bad = other.sluice("submit", os.path.join(t.args.source, "README.md"), url=url, check_rc=False, timeout=60)
        check(bad.returncode == 2 and b"certificate" in bad.stderr.lower(),
              f"tls: unknown CA: {bad.returncode} {bad.stderr}")
    finally:
        secure.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sluice", required=True)
    ap.add_argument("--faults", default="", help="sluice-with-faults (SLUICE_FAULT_INJECTION)")
    ap.add_argument("--source", required=True)
    ap.add_argument("--only", default="", help="comma-separated phases")
    args = ap.parse_args()
    if args.faults and not os.path.exists(args.faults):
        args.faults = ""
    if not shutil.which("redis-server"):
        if CI:
            print("FAIL: redis-server is not installed (scripts/install-deps.sh)")
            return 1
        print("SKIP: redis-server is not installed")
        return 77
    t = Test(args)
    phases = {"main": phase_main, "takeover": phase_takeover, "duplicate": phase_duplicate,
              "restart": phase_restart, "poison": phase_poison, "pressure": phase_pressure, "tls": phase_tls}
    chosen = [p for p in args.only.split(",") if p] or list(phases)
    try:
        t.redis.start()
        for name in chosen:
            start = time.monotonic()
            try:
                phases[name](t)
            except Exception as e:  # a phase that cannot finish is a failure, and the rest still run
                check(False, f"{name}: {type(e).__name__}: {e}")
            print(f"phase {name}: {time.monotonic() - start:.1f} s", flush=True)
    finally:
        t.redis.stop()
        if FAILURES:
            print(f"keeping {t.root} for inspection; redis log tail:\n{t.redis.log()[-1500:]}")
        else:
            shutil.rmtree(t.root, ignore_errors=True)
    print(f"{len(FAILURES)} failures")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
