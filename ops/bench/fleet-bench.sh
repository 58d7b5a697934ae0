#!/usr/bin/env bash
# The fleet on the sync engine benchmark's workload (issue 4, "Benchmarks"): 1 vs 3 worker processes,
# beside the embedded `docker-sync sync` in the same run.
#
#   ops/bench/fleet-bench.sh [--tags N] [--big-mib N] [--workers "1 3"] [--concurrency N] [--repeat N] [--rev REV | --binary PATH]
#                            [--storage tmpfs|disk] [--keep]
#
# Builds docker-sync in release as sync-bench.sh does (scratch dir .build-bench), starts its own
# redis-server (free loopback port, AOF on as a fleet would run it) and docker-registry instances, seeds
# the source with sync-bench's workload (N tiny tags in bench/many, one big layer in bench/big), then:
#   embedded   `docker-sync sync` of bench/many, then of bench/big, into a fresh registry: cold, then no-op
#   fleet×P    for each P: a fresh target registry and key prefix (redis.prefix bench-P; bench-P-K in
#              round K > 1), P `docker-sync worker --config CFG` processes, then `docker-sync scheduler
#              --config CFG --once` timed twice (cold, then a no-op cycle); the workers are stopped with SIGTERM
# After each cold run every tag is checked by HEAD on the target and a sample by skopeo inspect --raw |
# sha256sum against the source; a wrong digest, a failed command or a worker that does not stop (or
# exits non-zero) after SIGTERM fails the run. Reported, not fatal: worker/scheduler log warnings and
# errors, jobs sent back to the queue, what the fleet left in Redis (leases, pending, delayed, dead, job
# hashes, registry slots, claims, workers still listed), and how long a finished scheduler's leader lease
# outlives it (waited out before the no-op cycle, which would otherwise time the lease).
#
#   --tags N         tags in bench/many (default 300); 0 leaves the image out
#   --big-mib N      size of bench/big's layer in MiB (default 256); 0 leaves the image out
#   --workers LIST   worker process counts (default "1 3")
#   --concurrency N  jobs in flight per process: `sync --concurrency`, `worker --concurrency` (default:
#                    docker-sync's own, sync.concurrency in the config)
#   --repeat N       rounds of all modes, interleaved, each into fresh targets and prefixes (default 1);
#                    the table shows medians
#   --rev REV        build that commit (git archive into .build-bench-src) instead of the working tree
#   --binary PATH    use this docker-sync binary; no build
#   --storage S      where the registries keep blobs: tmpfs (default; /dev/shm) or disk (see sync-bench.sh)
#   --keep           keep the temporary directory (configs, worker/scheduler logs, redis and registry logs)
set -euo pipefail

TAGS=300
BIG_MIB=256
WORKERS="1 3"
CONCURRENCY=""
REV=""
BINARY=""
KEEP=0
REPEAT=1
STORAGE=tmpfs
while [[ $# -gt 0 ]]; do
    case "$1" in
        --tags) TAGS="$2"; shift 2 ;;
        --big-mib) BIG_MIB="$2"; shift 2 ;;
        --workers) WORKERS="$2"; shift 2 ;;
        --concurrency) CONCURRENCY="$2"; shift 2 ;;
        --rev) REV="$2"; shift 2 ;;
        --binary) BINARY="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --repeat) REPEAT="$2"; shift 2 ;;
        --storage) STORAGE="$2"; shift 2 ;;
        -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
        *) echo "fleet-bench: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done
[[ "$TAGS" =~ ^[0-9]+$ && "$BIG_MIB" =~ ^[0-9]+$ && "$WORKERS" =~ ^[1-9][0-9]*( [1-9][0-9]*)*$ ]] \
    || { echo "fleet-bench: --tags and --big-mib take numbers, --workers a list of positive numbers" >&2; exit 2; }
[[ -z "$CONCURRENCY" || "$CONCURRENCY" =~ ^[1-9][0-9]*$ ]] || { echo "fleet-bench: --concurrency takes a number" >&2; exit 2; }
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || { echo "fleet-bench: --repeat takes a positive number" >&2; exit 2; }
(( TAGS + BIG_MIB > 0 )) || { echo "fleet-bench: nothing to sync (--tags 0 --big-mib 0)" >&2; exit 2; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH=fleet-bench
# shellcheck source=ops/bench/benchlib.sh
source "$ROOT/ops/bench/benchlib.sh"
for tool in docker-registry redis-server redis-cli skopeo curl python3 sha256sum; do
    command -v "$tool" >/dev/null || { echo "fleet-bench: $tool not found (ops/install-deps.sh)" >&2; exit 1; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/fleet-bench.XXXXXX")"
REDIS_PID=""
WORKER_PIDS=()
cleanup() {
    local rc=$? pid
    for pid in "${WORKER_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    for pid in "${WORKER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [[ -n "$REDIS_PID" ]]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
    stop_registries
    if [[ $KEEP == 1 || $rc != 0 ]]; then echo "fleet-bench: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$WORK/logs" "$WORK/redis"
choose_storage
RESULTS="$WORK/results.jsonl"

build_docker_sync

# -- services ----------------------------------------------------------------------------------------
REDIS_PORT="$("${LIB[@]}" freeport)"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK/redis" --save "" --appendonly yes \
    --daemonize no --logfile "$WORK/redis/redis.log" &
REDIS_PID=$!
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || { tail -5 "$WORK/redis/redis.log" >&2; die "redis-server did not start"; }
start_registry src; SRC="$REGISTRY"
say "redis-server 127.0.0.1:$REDIS_PORT (pid $REDIS_PID), source registry $SRC, registry storage $STORAGE ($STORAGE_ROOT)"
seed_workload "$SRC" "$TAGS" "$BIG_MIB"

REPOS=()
[[ $TAGS -gt 0 ]] && REPOS+=(bench/many)
[[ $BIG_MIB -gt 0 ]] && REPOS+=(bench/big)
printf '{"kind": "meta", "tags": %s, "big_mib": %s, "concurrency": "%s", "binary": "%s", "cores": %s, "redis": "%s", "storage": "%s"}\n' \
    "$TAGS" "$BIG_MIB" "$CONCURRENCY" "$BIN" "$(nproc)" "redis-server $(redis-server --version | sed -E 's/.*v=([0-9.]+).*/\1/'), AOF everysec" "$STORAGE" >>"$RESULTS"
CONC_ARGS=()
[[ -n "$CONCURRENCY" ]] && CONC_ARGS=(--concurrency "$CONCURRENCY")

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# verify TARGET: every tag by HEAD, a sample by skopeo inspect --raw against the source.
verify() {
    local target="$1" repo
    for repo in "${REPOS[@]}"; do
        "${LIB[@]}" verify "$WORK/seed.json" "$target" "$repo" >&2 || die "target $target: digests differ from the source ($repo)"
        check_sample "$repo" 8 "$SRC" "$target"
    done
    say "digests verified on $target (every tag by HEAD; 8 sampled tags per repository by skopeo inspect --raw on source and target)"
}

# queue_state PREFIX: counts of what the fleet's keys hold; "BUG?" in front when anything is left over.
queue_state() {
    local tag="{$1}" k n out="" left=0 pending=0 slots=0 claims=0 jobs=0
    rcli() { redis-cli -p "$REDIS_PORT" --raw "$@"; }
    for k in leases delayed dead; do
        n="$(rcli zcard "$tag:$k")"; out+="$k $n, "; [[ $n == 0 ]] || left=1
    done
    while read -r k; do [[ -n "$k" ]] && pending=$((pending + $(rcli llen "$k"))); done < <(rcli --scan --pattern "$tag:pending:*")
    while read -r k; do [[ -n "$k" ]] && slots=$((slots + $(rcli zcard "$k"))); done < <(rcli --scan --pattern "$tag:slots:*")
    claims="$(rcli --scan --pattern "$tag:claim:*" | grep -c . || true)"
    jobs="$(rcli --scan --pattern "$tag:job:*" | grep -c . || true)"
    (( pending + slots + claims + jobs > 0 )) && left=1
    out+="pending $pending, job hashes $jobs, registry slot holders $slots, transfer claims $claims"
    [[ $left == 1 ]] && out="BUG? $out"
    echo "$out"
}

# measure MODE WORKLOAD TARGET_NAME REP [--cpu NAME:PID]... -- CMD...
measure() {
    local mode="$1" workload="$2" target="$3" rep="$4" log
    shift 4
    log="$WORK/logs/${mode//×/x}-${workload// /-}-r$rep.log"
    local opts=()
    while [[ "$1" != "--" ]]; do opts+=("$1"); shift; done
    shift
    "${LIB[@]}" run --results "$RESULTS" --workload "$workload" --tool "$mode" --rep "$rep" \
        --registry "$WORK/src" --registry "$WORK/$target" "${opts[@]}" --log "$log" -- "$@" \
        || { tail -20 "$log" >&2; die "$mode $workload: $1 ${2:-} failed (log: $log)"; }
}

# -- embedded ----------------------------------------------------------------------------------------
# run_embedded REP: `docker-sync sync` of each image, cold then no-op, into a fresh registry.
run_embedded() {
    local rep="$1" phase repo load_before
    start_registry "embedded-$rep"; local emb="$REGISTRY"
    say "embedded (round $rep): docker-sync sync per image into $emb, cold then no-op"
    load_before="$(loadavg)"
    for phase in cold no-op; do
        for repo in "${REPOS[@]}"; do
            measure embedded "${repo#bench/} $phase" "embedded-$rep" "$rep" -- "$BIN" sync -s "$SRC/$repo" -t "$emb/$repo" "${CONC_ARGS[@]}"
        done
        if [[ $phase == cold ]]; then verify "$emb"; fi
    done
    printf '{"kind": "mode", "tool": "embedded", "rep": %s, "processes": 1, "load_before": "%s", "load_after": "%s"}\n' \
        "$rep" "$load_before" "$(loadavg)" >>"$RESULTS"
}

# -- fleet -------------------------------------------------------------------------------------------
# status_field CFG FIELD: the first word after "FIELD:" in `docker-sync status`.
status_field() { "$BIN" status --config "$1" 2>/dev/null | awk -v f="$2:" '$1 == f {print $2}'; }

# run_fleet P REP: P workers on a fresh prefix and a fresh target registry; a cold and a no-op cycle.
run_fleet() {
    local P="$1" rep="$2" mode="fleet×$1" name="fleet$1-$2" prefix="bench-$1" i pid rc alive leader
    [[ $rep == 1 ]] || prefix="bench-$P-$rep"
    start_registry "$name"; local tgt="$REGISTRY" cfg="$WORK/$name.yaml"
    {
        echo "logging: {level: info, format: text, output: stderr}"
        echo "redis: {url: \"redis://127.0.0.1:$REDIS_PORT\", prefix: $prefix}"
        echo "sync:"
        echo "  interval: 1h"
        echo "  images:"
        for repo in "${REPOS[@]}"; do
            echo "    - {source: \"$SRC/$repo\", targets: [\"$tgt/$repo\"]}"
        done
    } >"$cfg"
    say "$mode (round $rep): $P worker process(es) on prefix $prefix, target $tgt"
    local load_before; load_before="$(loadavg)"
    WORKER_PIDS=()
    for i in $(seq "$P"); do
        "$BIN" worker --config "$cfg" "${CONC_ARGS[@]}" >"$WORK/logs/$name-worker$i.log" 2>&1 &
        WORKER_PIDS+=("$!")
    done
    # Wait until every worker has sent its first heartbeat, so the cycle does not time their start-up.
    alive=0
    for _ in $(seq 200); do
        alive="$(status_field "$cfg" workers)" || true
        [[ "${alive:-0}" -ge "$P" ]] && break
        for pid in "${WORKER_PIDS[@]}"; do
            kill -0 "$pid" 2>/dev/null || { tail -20 "$WORK/logs/$name-worker"*.log >&2; die "$mode: a worker exited at start-up"; }
        done
        sleep 0.05
    done
    [[ "${alive:-0}" -ge "$P" ]] || die "$mode: only ${alive:-0} of $P workers showed up in docker-sync status"
    local cpu_args=(--cpu "redis:$REDIS_PID")
    for i in $(seq "$P"); do cpu_args+=(--cpu "worker$i:${WORKER_PIDS[$((i - 1))]}"); done

    measure "$mode" cold "$name" "$rep" "${cpu_args[@]}" -- "$BIN" scheduler --config "$cfg" --once
    "$BIN" status --config "$cfg" >"$WORK/logs/$name-status-after-cold.txt" 2>&1 || true
    verify "$tgt"
    # A scheduler that exits should hand its leadership back; one that does not makes the next scheduler
    # (the no-op cycle here, or a standby) wait out the leader lease (redis.leasettl, 30 s by default).
    # Time how long the finished scheduler's lease stays, and wait it out, so the no-op figure is the cycle's.
    local wait_start leader_wait
    wait_start="$(date +%s.%N)"
    leader="none"
    for _ in $(seq 700); do
        leader="$(status_field "$cfg" leader)" || true
        [[ "$leader" == "none" ]] && break
        sleep 0.1
    done
    [[ "$leader" == "none" ]] || die "$mode: the leader lease of the finished scheduler ($leader) is still held after 70 s"
    leader_wait="$(python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$wait_start" "$(date +%s.%N)")"
    if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 1 else 1)" "$leader_wait"; then
        say "$mode: BUG? the finished \`scheduler --once\` left its leader lease behind for $leader_wait s; a new scheduler waits that long"
    fi
    measure "$mode" no-op "$name" "$rep" "${cpu_args[@]}" -- "$BIN" scheduler --config "$cfg" --once
    "$BIN" status --config "$cfg" >"$WORK/logs/$name-status-after-noop.txt" 2>&1 || true
    local workers_json; workers_json="$("${LIB[@]}" procstat "${WORKER_PIDS[@]}")"

    # Graceful stop: SIGTERM, then up to 60 s.
    local stop_start stop_s exits=()
    stop_start="$(date +%s.%N)"
    for pid in "${WORKER_PIDS[@]}"; do kill -TERM "$pid"; done
    for pid in "${WORKER_PIDS[@]}"; do
        for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
            die "$mode: worker $pid did not stop within 60 s of SIGTERM"
        fi
        rc=0; wait "$pid" || rc=$?
        exits+=("$rc")
    done
    stop_s="$(python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 2))" "$stop_start" "$(date +%s.%N)")"
    WORKER_PIDS=()

    # What the fleet left in Redis once the cycles finished and the workers stopped: nothing should be
    # leased, pending, delayed, dead, holding a registry slot or a transfer claim, and no job hash should
    # remain (the leader key is left out: see the lease check above).
    local state alive_after
    state="$(queue_state "$prefix")"
    alive_after="$(status_field "$cfg" workers)" || true
    state+="; \`docker-sync status\` right after the stop: ${alive_after:-?} workers alive"
    [[ "${alive_after:-0}" == 0 ]] || state+=" (BUG? stopped workers do not leave the registry; they show until their heartbeat lapses)"
    say "$mode: left in Redis: $state"

    # Warnings and errors the workers and the schedulers logged (text format: "HH:MM:SS WRN …").
    local logs=("$WORK/logs/$name-worker"*.log "$WORK/logs/${mode//×/x}-"*"-r$rep.log") warnings errors retries deferred attempts http429 log_text
    warnings="$(cat "${logs[@]}" | grep -cE '^[^ ]+ WRN ' || true)"
    errors="$(cat "${logs[@]}" | grep -cE '^[^ ]+ (ERR|FTL) |^error:' || true)"
    retries="$(redis-cli -p "$REDIS_PORT" --raw hget "{$prefix}:stats" retries)"; retries="${retries:-0}"
    deferred="$(cat "${logs[@]}" | grep -c 'rate limited' || true)"
    attempts="$(cat "${logs[@]}" | grep -c 'job failed (attempt' || true)"
    http429="$(cat "$WORK/src/registry.log" "$WORK/$name/registry.log" | grep -cE '" 429 ' || true)"
    log_text="logs: $warnings warning and $errors error lines; $retries jobs sent back to the queue: $attempts after a failed attempt, $deferred logged as 'rate limited' (the registries answered 429 $http429 times), the rest deferred (fleet-wide per-registry slot cap, or a blob another worker copies)"
    if (( warnings + errors > 0 )); then
        say "$mode: the logs hold $warnings warning and $errors error lines; the first:"
        grep -hE '^[^ ]+ (WRN|ERR|FTL) |^error:' "${logs[@]}" | head -10 >&2
    fi
    printf '{"kind": "mode", "tool": "%s", "rep": %s, "processes": %s, "load_before": "%s", "load_after": "%s", "workers": %s, "exits": [%s], "stop_s": %s, "leader_left_s": %s, "log": "%s", "redis_state": "%s", "retries": %s}\n' \
        "$mode" "$rep" "$P" "$load_before" "$(loadavg)" "$workers_json" "$(IFS=,; echo "${exits[*]}")" "$stop_s" "$leader_wait" "$log_text" "$state" "$retries" >>"$RESULTS"
    for rc in "${exits[@]}"; do [[ $rc == 0 ]] || die "$mode: a worker exited with status $rc after SIGTERM (logs: $WORK/logs/$name-worker*.log)"; done
}

# -- runs: the modes interleaved, REPEAT rounds ---------------------------------------------------------
for rep in $(seq "$REPEAT"); do
    run_embedded "$rep"
    for P in $WORKERS; do run_fleet "$P" "$rep"; done
done

"${LIB[@]}" fleettable "$RESULTS"
