# Shell helpers shared by ops/bench/sync-bench.sh and ops/bench/fleet-bench.sh (sourced, not run).
#
# The sourcing script sets, before calling these:
#   BENCH   its name, for messages ("sync-bench")
#   ROOT    the repository root
#   WORK    its temporary directory (logs go to $WORK/logs)
#   STORAGE registry storage: "tmpfs" or "disk" (see choose_storage)
# and gets:
#   LIB                      the benchlib.py command (an array)
#   say MSG / die MSG        a timestamped progress line / fail loudly and exit 1
#   build_docker_sync        sets BIN: --binary ($BINARY), else a release build of the working tree or of
#                            $REV (scratch dirs .build-bench, .build-bench-rev + .build-bench-src), with the
#                            Swift runtime linked in as README's "Building a binary to deploy" says
#   choose_storage           sets STORAGE_ROOT from STORAGE: "tmpfs" is a fresh directory in /dev/shm (removed by
#                            stop_registries), "disk" is $WORK; registries keep their blobs under it
#   start_registry NAME      a docker-registry (config, log, pid in $WORK/NAME, blobs in $STORAGE_ROOT/NAME) on a
#                            free loopback port; sets REGISTRY
#   fresh_target NAME        start_registry NAME, remembering its address for `registry_of NAME`
#   stop_registries          kills (by PID) the registries started so far and waits for them
#   discard_registry NAME    stops registry NAME and deletes its blobs
#   seed_workload REG TAGS BIG_MIB
#                            seeds the benchmark workload (bench/many, bench/big) into REG; writes
#                            $WORK/seed.json
#   skopeo_digest REF        sha256 of `skopeo inspect --raw docker://REF`
#   check_sample REPO N REGISTRY...
#                            N sampled tags of REPO: skopeo inspect --raw | sha256sum on every REGISTRY
#                            must equal the seeded digest; dies on a mismatch
# shellcheck shell=bash

LIB=(python3 "$ROOT/ops/bench/benchlib.py")
REGISTRY_PIDS=()

say() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf '\n%s: FAILED: %s\n' "$BENCH" "$*" >&2; exit 1; }

build_docker_sync() {
    if [[ -n "${BINARY:-}" ]]; then
        BIN="$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")"
    else
        local srcdir="$ROOT" scratch="$ROOT/.build-bench"
        if [[ -n "${REV:-}" ]]; then
            srcdir="$ROOT/.build-bench-src" scratch="$ROOT/.build-bench-rev"
            rm -rf "$srcdir" && mkdir -p "$srcdir"
            git -C "$ROOT" archive "$REV" | tar -x -C "$srcdir"
            say "building docker-sync $(git -C "$ROOT" rev-parse --short "$REV") (release)"
        else
            say "building docker-sync from the working tree (release)"
        fi
        (cd "$srcdir" && swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product docker-sync) >"$WORK/logs/build.log" 2>&1 \
            || { tail -30 "$WORK/logs/build.log" >&2; die "swift build failed"; }
        BIN="$(cd "$srcdir" && swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)/docker-sync"
    fi
    [[ -x "$BIN" ]] || die "no docker-sync binary at $BIN"
}

# The registries' storage decides the many-tags figures more than either tool does: distribution fsyncs
# every file it writes (about 14 per blob), and on this VM's disk consecutive cold runs slowed from 6 s to
# 12 s as the disk fell behind. tmpfs takes the disk out, so the figures compare the tools.
choose_storage() {
    case "$STORAGE" in
        tmpfs)
            [[ -d /dev/shm && -w /dev/shm ]] || die "--storage tmpfs needs a writable /dev/shm (try --storage disk)"
            STORAGE_ROOT="$(mktemp -d /dev/shm/"$BENCH".XXXXXX)" ;;
        disk) STORAGE_ROOT="$WORK" ;;
        *) die "--storage takes tmpfs or disk, not $STORAGE" ;;
    esac
}

start_registry() {
    local name="$1" dir="$WORK/$1" storage="${STORAGE_ROOT:-$WORK}/$1/storage" port pid attempt i
    mkdir -p "$dir" "$storage"
    for attempt in 1 2 3; do
        port="$("${LIB[@]}" freeport)"
        cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
  formatter: text
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: $BENCH-$name
EOF
        docker-registry serve "$dir/config.yml" >>"$dir/registry.log" 2>&1 &
        pid=$!
        REGISTRY_PIDS+=("$pid")
        echo "$pid" >"$dir/pid"
        for i in $(seq 100); do
            if curl -fsS -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null; then REGISTRY="127.0.0.1:$port"; return 0; fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill "$pid" 2>/dev/null || true
    done
    tail -5 "$dir/registry.log" >&2
    die "docker-registry $name did not start"
}

registry_of() { cat "$WORK/$1/address"; }

# discard_registry NAME: stops registry NAME and deletes its blobs. Each cold run of the big layer
# (and each floor upload) leaves --big-mib behind; on tmpfs, --repeat 9 used to hold 4.6 GiB of RAM
# until the end, and every run wrote into memory the VM had not touched yet.
discard_registry() {
    local pid
    pid="$(cat "$WORK/$1/pid")"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "${STORAGE_ROOT:-$WORK}/$1"
}

# fresh_target NAME: starts registry NAME and records its address for registry_of.
fresh_target() { start_registry "$1"; echo "$REGISTRY" >"$WORK/$1/address"; }

stop_registries() {
    local pid
    for pid in "${REGISTRY_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${REGISTRY_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [[ -n "${STORAGE_ROOT:-}" && "$STORAGE_ROOT" == /dev/shm/* ]]; then rm -rf "$STORAGE_ROOT"; fi
}

seed_workload() {
    local registry="$1" tags="$2" big_mib="$3" start=$SECONDS
    say "seeding $tags tags of bench/many and a $big_mib MiB layer in bench/big"
    "${LIB[@]}" seedspec "$registry" "$tags" "$big_mib" | python3 "$ROOT/Sources/TestSupport/Scripts/seed_image.py" >"$WORK/seed.json" 2>"$WORK/logs/seed.log" \
        || { tail -5 "$WORK/logs/seed.log" >&2; die "seeding failed"; }
    say "seeded in $((SECONDS - start)) s"
}

skopeo_digest() {
    echo "sha256:$(skopeo inspect --raw --tls-verify=false "docker://$1" | sha256sum | cut -d' ' -f1)"
}

check_sample() {
    local repo="$1" count="$2" tag digest reg got
    shift 2
    while read -r tag digest; do
        for reg in "$@"; do
            got="$(skopeo_digest "$reg/$repo:$tag")" || die "skopeo inspect --raw $reg/$repo:$tag failed"
            [[ "$got" == "$digest" ]] || die "skopeo inspect --raw $reg/$repo:$tag: $got, want $digest"
        done
    done < <("${LIB[@]}" sample "$WORK/seed.json" "$repo" "$count")
}
