#!/usr/bin/env python3
"""Small helpers for ops/bench/sync-bench.sh and fleet-bench.sh (standard library only).

    benchlib.py freeport                       a free TCP port on 127.0.0.1
    benchlib.py seedspec REGISTRY TAGS BIGMIB   the seed_image.py request for the benchmark workload
    benchlib.py run --results F --workload W --tool T [--rep N] [--registry DIR]... [--cpu NAME:PID]... --log LOG -- CMD...
                                                runs CMD (output to LOG), appends {"seconds", "rss_mib",
                                                "cpu_s", "registry_cpu_s", "rc", "requests"} to F and exits
                                                with CMD's status; rss_mib is the peak RSS (VmHWM) of that
                                                process, requests the access-log lines the registries in
                                                the DIRs wrote, registry_cpu_s the CPU time they spent;
                                                with --cpu, also "other_cpu_s": {NAME: CPU seconds the
                                                running process PID spent meanwhile}; with --rep, "rep": N
    benchlib.py procstat PID...                 {"PID": {"rss_mib": peak RSS (VmHWM), "cpu_s"}} of live processes
    benchlib.py verify SEED.json REGISTRY REPOSITORY [PREFIX]
                                                every seeded tag present with the seeded manifest digest
    benchlib.py sample SEED.json REPOSITORY N   N evenly spread "tag digest" lines
    benchlib.py table RESULTS.jsonl             prints the results table and the issue's targets
    benchlib.py fleettable RESULTS.jsonl        prints fleet-bench's table (embedded vs fleet x P workers)
"""
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time


def freeport():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def seedspec(registry, tags, big_mib):
    images = []
    for i in range(int(tags)):
        # Distinct content per tag (seed), both media-type families, one or two small layers.
        images.append({"repository": "bench/many", "tag": "t%03d" % i,
                       "kind": "oci" if i % 2 else "docker",
                       "layers": [1024 + i] if i % 3 == 0 else [2048 + i, 512 + i], "seed": i})
    if int(big_mib) > 0:
        images.append({"repository": "bench/big", "tag": "latest", "kind": "docker",
                       "layers": [int(big_mib) * 1024 * 1024], "seed": 424242})
    json.dump({"registry": registry, "images": images}, sys.stdout)


def run(args):
    """run --results FILE --workload W --tool T [--registry DIR]... --log LOG -- CMD ARGS...
    (DIR holds a registry's registry.log and pid)"""
    split = args.index("--")
    opts, argv = args[:split], args[split + 1:]
    results, workload, tool, log, counted, others, rep = None, None, None, None, [], [], None
    it = iter(opts)
    for key in it:
        value = next(it)
        if key == "--results":
            results = value
        elif key == "--workload":
            workload = value
        elif key == "--tool":
            tool = value
        elif key == "--log":
            log = value
        elif key == "--registry":
            counted.append(value)
        elif key == "--rep":
            rep = int(value)
        elif key == "--cpu":
            name, pid = value.rsplit(":", 1)
            others.append((name, int(pid)))
        else:
            sys.exit("run: unknown option %s" % key)
    logs = [os.path.join(d, "registry.log") for d in counted]
    pids = [int(open(os.path.join(d, "pid")).read()) for d in counted]
    offsets = [(path, os.path.getsize(path)) for path in logs]
    registry_cpu = -sum(process_cpu(pid) for pid in pids)
    other_cpu = {name: -process_cpu(pid) for name, pid in others}
    with open(log, "ab") as out:
        out.write(("$ %s\n" % " ".join(argv)).encode())
        out.flush()
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        peak_kib, status, usage = peak_rss(proc.pid, os.path.basename(argv[0]))
        seconds = time.monotonic() - start
    rc = os.waitstatus_to_exitcode(status)
    time.sleep(0.2)  # let the registries write their last access-log lines
    registry_cpu += sum(process_cpu(pid) for pid in pids)
    for name, pid in others:
        try:
            other_cpu[name] = round(other_cpu[name] + process_cpu(pid), 2)
        except OSError:  # it exited meanwhile
            other_cpu[name] = None
    total = {"total": 0}
    for path, offset in offsets:
        for method, n in count_requests(path, offset).items():
            total[method] = total.get(method, 0) + n
    record = {"workload": workload, "tool": tool, "seconds": round(seconds, 3),
              "rss_mib": round(peak_kib / 1024.0, 1),
              "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "registry_cpu_s": round(registry_cpu, 2),
              "rc": rc, "requests": total}
    if others:
        record["other_cpu_s"] = other_cpu
    if rep is not None:
        record["rep"] = rep
    with open(results, "a") as f:
        f.write(json.dumps(record) + "\n")
    methods = " ".join("%s=%d" % kv for kv in sorted(total.items()) if kv[0] != "total")
    sys.stderr.write("    %-11s %-11s %6.2f s  CPU %5.2f s  registries' CPU %5.2f s  peak RSS %5.1f MiB  %d requests (%s)  rc=%d\n"
                     % (workload, tool, seconds, record["cpu_s"], registry_cpu, record["rss_mib"], total["total"], methods, rc))
    sys.exit(rc)


def peak_rss(pid, name):
    """Waits for `pid`; returns (peak RSS KiB, wait status, rusage). The peak is VmHWM from
    /proc/PID/status, polled every 10 ms once the child has exec'd `name` (the kernel keeps the high-water
    mark, so only growth in the last poll interval can be missed). ru_maxrss is not used: it also counts
    the forked copy of this Python process (~14 MiB) from before the exec."""
    peak = 0
    while True:
        waited, status, usage = os.wait4(pid, os.WNOHANG)
        if waited == pid:
            return (peak or usage.ru_maxrss), status, usage
        try:
            with open("/proc/%d/status" % pid) as f:
                text = f.read()
            fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
            if fields.get("Name", "").strip() == name[:15] and "VmHWM" in fields:
                peak = max(peak, int(fields["VmHWM"].split()[0]))
        except (OSError, ValueError):
            pass
        time.sleep(0.01)


def procstat(pids):
    """Peak RSS (VmHWM) and CPU seconds so far of live processes, as JSON keyed by PID."""
    out = {}
    for pid in pids:
        fields = dict(line.split(":", 1) for line in open("/proc/%s/status" % pid).read().splitlines() if ":" in line)
        out[str(pid)] = {"rss_mib": round(int(fields["VmHWM"].split()[0]) / 1024.0, 1),
                         "cpu_s": round(process_cpu(int(pid)), 2)}
    print(json.dumps(out))


def process_cpu(pid):
    """User + system CPU seconds of a running process (and its reaped children), from /proc."""
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


ACCESS = re.compile(r'"([A-Z]+) (\S+) HTTP/[0-9.]+" ([0-9]{3}) ')


def count_requests(log, offset):
    counts = {"total": 0}
    with open(log, "rb") as f:
        f.seek(int(offset))
        for line in f.read().decode("utf-8", "replace").splitlines():
            m = ACCESS.search(line)
            if not m:
                continue
            counts["total"] += 1
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts


MANIFEST_ACCEPT = ", ".join([
    "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json"])


def verify(seed_json, registry, repository, prefix=""):
    """Every seeded image of `repository` must be in `registry` under `prefix`/name with the seeded
    manifest digest (HEAD with Docker-Content-Digest, which the registry computes from the bytes it holds),
    and the tag list must hold exactly the seeded tags. Prints a count; exits 1 listing mismatches."""
    import http.client
    images = [i for i in json.load(open(seed_json))["images"] if i["repository"] == repository]
    target_repo = prefix + "/" + repository.rsplit("/", 1)[-1] if prefix else repository
    host, port = registry.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    bad = []
    for image in images:
        conn.request("HEAD", "/v2/%s/manifests/%s" % (target_repo, image["tag"]), headers={"Accept": MANIFEST_ACCEPT})
        r = conn.getresponse()
        r.read()
        got = r.getheader("Docker-Content-Digest")
        if r.status != 200 or got != image["digest"]:
            bad.append("%s:%s status %d digest %s, want %s" % (target_repo, image["tag"], r.status, got, image["digest"]))
    conn.request("GET", "/v2/%s/tags/list" % target_repo)
    r = conn.getresponse()
    body = r.read()
    tags = set(json.loads(body).get("tags") or []) if r.status == 200 else set()
    want = set(i["tag"] for i in images)
    if tags != want:
        bad.append("%s tag list: %d tags, %d missing, %d unexpected" % (target_repo, len(tags), len(want - tags), len(tags - want)))
    if bad:
        sys.stderr.write("digest check FAILED on %s:\n  %s\n" % (registry, "\n  ".join(bad[:20])))
        sys.exit(1)
    print("%d/%d manifests of %s match the source digests" % (len(images), len(images), target_repo))


def sample(seed_json, repository, count):
    """`count` tags of `repository` spread evenly (first and last included), one per line, with digests."""
    images = [i for i in json.load(open(seed_json))["images"] if i["repository"] == repository]
    n = min(int(count), len(images))
    picks = sorted(set(round(k * (len(images) - 1) / max(n - 1, 1)) for k in range(n)))
    for k in picks:
        print(images[k]["tag"], images[k]["digest"])


def fmt(value, spec="%.2f"):
    return "-" if value is None else spec % value


def table(path):
    samples = {}
    meta = {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("kind") == "meta":
                meta.update(r)
            else:
                samples.setdefault((r["workload"], r["tool"]), []).append(r)
    rows = {}
    for key, runs in samples.items():
        # Medians over repeated runs (the big workload); peak RSS is the maximum.
        ordered = sorted(runs, key=lambda r: r["seconds"])
        rows[key] = dict(ordered[(len(ordered) - 1) // 2] if len(ordered) % 2 == 0 else ordered[len(ordered) // 2])
        rows[key]["seconds"] = statistics.median(r["seconds"] for r in runs)
        rows[key]["rss_mib"] = max(r["rss_mib"] for r in runs)
        rows[key]["all"] = [r["seconds"] for r in runs]

    def get(workload, tool, key="seconds"):
        r = rows.get((workload, tool))
        return None if r is None else r.get(key)

    # Cold runs are interleaved: the i-th run of one tool ran next to the i-th of the other, under the
    # same machine conditions. This VM's speed drifts by a third within minutes, so the ratios compare
    # each run with its neighbour and take the median (the ratio of the two medians can pair a run of
    # a slow minute with one of a fast minute; it is printed beside).
    def paired(workload, tool, other_workload, other_tool):
        a, b = samples.get((workload, tool)), samples.get((other_workload, other_tool))
        if not a or not b or len(a) != len(b):
            return None
        return [x["seconds"] / y["seconds"] for x, y in zip(a, b)]

    def ratio_of(workload, tool, other_workload, other_tool):
        ratios = paired(workload, tool, other_workload, other_tool)
        if ratios:
            return statistics.median(ratios)
        ds, other = get(workload, tool), get(other_workload, other_tool)
        return ds / other if ds and other else None

    def reqs(workload, tool):
        r = rows.get((workload, tool))
        if r is None or "requests" not in r:
            return "-"
        return str(r["requests"].get("total", 0))

    print()
    print("docker-sync benchmark: %s tags, big layer %s MiB, docker-sync concurrency %s, %s"
          % (meta.get("tags"), meta.get("big_mib"), meta.get("concurrency") or "default", meta.get("binary", "")))
    if "load_before" in meta:
        print("load average %s before, %s after, on %s cores (other work on the machine skews the figures)"
              % (meta["load_before"], meta["load_after"], meta["cores"]))
    if "storage" in meta:
        print("registry storage: %s; cold runs: %s per tool, interleaved, each into a fresh registry (medians; ratios: median of paired runs)"
              % ({"tmpfs": "tmpfs (/dev/shm)", "disk": "disk ($TMPDIR)"}.get(meta["storage"], meta["storage"]), meta.get("repeat", 1)))
    header = ("workload", "docker-sync s", "skopeo s", "ds/skopeo", "floor s", "ds/floor", "ds RSS MiB",
              "ds CPU s", "skopeo CPU s", "ds reqs", "skopeo reqs")
    lines = []
    workloads = [w for w in ("many cold", "many no-op", "big cold", "big no-op")
                 if (w, "docker-sync") in rows or (w, "skopeo") in rows]
    for w in workloads:
        ds, sk = get(w, "docker-sync"), get(w, "skopeo")
        floor = get("big floor", "curl") if w == "big cold" else None
        lines.append((w, fmt(ds), fmt(sk), fmt(ratio_of(w, "docker-sync", w, "skopeo")),
                      fmt(floor), fmt(ratio_of(w, "docker-sync", "big floor", "curl") if w == "big cold" else None),
                      fmt(get(w, "docker-sync", "rss_mib"), "%.1f"), fmt(get(w, "docker-sync", "cpu_s")),
                      fmt(get(w, "skopeo", "cpu_s")), reqs(w, "docker-sync"), reqs(w, "skopeo")))
    widths = [max(len(str(c)) for c in col) for col in zip(header, *lines)]
    row = lambda cells: "  ".join(str(c).ljust(n) if i == 0 else str(c).rjust(n) for i, (c, n) in enumerate(zip(cells, widths)))
    print(row(header))
    print(row(["-" * n for n in widths]))
    for l in lines:
        print(row(l))
    for key, label in ((("many cold", "docker-sync"), "docker-sync many cold"), (("many cold", "skopeo"), "skopeo many cold"),
                       (("big cold", "docker-sync"), "docker-sync big cold"),
                       (("big floor", "curl"), "raw floor (POST; curl GET | curl PUT of the big blob)")):
        if key in rows:
            print("%s: median %.2f s of %s" % (label, rows[key]["seconds"], ", ".join("%.2f" % x for x in rows[key]["all"])))
    for label, args in (("many cold, docker-sync / skopeo", ("many cold", "docker-sync", "many cold", "skopeo")),
                        ("big cold, docker-sync / floor", ("big cold", "docker-sync", "big floor", "curl"))):
        ratios = paired(*args)
        if ratios and len(ratios) > 1:
            ds, other = get(args[0], args[1]), get(args[2], args[3])
            print("%s: median of paired ratios %.3f of %s (ratio of the medians: %.3f)"
                  % (label, statistics.median(ratios), ", ".join("%.3f" % x for x in ratios), ds / other))
    sk_rss = [get(w, "skopeo", "rss_mib") for w in workloads if get(w, "skopeo", "rss_mib") is not None]
    if sk_rss:
        print("skopeo peak RSS: %.1f MiB (max over its runs)" % max(sk_rss))

    print()
    print("targets (issue 3):")

    def target(name, value, limit, shown):
        if value is None:
            state = "not measured"
        else:
            state = "met" if value <= limit else "NOT MET"
        print("  %-50s %-12s %s" % (name, shown, state))

    def ratio(w):
        return ratio_of(w, "docker-sync", w, "skopeo")

    r = ratio("many cold")
    target("many-tags cold <= 0.25x skopeo", r, 0.25, fmt(r, "%.3fx"))
    r = ratio("many no-op")
    target("many-tags no-op <= 0.1x skopeo", r, 0.10, fmt(r, "%.3fx"))
    r = ratio("big no-op")
    target("big no-op <= 0.1x skopeo (1 tag; start-up bound)", r, 0.10, fmt(r, "%.3fx"))
    r = ratio_of("big cold", "docker-sync", "big floor", "curl")
    target("big cold <= 1.1x raw floor", r, 1.10, fmt(r, "%.3fx"))
    rss = [get(w, "docker-sync", "rss_mib") for w in workloads if get(w, "docker-sync", "rss_mib") is not None]
    peak = max(rss) if rss else None
    target("docker-sync peak RSS <= 48 MiB", peak, 48.0, fmt(peak, "%.1f MiB"))


def fleettable(path):
    """fleet-bench's table. Records: run records with tool = mode ("embedded", "fleet×P"), "rep" (the
    round) and workload "cold" / "no-op" (fleet: the `scheduler --once` cycle) or "many cold", "big cold",
    … (embedded: one `sync` per image, one after the other, summed); {"kind": "meta", …}; per mode and
    round {"kind": "mode", "tool", "rep", "processes", "load_before", "load_after", "workers": {PID:
    {"rss_mib", "cpu_s"}}, "exits", "stop_s", "leader_left_s", "log", "redis_state"}. Medians over rounds."""
    runs, meta, modes = {}, {}, {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("kind") == "meta":
                meta.update(r)
            elif r.get("kind") == "mode":
                modes.setdefault(r["tool"], []).append(r)
            else:
                runs.setdefault((r["tool"], r.get("rep", 1)), []).append(r)  # in the order they ran

    def phase(mode, rep, name):
        """One round's phase: {"seconds", "cpu" (docker-sync processes), "registry_cpu", "redis_cpu",
        "requests", "rss", "parts"} or None."""
        parts = [r for r in runs.get((mode, rep), []) if r["workload"] == name or r["workload"].endswith(" " + name)]
        if not parts:
            return None
        others = [r.get("other_cpu_s", {}) for r in parts]
        redis = [o["redis"] for o in others if o.get("redis") is not None]
        return {"seconds": sum(r["seconds"] for r in parts),
                "cpu": sum(r["cpu_s"] for r in parts) + sum(v or 0 for o in others for k, v in o.items() if k.startswith("worker")),
                "registry_cpu": sum(r["registry_cpu_s"] for r in parts),
                "redis_cpu": sum(redis) if redis else None,
                "requests": sum(r["requests"].get("total", 0) for r in parts),
                "rss": max(r["rss_mib"] for r in parts), "parts": parts}

    def rounds(mode, name):
        return [p for p in (phase(mode, m["rep"], name) for m in modes[mode]) if p]

    def median(mode, name, key):
        values = [p[key] for p in rounds(mode, name) if p[key] is not None]
        return statistics.median(values) if values else None

    order = sorted(modes, key=lambda m: (m != "embedded", modes[m][0]["processes"]))
    base = {name: median("fleet×1", name, "seconds") if "fleet×1" in modes else None for name in ("cold", "no-op")}
    reps = max(len(v) for v in modes.values())
    fleet_sizes = [str(modes[m][0]["processes"]) for m in order if m != "embedded"]
    print()
    print("fleet benchmark: %s tags in bench/many + one %s MiB layer in bench/big; concurrency %s per process; %s"
          % (meta.get("tags"), meta.get("big_mib"), meta.get("concurrency") or "default", meta.get("binary", "")))
    print("machine: %s cores, loopback only — the %s worker processes share those %s cores with the source and "
          "target docker-registry and redis-server (%s); registry storage %s"
          % (meta.get("cores"), " / ".join(fleet_sizes), meta.get("cores"), meta.get("redis", ""), meta.get("storage", "disk")))
    if reps > 1:
        print("%d rounds, modes interleaved; figures are medians (all cold runs listed below)" % reps)
    header = ("mode", "cold s", "no-op s", "cold speed-up vs fleet×1", "no-op vs fleet×1", "peak RSS MiB per process",
              "ds CPU s", "registries CPU s", "redis CPU s", "reqs", "load 1/5/15 before → after")
    lines = []
    for m in order:
        cold, noop = median(m, "cold", "seconds"), median(m, "no-op", "seconds")
        if m == "embedded":
            rss = [p["rss"] for name in ("cold", "no-op") for p in rounds(m, name)]
            rss_text = "%.1f (sync)" % max(rss) if rss else "-"
        else:
            # per worker index, the maximum over the rounds
            per = [list(info.get("workers", {}).values()) for info in modes[m]]
            rss_text = " / ".join("%.1f" % max(w[i]["rss_mib"] for w in per if i < len(w)) for i in range(max(len(w) for w in per))) or "-"
        speed = lambda v, name: fmt(base[name] / v if v and base.get(name) else None, "%.2fx")
        reqs = median(m, "cold", "requests")
        load = "%s → %s" % (modes[m][0].get("load_before", "?"), modes[m][-1].get("load_after", "?"))
        lines.append((m, fmt(cold), fmt(noop), speed(cold, "cold"), speed(noop, "no-op"), rss_text,
                      fmt(median(m, "cold", "cpu")), fmt(median(m, "cold", "registry_cpu")), fmt(median(m, "cold", "redis_cpu")),
                      "-" if reqs is None else "%d" % reqs, load))
    widths = [max(len(str(c)) for c in col) for col in zip(header, *lines)]
    row = lambda cells: "  ".join(str(c).ljust(n) if i in (0, 5, 10) else str(c).rjust(n) for i, (c, n) in enumerate(zip(cells, widths)))
    print(row(header))
    print(row(["-" * n for n in widths]))
    for l in lines:
        print(row(l))
    print()
    print("cold / no-op: embedded = `docker-sync sync` per image (bench/many, then bench/big; one process each), summed;")
    print("  fleet×P = wall time of `docker-sync scheduler --once` (enqueues one cycle of both images, exits when it")
    print("  completes) with P `docker-sync worker` processes already running. Speed-up = fleet×1 seconds / this mode's.")
    print("  CPU and requests are the cold phase's; ds CPU = the docker-sync processes (sync, or scheduler + workers).")
    for m in order:
        for info in modes[m]:
            rep = info.get("rep", 1)
            label = m if reps == 1 else "%s round %d" % (m, rep)
            if m == "embedded":
                parts = [p for name in ("cold", "no-op") for p in (phase(m, rep, name) or {}).get("parts", [])]
                print("%s: %s" % (label, ", ".join("%s %.2f s" % (r["workload"], r["seconds"]) for r in parts)))
                continue
            cold = phase(m, rep, "cold")
            per = ", ".join("%.2f" % (v or 0) for k, v in sorted(cold["parts"][0].get("other_cpu_s", {}).items())
                            if k.startswith("worker")) if cold else "-"
            print("%s: cold %s s; worker CPU in the cold cycle %s s, scheduler %.2f s; workers stopped by SIGTERM in %.2f s, exit %s"
                  % (label, fmt(cold and cold["seconds"]), per, cold["parts"][0]["cpu_s"] if cold else 0,
                     info.get("stop_s", 0), "/".join(str(x) for x in info.get("exits", []))))
            print("  %s" % info.get("log", ""))
            if info.get("redis_state"):
                print("  left in Redis after the cycles, workers stopped: %s" % info["redis_state"])
            left = info.get("leader_left_s")
            if left is not None:
                print("  leader lease left behind by the cold cycle's `scheduler --once` after it exited: %.1f s%s"
                      % (left, " — BUG? it should resign on exit; a scheduler started meanwhile waits that long"
                         " (waited out before the no-op cycle, not counted in no-op s)" if left > 1 else ""))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "freeport":
        freeport()
    elif cmd == "seedspec":
        seedspec(*args)
    elif cmd == "run":
        run(args)
    elif cmd == "verify":
        verify(*args)
    elif cmd == "sample":
        sample(*args)
    elif cmd == "table":
        table(*args)
    elif cmd == "procstat":
        procstat(args)
    elif cmd == "fleettable":
        fleettable(*args)
    else:
        sys.exit("unknown command %r" % cmd)


if __name__ == "__main__":
    main()
