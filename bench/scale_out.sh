#!/usr/bin/env bash
# The queue's cost (docs/scale-out.md): 1, 2 and 4 `sluice worker` processes
# (one consumer each, sandboxed) draining the same jobs from a private
# redis-server (AOF, fsync every second, as docs/scale-out.md recommends),
# beside `sluice scan -j N --isolate --workers N` over the same files on the
# same cores. Set: every shared ham folder (4,664 messages, 52 MB) plus the
# campaign fixtures. Prints, per N: scan seconds, queue seconds (first worker
# start to last worker exit; submit is timed apart), the ratio, and the
# queue's added cost per message. Goal: queue ≥ 90 % of scan's throughput.
#   usage: bench/scale_out.sh [SLUICE_BINARY] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
sluice="$(realpath "${1:-build/release/sluice}")"
runs="${2:-3}"
ham="../shared/corpora/ham"
[ -d "$ham" ] || { echo "scale_out.sh: $ham missing" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "scale_out.sh: redis-server missing (scripts/install-deps.sh)" >&2; exit 2; }
tmp="$(mktemp -d)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# REDIS_AOF_MIN: auto-aof-rewrite-min-size, 1gb as docs/scale-out.md
# recommends. A run writes ~70 MB of jobs and results, so with Redis's
# default (REDIS_AOF_MIN=64mb) Redis rewrites its whole AOF (a fork
# compressing the data set) in the middle of every run: one rewrite per
# ~4,000 messages, which costs 12-25 % of the queue's throughput here.
redis-server --port "$port" --bind 127.0.0.1 --dir "$tmp" --appendonly yes --appendfsync everysec --save '' \
  --auto-aof-rewrite-min-size "${REDIS_AOF_MIN:-1gb}" --daemonize no --logfile "$tmp/redis.log" &
rpid=$!
trap 'kill $rpid 2>/dev/null; wait $rpid 2>/dev/null; rm -rf "$tmp"' EXIT
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done
url="redis://127.0.0.1:$port"
set_paths=("$ham" tests/fixtures/campaigns)
now() { date +%s.%N; }

# One measurement: N scanners, optionally pinned (taskset) to the cores
# given, Redis wherever it runs.
measure() {
  local n="$1" run="$2" label="$3"; shift 3
  local pin=("$@")
    # Every measurement starts from an empty Redis with a compacted AOF: the
    # earlier runs' AOF would otherwise trigger a background rewrite (a fork
    # copying it) during the later ones, a cost of the bench's history.
    redis-cli -p "$port" FLUSHALL >/dev/null
    redis-cli -p "$port" BGREWRITEAOF >/dev/null
    while redis-cli -p "$port" INFO persistence | grep -q 'aof_rewrite_in_progress:1\|aof_rewrite_scheduled:1'; do
      sleep 0.1
    done
    s0=$(now)
    "${pin[@]}" "$sluice" scan -q --no-progress --format jsonl -j "$n" --isolate --workers "$n" "${set_paths[@]}" >/dev/null 2>&1 || true
    s1=$(now)
    stream="bench:$label:$run"
    printf '[queue]\nstream = "%s:jobs"\nresults = "%s:results"\ndead_letters = "%s:dead"\nmax_queued = 100000\n' \
      "$stream" "$stream" "$stream" > "$tmp/q.toml"
    # INLINE_MAX=0: every message travels by path (storage the workers share).
    [ -n "${INLINE_MAX:-}" ] && printf 'inline_max_bytes = %s\n' "$INLINE_MAX" >> "$tmp/q.toml"
    q0=$(now)
    jobs=$("$sluice" submit --redis "$url" -c "$tmp/q.toml" "${set_paths[@]}" | awk '{print $2}')
    q1=$(now)
    pids=()
    for w in $(seq 1 "$n"); do
      "${pin[@]}" "$sluice" worker --redis "$url" -c "$tmp/q.toml" --jobs 1 --drain --name "w$w" 2>>"$tmp/workers.log" &
      pids+=($!)
    done
    wait "${pids[@]}"
    q2=$(now)
    got=$(redis-cli -p "$port" XLEN "$stream:results")
    [ "$got" = "$jobs" ] || { echo "scale_out.sh: $got results for $jobs jobs" >&2; exit 1; }
    redis-cli -p "$port" DEL "$stream:jobs" "$stream:results" >/dev/null
    python3 -c "
import sys
s0, s1, q0, q1, q2, jobs, n, run, label = sys.argv[1:]
scan, queue, submit, jobs = float(s1)-float(s0), float(q2)-float(q1), float(q1)-float(q0), int(jobs)
print(f'{label:5s} {run:4s} {scan:9.2f} {queue:9.2f} {scan/queue:8.2f} {submit:9.2f} {1000*(queue-scan)*int(n)/jobs:12.3f}')
" "$s0" "$s1" "$q0" "$q1" "$q2" "$jobs" "$n" "$run" "$label" | tee -a "$tmp/rows"
}

printf '%-5s %-4s %9s %9s %8s %9s %12s\n' N run scan_s queue_s ratio submit_s added_ms_msg
for n in ${BENCH_N:-1 2 4}; do
  for run in $(seq 1 "$runs"); do measure "$n" "$run" "$n"; done
done
# As deployed, Redis on a machine of its own: here, a core of its own, the
# scanners (sluice scan, or the workers) on the others.
cores=$(nproc)
if [ "$cores" -ge 2 ]; then
  taskset -pc "$((cores - 1))" "$rpid" >/dev/null
  n=$((cores - 1))
  for run in $(seq 1 "$runs"); do measure "$n" "$run" "${n}r" taskset -c "0-$((cores - 2))"; done
fi
# Best of the runs, each side on its own (this machine is shared and noisy).
python3 - "$tmp/rows" <<'PY'
import sys
best = {}
for line in open(sys.argv[1]):
    label, _, scan, queue = line.split()[:4]
    b = best.setdefault(label, [1e9, 1e9])
    b[0], b[1] = min(b[0], float(scan)), min(b[1], float(queue))
print("best of runs:", ", ".join(f"N={k}: scan {s:.2f} s, queue {q:.2f} s, ratio {s / q:.2f}" for k, (s, q) in best.items()))
PY
echo "Redis auto-aof-rewrite-min-size: ${REDIS_AOF_MIN:-1gb}; inline_max_bytes: ${INLINE_MAX:-the default}"
echo "jobs per run: $jobs (ratio = scan_s / queue_s: the queue's share of scan's throughput;"
echo " Nr: Redis pinned to a core of its own, the scanners to the others)"
