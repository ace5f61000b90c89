#!/usr/bin/env bash
# Sluice vs clamscan vs the floor (bench/floor.cpp: read, base64-decode, SHA-256)
# on the same files, one thread each, best of RUNS runs, in one run of this
# script (issue #17). Prints the ratios, messages/s on the SpamAssassin ham,
# the slowest messages, two-thread scaling, peak memory and the cost of a
# one-file invocation. clamscan gets its cheapest configuration: a one-line
# hash database (no bytecode, no heuristics to load).
#   usage: bench/compare.sh [BUILD_DIR]     (default build/release; needs
#          SLUICE_BUILD_BENCH=ON there for sluice-floor, and clamscan)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
sluice="$build/sluice"
floor="$build/bench/sluice-floor"
for tool in "$sluice" "$floor"; do
  [ -x "$tool" ] || { echo "missing $tool: cmake -B $build -DSLUICE_BUILD_BENCH=ON && ninja -C $build" >&2; exit 2; }
done
command -v clamscan >/dev/null || { echo "clamscan not installed: apt-get install clamav" >&2; exit 2; }
corpora="${SLUICE_CORPORA:-../shared/corpora}"
[ -d "$corpora/ham" ] || { echo "no corpora at $corpora" >&2; exit 2; }
db="$(mktemp -d)"
trap 'rm -rf "$db"' EXIT
sigtool --sha256 tests/fixtures/pe/hello.exe > "$db/one.hsb"

python3 - "$sluice" "$floor" "$db/one.hsb" "$corpora" "${RUNS:-3}" <<'PY'
import json, os, subprocess, sys, time
sluice, floor, db, corpora, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
ham = sorted(os.path.join(corpora, "ham", d) for d in os.listdir(os.path.join(corpora, "ham")))
fixtures = sorted(os.path.join(d, f) for d in ("tests/fixtures/campaigns", "tests/fixtures/mail")
                  for f in os.listdir(d) if f.endswith(".eml"))
everything = ham + fixtures
sa = [os.path.join(corpora, "ham", "spamassassin-corpus")]

def count(paths):
    n = b = 0
    for p in paths:
        if os.path.isdir(p):
            for root, _, files in os.walk(p):
                for f in files:
                    n += 1; b += os.path.getsize(os.path.join(root, f))
        else:
            n += 1; b += os.path.getsize(p)
    return n, b

def best(cmd):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return min(times)

def sluice_cmd(paths, jobs=1):
    return [sluice, "scan", "-j", str(jobs), "--format", "jsonl", *paths]

n_all, b_all = count(everything)
n_sa, b_sa = count(sa)
clam = best(["clamscan", "--no-summary", "-r", "-d", db, "--max-recursion=32", *everything])
one = best(sluice_cmd(everything))
two = best(sluice_cmd(everything, 2))
flo = best([floor, *everything])
sa_sluice = best(sluice_cmd(sa))
sa_floor = best([floor, *sa])
sa_clam = best(["clamscan", "--no-summary", "-r", "-d", db, "--max-recursion=32", *sa])

print(f"files: {n_all} ({b_all / 1e6:.1f} MB): the ham folders and {len(fixtures)} fixture messages; best of {runs}")
print(f"  clamscan (one-line db)  {clam:7.2f} s")
print(f"  sluice -j 1             {one:7.2f} s   {n_all / one:7.0f} msg/s   clamscan/sluice {clam / one:5.2f}x")
print(f"  floor                   {flo:7.2f} s   sluice/floor {one / flo:5.2f}x")
print(f"  sluice -j 2             {two:7.2f} s   scaling {one / two:4.2f}x")
print(f"SpamAssassin ham: {n_sa} messages ({b_sa / 1e6:.1f} MB)")
print(f"  clamscan (one-line db)  {sa_clam:7.2f} s")
print(f"  sluice -j 1             {sa_sluice:7.2f} s   {n_sa / sa_sluice:7.0f} msg/s   clamscan/sluice {sa_clam / sa_sluice:5.2f}x"
      f"   sluice/floor {sa_sluice / sa_floor:5.2f}x")

# Peak memory of one -j 1 run over everything (its own rusage), and the
# slowest messages in it.
proc = subprocess.Popen(sluice_cmd(everything), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
out = proc.stdout.read()
_, _, usage = os.wait4(proc.pid, 0)
print(f"peak memory, sluice -j 1 over everything: {usage.ru_maxrss / 1024:.0f} MiB")
rows = []
for line in out.splitlines():
    try:
        d = json.loads(line)
    except ValueError:
        continue
    rows.append((d.get("elapsed_ms", 0), d.get("input", "?")))
rows.sort(reverse=True)
print("slowest messages (ms):")
for ms, name in rows[:8]:
    print(f"  {ms:8.1f}  {name}")
print(f"  messages above 50 ms: {sum(1 for ms, _ in rows if ms > 50)} of {len(rows)}")

single = min((lambda t: (subprocess.run([sluice, "scan", "tests/fixtures/mail/benign.eml"], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL), time.perf_counter() - t)[1])(time.perf_counter())
             for _ in range(max(runs, 10)))
print(f"one-file invocation (engine start-up included): {single * 1000:.1f} ms")
PY
