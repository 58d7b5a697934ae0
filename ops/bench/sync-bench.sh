#!/usr/bin/env bash
# docker-sync vs skopeo sync vs the raw floor, on local docker-registry instances (issue 3, "Benchmark").
#
#   ops/bench/sync-bench.sh [--tags N] [--big-mib N] [--concurrency N] [--rev REV | --binary PATH] [--repeat N]
#                           [--storage tmpfs|disk] [--no-skopeo] [--keep]
#
# Builds docker-sync in release (scratch dir .build-bench), starts docker-registry instances on free
# loopback ports (source, docker-sync targets, skopeo targets, a floor target), seeds the source with
# N tags of tiny images (bench/many) and one image with one big layer (bench/big), then times, in this run:
#   docker-sync sync -s SRC/REPO -t DST/REPO                  cold (empty target), then no-op
#   skopeo sync --all --preserve-digests … SRC/REPO DST/bench  cold (fresh target), then no-op
# Cold runs are repeated (--repeat), each into a fresh registry, docker-sync and skopeo interleaved; the
# table shows medians.
#   curl GET blob | curl PUT (POST, then PUT ?digest=)         the floor for the big layer
# It checks the target digests after the cold runs (all tags by HEAD, a sample by skopeo inspect --raw)
# and fails on a wrong digest or a failed command; it reports missed targets without failing.
#
#   --tags N         tags in bench/many (default 300); 0 skips the workload
#   --big-mib N      size of bench/big's layer in MiB (default 256); 0 skips the workload
#   --concurrency N  passed to docker-sync sync (default: docker-sync's own default)
#   --rev REV        build that commit (git archive into .build-bench-src) instead of the working tree
#   --binary PATH    use this docker-sync binary; no build
#   --repeat N       cold runs of each tool (and floor uploads), interleaved (default 5; medians)
#   --storage S      where the registries keep blobs: tmpfs (default; /dev/shm) or disk (under $TMPDIR).
#                    On disk, distribution's fsyncs (about 14 per blob) dominate the many-tags workload and
#                    slow down as the disk falls behind over consecutive runs: the figures then measure the disk
#   --no-skopeo      time docker-sync (and the floor) only, for quick iterations; no ratios to skopeo
#   --keep           keep the temporary directory (registry logs, per-run logs, results.jsonl)
set -euo pipefail

TAGS=300
BIG_MIB=256
CONCURRENCY=""
REV=""
BINARY=""
KEEP=0
SKOPEO=1
REPEAT=5
STORAGE=tmpfs
while [[ $# -gt 0 ]]; do
    case "$1" in
        --tags) TAGS="$2"; shift 2 ;;
        --big-mib) BIG_MIB="$2"; shift 2 ;;
        --concurrency) CONCURRENCY="$2"; shift 2 ;;
        --rev) REV="$2"; shift 2 ;;
        --binary) BINARY="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --no-skopeo) SKOPEO=0; shift ;;
        --repeat) REPEAT="$2"; shift 2 ;;
        --storage) STORAGE="$2"; shift 2 ;;
        -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
        *) echo "sync-bench: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done
[[ "$TAGS" =~ ^[0-9]+$ && "$BIG_MIB" =~ ^[0-9]+$ && "$REPEAT" =~ ^[1-9][0-9]*$ ]] \
    || { echo "sync-bench: --tags, --big-mib and --repeat take numbers" >&2; exit 2; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH=sync-bench
# shellcheck source=ops/bench/benchlib.sh
source "$ROOT/ops/bench/benchlib.sh"
for tool in docker-registry skopeo curl python3 sha256sum; do
    command -v "$tool" >/dev/null || { echo "sync-bench: $tool not found (ops/install-deps.sh)" >&2; exit 1; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sync-bench.XXXXXX")"
cleanup() {
    stop_registries
    if [[ $KEEP == 1 ]]; then echo "sync-bench: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$WORK/logs"
choose_storage
RESULTS="$WORK/results.jsonl"

# -- build -------------------------------------------------------------------------------------------
build_docker_sync

# -- registries --------------------------------------------------------------------------------------
start_registry src;   SRC="$REGISTRY"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
say "registries: source $SRC; storage $STORAGE ($STORAGE_ROOT)"

# -- seed --------------------------------------------------------------------------------------------
seed_workload "$SRC" "$TAGS" "$BIG_MIB"

# -- runs --------------------------------------------------------------------------------------------
BLOB_INFO_CACHES=(/var/lib/containers/cache/blob-info-cache-v1.boltdb "$HOME/.local/share/containers/cache/blob-info-cache-v1.boltdb")
DS_ARGS=()
[[ -n "$CONCURRENCY" ]] && DS_ARGS=(--concurrency "$CONCURRENCY")
printf '{"kind": "meta", "tags": %s, "big_mib": %s, "concurrency": "%s", "binary": "%s", "storage": "%s", "repeat": %s}\n' \
    "$TAGS" "$BIG_MIB" "$CONCURRENCY" "$BIN" "$STORAGE" "$REPEAT" >>"$RESULTS"

# measure WORKLOAD TOOL TARGET_NAME CMD...: times CMD; counts the requests source and target served and
# the CPU time they spent.
measure() {
    local workload="$1" tool="$2" target="$3"; shift 3
    [[ $tool == skopeo ]] && rm -f "${BLOB_INFO_CACHES[@]}"
    "${LIB[@]}" run --results "$RESULTS" --workload "$workload" --tool "$tool" \
        --registry "$WORK/src" --registry "$WORK/$target" \
        --log "$WORK/logs/$tool-${workload// /-}.log" -- "$@" \
        || { tail -20 "$WORK/logs/$tool-${workload// /-}.log" >&2; die "$tool failed on $workload"; }
}

# check_digests REPO DS_TARGET... [-- SKOPEO_TARGET...]: every tag by HEAD on every target; a sample by
# skopeo inspect --raw | sha256sum on the source and the targets.
check_digests() {
    local repo="$1" name="${1##*/}" tag digest ref got refs reg ds=() sk=()
    shift
    while [[ $# -gt 0 && "$1" != "--" ]]; do ds+=("$1"); shift; done
    [[ $# -gt 0 ]] && shift && sk=("$@")
    for reg in "${ds[@]}"; do
        "${LIB[@]}" verify "$WORK/seed.json" "$reg" "$repo" >&2 || die "docker-sync target $reg: digests differ from the source ($repo)"
    done
    for reg in "${sk[@]}"; do
        "${LIB[@]}" verify "$WORK/seed.json" "$reg" "$repo" bench >&2 || die "skopeo target $reg: digests differ from the source ($repo)"
    done
    while read -r tag digest; do
        refs=("$SRC/$repo:$tag")
        for reg in "${ds[@]}"; do refs+=("$reg/$repo:$tag"); done
        for reg in "${sk[@]}"; do refs+=("$reg/bench/$name:$tag"); done
        for ref in "${refs[@]}"; do
            got="$(skopeo_digest "$ref")" || die "skopeo inspect --raw $ref failed"
            [[ "$got" == "$digest" ]] || die "skopeo inspect --raw $ref: $got, want $digest"
        done
    done < <("${LIB[@]}" sample "$WORK/seed.json" "$repo" 8)
    say "digests verified for $repo (every tag by HEAD on the targets; sampled tags by skopeo inspect --raw on source and targets)"
}

# docker_sync_run WORKLOAD TARGET_NAME REPO: docker-sync sync of REPO into the registry TARGET_NAME.
docker_sync_run() {
    measure "$1" docker-sync "$2" "$BIN" sync -s "$SRC/$3" -t "$(registry_of "$2")/$3" "${DS_ARGS[@]}"
}

# skopeo_run WORKLOAD TARGET_NAME REPO: skopeo sync of REPO into TARGET_NAME's bench/ namespace.
skopeo_run() {
    measure "$1" skopeo "$2" skopeo sync --all --preserve-digests --src docker --dest docker \
        --src-tls-verify=false --dest-tls-verify=false "$SRC/$3" "$(registry_of "$2")/bench"
}

# floor_upload N: POST, then curl GET of the big blob piped into curl PUT ?digest= (repository floor/bigN
# of the registry floorN).
floor_upload() {
    local target="floor$1" size
    # shellcheck disable=SC2016
    measure "big floor" curl "$target" bash -c 'set -euo pipefail
        location="$(curl -fsS -X POST -D - -o /dev/null "http://$2/v2/floor/big$4/blobs/uploads/" | tr -d "\r" | awk "tolower(\$1) == \"location:\" {print \$2}")"
        curl -fsS "http://$1/v2/bench/big/blobs/$3" |
            curl -fsS -X PUT -T - -H "Content-Type: application/octet-stream" -o /dev/null "$location&digest=$3"' \
        floor "$SRC" "$(registry_of "$target")" "$BIG_DIGEST" "$1"
    size="$(curl -fsSI "http://$(registry_of "$target")/v2/floor/big$1/blobs/$BIG_DIGEST" | tr -d '\r' | awk 'tolower($1) == "content-length:" {print $2}')"
    [[ "$size" == "$((BIG_MIB * 1024 * 1024))" ]] || die "floor upload: target holds ${size:-nothing}, want $((BIG_MIB * 1024 * 1024)) bytes"
}

if [[ $TAGS -gt 0 ]]; then
    say "many: cold runs, $REPEAT of each tool$([[ $SKOPEO == 1 ]] && echo " (interleaved)"), each into a fresh registry; then no-op"
    DS_MANY=() SK_MANY=()
    for i in $(seq "$REPEAT"); do
        fresh_target "ds-many$i"; DS_MANY+=("$(registry_of "ds-many$i")")
        if [[ $SKOPEO == 1 ]]; then fresh_target "sk-many$i"; SK_MANY+=("$(registry_of "sk-many$i")"); fi
        if [[ $SKOPEO == 1 ]] && (( i % 2 == 0 )); then skopeo_run "many cold" "sk-many$i" bench/many; fi
        docker_sync_run "many cold" "ds-many$i" bench/many
        if [[ $SKOPEO == 1 ]] && (( i % 2 == 1 )); then skopeo_run "many cold" "sk-many$i" bench/many; fi
    done
    docker_sync_run "many no-op" ds-many1 bench/many
    [[ $SKOPEO == 1 ]] && skopeo_run "many no-op" sk-many1 bench/many
    check_digests bench/many "${DS_MANY[@]}" -- "${SK_MANY[@]}"
fi

if [[ $BIG_MIB -gt 0 ]]; then
    BIG_DIGEST="$(python3 -c 'import json,sys; print([i for i in json.load(open(sys.argv[1]))["images"] if i["repository"] == "bench/big"][0]["blobs"][-1])' "$WORK/seed.json")"
    # docker-sync cold and the floor are interleaved, REPEAT times each, each into a fresh registry
    # that is checked and discarded after the round (the first docker-sync target stays for the
    # no-op run); the table shows medians.
    say "big: docker-sync cold and the raw floor, interleaved, $REPEAT time(s) each; docker-sync no-op$([[ $SKOPEO == 1 ]] && echo "; skopeo cold, no-op")"
    SK_BIG=()
    for i in $(seq "$REPEAT"); do
        fresh_target "ds-big$i"; fresh_target "floor$i"
        if (( i % 2 == 0 )); then floor_upload "$i"; fi
        docker_sync_run "big cold" "ds-big$i" bench/big
        if (( i % 2 == 1 )); then floor_upload "$i"; fi
        discard_registry "floor$i"
        if (( i > 1 )); then
            check_digests bench/big "$(registry_of "ds-big$i")"
            discard_registry "ds-big$i"
        fi
    done
    docker_sync_run "big no-op" ds-big1 bench/big
    if [[ $SKOPEO == 1 ]]; then
        fresh_target sk-big; SK_BIG=("$(registry_of sk-big)")
        skopeo_run "big cold" sk-big bench/big
        skopeo_run "big no-op" sk-big bench/big
    fi
    check_digests bench/big "$(registry_of ds-big1)" -- "${SK_BIG[@]}"
fi

printf '{"kind": "meta", "load_before": "%s", "load_after": "%s", "cores": %s}\n' \
    "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)" >>"$RESULTS"
"${LIB[@]}" table "$RESULTS"
