#!/usr/bin/env python3
"""Seeds for fuzz_queue_reply: RESP replies as Redis 7 sends them to
`sluice worker` (XREADGROUP, XAUTOCLAIM, XPENDING) and `sluice results`
(XREAD of results and dead letters), with the job and result fields of
docs/scale-out.md. Run from the repository root."""
import os

OUT = "fuzz/seeds/queue_reply"


def enc(v):
    if v is None:
        return b"$-1\r\n"
    if isinstance(v, int):
        return b":%d\r\n" % v
    if isinstance(v, list):
        return b"*%d\r\n" % len(v) + b"".join(enc(x) for x in v)
    b = v if isinstance(v, bytes) else v.encode()
    return b"$%d\r\n%s\r\n" % (len(b), b)


def entry(eid, fields):
    flat = []
    for k, v in fields:
        flat += [k, v]
    return [eid, flat]


mail = b"From: a@example.org\r\nSubject: invoice\r\n\r\nsee attached\r\n"
inline_job = entry("1733300000000-0", [("id", "7f3a9c2e11aa-1"), ("name", "box.mbox#1"), ("data", mail),
                                       ("attempts", "0"), ("submitted_ms", "1733300000000")])
path_job = entry("1733300000000-1", [("id", "7f3a9c2e11aa-2"), ("name", "/srv/mail/big.eml"),
                                     ("path", "/srv/mail/big.eml"), ("offset", "0"), ("length", "9000000"),
                                     ("size", "9000000"), ("mtime_ns", "1733299999123456789"), ("cut", "1"),
                                     ("attempts", "1"), ("failure", "engine.worker_crashed: signal 11")])
seeds = {
    "xreadgroup": b"redis://:pw@127.0.0.1:6379/0\n" + enc([["sluice:jobs", [inline_job, path_job]]]),
    "xautoclaim": enc(["0-0", [inline_job], []]),
    "xautoclaim_deleted": enc(["0-0", [["1733300000000-5", None]], ["1733300000000-5"]]),
    "xpending": enc([["1733300000000-0", "host-12-0", 31000, 2]]),
    "xread_results": enc([["sluice:results", [entry("1733300000100-0", [
        ("duplicate", "0"), ("job", "7f3a9c2e11aa-1"), ("name", "box.mbox#1"), ("verdict", "malicious"),
        ("score", "135"), ("worker", "host-12-0"), ("report", '{"verdict":"malicious","job":{"id":"x"}}')])]],
        ["sluice:dead", [entry("1733300000200-0", [("job", "7f3a9c2e11aa-9"), ("name", "crash.chm"),
                                                    ("reason", "engine.worker_crashed: signal 11"),
                                                    ("attempts", "3"), ("data", "ITSF SLUICE-FAULT:segv\n")])]]]),
    "errors": b"-NOGROUP No such key 'sluice:jobs' or consumer group\r\n-LOADING Redis is loading\r\n:1\r\n+OK\r\n",
    "bad_numbers": enc([["s", [entry("1-0", [("id", "j"), ("data", "x"), ("attempts", "-1"), ("offset", "1e9")])]]]),
}
os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print(f"{len(seeds)} seeds in {OUT}")
