#!/usr/bin/env bash
# Queue throughput (issue 4, "Benchmarks"): no-op jobs enqueued, taken and acknowledged per second
# through the Redis backend with 1, 2 and 4 worker processes, beside redis-benchmark on the same
# redis-server in the same run (the goal: ≥ 25k jobs/s on a 2-core machine).
#
#   ops/bench/queue-bench.sh [--jobs N] [--workers "1 2 4"] [--slots S] [--prefetch K] [--binary PATH] [--keep]
#
# Builds the queue-bench executable in release (scratch dir .build-queue-bench), starts its own
# redis-server on a free loopback port (no persistence, as redis-benchmark's floor assumes), runs
# `redis-benchmark -q -t set -n 200000`, then for each worker count: P worker processes, each
# taking and acknowledging on S slots, and one enqueuer putting N jobs in one cycle; the time runs
# from the first enqueue until the cycle's last acknowledgement is durable in Redis.
#
#   --jobs N          jobs per run (default 200000)
#   --workers LIST    worker process counts (default "1 2 4")
#   --slots S         concurrent take/ack loops per worker process (default 64)
#   --prefetch K      jobs leased per take beyond the waiting slots (default 64)
#   --binary PATH     use this queue-bench binary; no build
#   --keep            keep the temporary directory (redis log)
set -euo pipefail

JOBS=200000
WORKERS="1 2 4"
SLOTS=64
PREFETCH=64
BINARY=""
KEEP=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --jobs) JOBS="$2"; shift 2 ;;
        --workers) WORKERS="$2"; shift 2 ;;
        --slots) SLOTS="$2"; shift 2 ;;
        --prefetch) PREFETCH="$2"; shift 2 ;;
        --binary) BINARY="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "queue-bench: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
for tool in redis-server redis-benchmark redis-cli python3; do
    command -v "$tool" >/dev/null || { echo "queue-bench: $tool not found (ops/install-deps.sh)" >&2; exit 1; }
done
say() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/queue-bench.XXXXXX")"
REDIS_PID=""
cleanup() {
    if [[ -n "$REDIS_PID" ]]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
    if [[ $KEEP == 1 ]]; then echo "queue-bench: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

if [[ -z "$BINARY" ]]; then
    say "building queue-bench (release)"
    (cd "$ROOT" && swift build -c release --scratch-path .build-queue-bench --product queue-bench >"$WORK/build.log" 2>&1) \
        || { tail -30 "$WORK/build.log" >&2; exit 1; }
    BINARY="$ROOT/.build-queue-bench/release/queue-bench"
fi

PORT="$(python3 "$ROOT/ops/bench/benchlib.py" freeport)"
redis-server --bind 127.0.0.1 --port "$PORT" --dir "$WORK" --save "" --appendonly no --daemonize no \
    --logfile "$WORK/redis.log" &
REDIS_PID=$!
for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
redis-cli -p "$PORT" ping >/dev/null || { echo "queue-bench: redis-server did not start" >&2; exit 1; }
URL="redis://127.0.0.1:$PORT"

say "redis-benchmark -q -t set -n 200000"
BENCH_OUT="$(redis-benchmark -h 127.0.0.1 -p "$PORT" -q -t set -n 200000 | tr '\r' '\n' | grep 'requests per second' | tail -1)"
echo "redis-benchmark: $BENCH_OUT"
SET_RATE="$(sed -E 's/^SET: ([0-9.]+) requests per second.*/\1/' <<<"$BENCH_OUT")"
redis-cli -p "$PORT" flushall >/dev/null

FAILED=0
for P in $WORKERS; do
    say "$P worker process(es) × $SLOTS slots, $JOBS jobs"
    if LINE="$("$BINARY" run --url "$URL" --jobs "$JOBS" --workers "$P" --slots "$SLOTS" --prefetch "$PREFETCH")"; then
        RATE="$(sed -E 's/.*jobs_per_s=([0-9]+).*/\1/' <<<"$LINE")"
        printf '%s ratio_to_redis_set=%.2f\n' "$LINE" "$(python3 -c "print($RATE / $SET_RATE)")"
    else
        echo "queue-bench: the run with $P worker(s) failed" >&2
        FAILED=1
    fi
    redis-cli -p "$PORT" flushall >/dev/null
done
echo "goal: ≥ 25000 jobs/s (enqueued + taken + acknowledged); redis-benchmark SET: $SET_RATE requests/s"
exit $FAILED
