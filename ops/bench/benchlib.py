#!/usr/bin/env python3
"""Small helpers for ops/bench/sync-bench.sh (standard library only).

    benchlib.py freeport                       a free TCP port on 127.0.0.1
    benchlib.py seedspec REGISTRY TAGS BIGMIB   the seed_image.py request for the benchmark workload
    benchlib.py run --results F --workload W --tool T [--registry DIR]... --log LOG -- CMD...
                                                runs CMD (output to LOG), appends {"seconds", "rss_mib",
                                                "cpu_s", "registry_cpu_s", "rc", "requests"} to F and exits
                                                with CMD's status; rss_mib is the peak RSS (VmHWM) of that
                                                process, requests the access-log lines the registries in
                                                the DIRs wrote, registry_cpu_s the CPU time they spent
    benchlib.py verify SEED.json REGISTRY REPOSITORY [PREFIX]
                                                every seeded tag present with the seeded manifest digest
    benchlib.py sample SEED.json REPOSITORY N   N evenly spread "tag digest" lines
    benchlib.py table RESULTS.jsonl             prints the results table and the issue's targets
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
    results, workload, tool, log, counted = None, None, None, None, []
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
        else:
            sys.exit("run: unknown option %s" % key)
    logs = [os.path.join(d, "registry.log") for d in counted]
    pids = [int(open(os.path.join(d, "pid")).read()) for d in counted]
    offsets = [(path, os.path.getsize(path)) for path in logs]
    registry_cpu = -sum(process_cpu(pid) for pid in pids)
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
    total = {"total": 0}
    for path, offset in offsets:
        for method, n in count_requests(path, offset).items():
            total[method] = total.get(method, 0) + n
    record = {"workload": workload, "tool": tool, "seconds": round(seconds, 3),
              "rss_mib": round(peak_kib / 1024.0, 1),
              "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "registry_cpu_s": round(registry_cpu, 2),
              "rc": rc, "requests": total}
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
    header = ("workload", "docker-sync s", "skopeo s", "ds/skopeo", "floor s", "ds/floor", "ds RSS MiB",
              "ds CPU s", "skopeo CPU s", "ds reqs", "skopeo reqs")
    lines = []
    workloads = [w for w in ("many cold", "many no-op", "big cold", "big no-op")
                 if (w, "docker-sync") in rows or (w, "skopeo") in rows]
    for w in workloads:
        ds, sk = get(w, "docker-sync"), get(w, "skopeo")
        floor = get("big floor", "curl") if w == "big cold" else None
        lines.append((w, fmt(ds), fmt(sk), fmt(ds / sk if ds and sk else None),
                      fmt(floor), fmt(ds / floor if ds and floor else None),
                      fmt(get(w, "docker-sync", "rss_mib"), "%.1f"), fmt(get(w, "docker-sync", "cpu_s")),
                      fmt(get(w, "skopeo", "cpu_s")), reqs(w, "docker-sync"), reqs(w, "skopeo")))
    widths = [max(len(str(c)) for c in col) for col in zip(header, *lines)]
    row = lambda cells: "  ".join(str(c).ljust(n) if i == 0 else str(c).rjust(n) for i, (c, n) in enumerate(zip(cells, widths)))
    print(row(header))
    print(row(["-" * n for n in widths]))
    for l in lines:
        print(row(l))
    for key, label in ((("big cold", "docker-sync"), "docker-sync big cold"),
                       (("big floor", "curl"), "raw floor (POST; curl GET | curl PUT of the big blob)")):
        if key in rows:
            print("%s: median %.2f s of %s" % (label, rows[key]["seconds"], ", ".join("%.2f" % x for x in rows[key]["all"])))
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
        ds, sk = get(w, "docker-sync"), get(w, "skopeo")
        return ds / sk if ds and sk else None

    r = ratio("many cold")
    target("many-tags cold <= 0.25x skopeo", r, 0.25, fmt(r, "%.3fx"))
    r = ratio("many no-op")
    target("many-tags no-op <= 0.1x skopeo", r, 0.10, fmt(r, "%.3fx"))
    r = ratio("big no-op")
    target("big no-op <= 0.1x skopeo (1 tag; start-up bound)", r, 0.10, fmt(r, "%.3fx"))
    ds, floor = get("big cold", "docker-sync"), get("big floor", "curl")
    r = ds / floor if ds and floor else None
    target("big cold <= 1.1x raw floor", r, 1.10, fmt(r, "%.3fx"))
    rss = [get(w, "docker-sync", "rss_mib") for w in workloads if get(w, "docker-sync", "rss_mib") is not None]
    peak = max(rss) if rss else None
    target("docker-sync peak RSS <= 48 MiB", peak, 48.0, fmt(peak, "%.1f MiB"))


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
    else:
        sys.exit("unknown command %r" % cmd)


if __name__ == "__main__":
    main()
