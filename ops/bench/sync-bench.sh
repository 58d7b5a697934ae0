#!/usr/bin/env bash
# docker-sync vs skopeo sync vs the raw floor, on local docker-registry instances (issue 3, "Benchmark").
#
#   ops/bench/sync-bench.sh [--tags N] [--big-mib N] [--concurrency N] [--rev REV | --binary PATH] [--repeat N] [--no-skopeo] [--keep]
#
# Builds docker-sync in release (scratch dir .build-bench), starts docker-registry instances on free
# loopback ports (source, a docker-sync target, a skopeo target, a floor target), seeds the source with
# N tags of tiny images (bench/many) and one image with one big layer (bench/big), then times, in this run:
#   docker-sync sync -s SRC/REPO -t DST/REPO                  cold (empty target), then no-op
#   skopeo sync --all --preserve-digests … SRC/REPO DST/bench  cold (fresh target), then no-op
#   curl GET blob | curl PUT (POST, then PUT ?digest=)         the floor for the big layer
# It checks the target digests after the cold runs (all tags by HEAD, a sample by skopeo inspect --raw)
# and fails on a wrong digest or a failed command; it reports missed targets without failing.
#
#   --tags N         tags in bench/many (default 300); 0 skips the workload
#   --big-mib N      size of bench/big's layer in MiB (default 256); 0 skips the workload
#   --concurrency N  passed to docker-sync sync (default: docker-sync's own default)
#   --rev REV        build that commit (git archive into .build-bench-src) instead of the working tree
#   --binary PATH    use this docker-sync binary; no build
#   --repeat N       big workload: docker-sync cold runs and floor uploads, interleaved (default 3; medians)
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
REPEAT=3
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
RESULTS="$WORK/results.jsonl"

# -- build -------------------------------------------------------------------------------------------
build_docker_sync

# -- registries --------------------------------------------------------------------------------------
start_registry src;   SRC="$REGISTRY"
start_registry ds;    DS="$REGISTRY"
start_registry sk;    SK="$REGISTRY"
start_registry floor; FLOOR="$REGISTRY"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
say "registries: source $SRC, docker-sync target $DS, skopeo target $SK, floor target $FLOOR"

# -- seed --------------------------------------------------------------------------------------------
seed_workload "$SRC" "$TAGS" "$BIG_MIB"

# -- runs --------------------------------------------------------------------------------------------
BLOB_INFO_CACHES=(/var/lib/containers/cache/blob-info-cache-v1.boltdb "$HOME/.local/share/containers/cache/blob-info-cache-v1.boltdb")
DS_ARGS=()
[[ -n "$CONCURRENCY" ]] && DS_ARGS=(--concurrency "$CONCURRENCY")
printf '{"kind": "meta", "tags": %s, "big_mib": %s, "concurrency": "%s", "binary": "%s"}\n' \
    "$TAGS" "$BIG_MIB" "$CONCURRENCY" "$BIN" >>"$RESULTS"

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

# check_digests REPO DS_TARGET...: every tag by HEAD on the docker-sync target(s) and the skopeo target;
# a sample by skopeo inspect --raw | sha256sum on the source and the targets.
check_digests() {
    local repo="$1" name="${1##*/}" tag digest ref got refs reg
    shift
    for reg in "$@"; do
        "${LIB[@]}" verify "$WORK/seed.json" "$reg" "$repo" >&2 || die "docker-sync target $reg: digests differ from the source ($repo)"
    done
    if [[ $SKOPEO == 1 ]]; then
        "${LIB[@]}" verify "$WORK/seed.json" "$SK" "$repo" bench >&2 || die "skopeo target digests differ from the source ($repo)"
    fi
    while read -r tag digest; do
        refs=("$SRC/$repo:$tag")
        for reg in "$@"; do refs+=("$reg/$repo:$tag"); done
        [[ $SKOPEO == 1 ]] && refs+=("$SK/bench/$name:$tag")
        for ref in "${refs[@]}"; do
            got="$(skopeo_digest "$ref")" || die "skopeo inspect --raw $ref failed"
            [[ "$got" == "$digest" ]] || die "skopeo inspect --raw $ref: $got, want $digest"
        done
    done < <("${LIB[@]}" sample "$WORK/seed.json" "$repo" 8)
    say "digests verified for $repo (every tag by HEAD on the targets; sampled tags by skopeo inspect --raw on source and targets)"
}

skopeo_sync() {
    local workload="$1" repo="$2"
    [[ $SKOPEO == 1 ]] || return 0
    local args=(skopeo sync --all --preserve-digests --src docker --dest docker
                --src-tls-verify=false --dest-tls-verify=false "$SRC/$repo" "$SK/bench")
    measure "$workload cold" skopeo sk "${args[@]}"
    measure "$workload no-op" skopeo sk "${args[@]}"
}

# floor_upload N: POST, then curl GET of the big blob piped into curl PUT ?digest= (repository floor/bigN).
floor_upload() {
    # shellcheck disable=SC2016
    measure "big floor" curl floor bash -c 'set -euo pipefail
        location="$(curl -fsS -X POST -D - -o /dev/null "http://$2/v2/floor/big$4/blobs/uploads/" | tr -d "\r" | awk "tolower(\$1) == \"location:\" {print \$2}")"
        curl -fsS "http://$1/v2/bench/big/blobs/$3" |
            curl -fsS -X PUT -T - -H "Content-Type: application/octet-stream" -o /dev/null "$location&digest=$3"' \
        floor "$SRC" "$FLOOR" "$BIG_DIGEST" "$1"
    local size
    size="$(curl -fsSI "http://$FLOOR/v2/floor/big$1/blobs/$BIG_DIGEST" | tr -d '\r' | awk 'tolower($1) == "content-length:" {print $2}')"
    [[ "$size" == "$((BIG_MIB * 1024 * 1024))" ]] || die "floor upload: target holds ${size:-nothing}, want $((BIG_MIB * 1024 * 1024)) bytes"
}

if [[ $TAGS -gt 0 ]]; then
    say "many: docker-sync cold, no-op$([[ $SKOPEO == 1 ]] && echo "; skopeo cold, no-op")"
    measure "many cold" docker-sync ds "$BIN" sync -s "$SRC/bench/many" -t "$DS/bench/many" "${DS_ARGS[@]}"
    measure "many no-op" docker-sync ds "$BIN" sync -s "$SRC/bench/many" -t "$DS/bench/many" "${DS_ARGS[@]}"
    skopeo_sync many bench/many
    check_digests bench/many "$DS"
fi

if [[ $BIG_MIB -gt 0 ]]; then
    BIG_DIGEST="$(python3 -c 'import json,sys; print([i for i in json.load(open(sys.argv[1]))["images"] if i["repository"] == "bench/big"][0]["blobs"][-1])' "$WORK/seed.json")"
    # docker-sync cold and the floor are interleaved, REPEAT times each (each cold run into a fresh
    # registry, each floor upload into a fresh repository); the table shows medians.
    say "big: docker-sync cold and the raw floor, interleaved, $REPEAT time(s) each; docker-sync no-op$([[ $SKOPEO == 1 ]] && echo "; skopeo cold, no-op")"
    BIG_TARGETS=()
    for i in $(seq "$REPEAT"); do
        start_registry "ds-big$i"
        BIG_TARGETS+=("$REGISTRY")
        if (( i % 2 == 0 )); then floor_upload "$i"; fi
        measure "big cold" docker-sync "ds-big$i" "$BIN" sync -s "$SRC/bench/big" -t "$REGISTRY/bench/big" "${DS_ARGS[@]}"
        if (( i % 2 == 1 )); then floor_upload "$i"; fi
    done
    measure "big no-op" docker-sync ds-big1 "$BIN" sync -s "$SRC/bench/big" -t "${BIG_TARGETS[0]}/bench/big" "${DS_ARGS[@]}"
    skopeo_sync big bench/big
    check_digests bench/big "${BIG_TARGETS[@]}"
fi

printf '{"kind": "meta", "load_before": "%s", "load_after": "%s", "cores": %s}\n' \
    "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)" >>"$RESULTS"
"${LIB[@]}" table "$RESULTS"
