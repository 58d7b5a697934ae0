#!/usr/bin/env python3
"""An HTTP/1.1 reverse proxy in front of a registry that injects faults, for tests.

Bodies stream both ways in chunks; keep-alive on both sides; every header passes (repeated ones
too), `Location` pointing at the upstream is rewritten to the proxy.

Control endpoints (never forwarded):
    POST /__faults  {"rules": [RULE, ...]}   replace the rules (their match counters restart)
    GET  /__faults                           the current rules with their counters
    GET  /__stats                            {"counts": {"GET manifest": 3, ...},
                                              "faults": {"NAME": n}, "requests": [...]}
    POST /__reset                            clear the stats

RULE: {"name": str, "methods": ["GET", ...] (absent = any), "path": regex searched in path+query,
       "action": "respond" | "reset" | "truncate" | "delay" | "rewrite",
       "status": int, "headers": {k: v}, "body": str, "bodyBase64": str,   (respond)
       "bytes": int,                                                       (truncate)
       "to": str (the path+query forwarded instead of the request's),       (rewrite)
       "delay": seconds (before any action; alone with action "delay"),
       "skip": n (let the first n matches pass), "times": n (then fault n matches),
       "every": k (fault every k-th match after skip)}
Rules are tried in order; the first one that fires handles the request.
"""
import argparse
import base64
import json
import re
import socket
import struct
import sys
import threading
import time
import http.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

CHUNK = 64 * 1024
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
              "upgrade", "expect", "proxy-authenticate", "proxy-authorization"}


def request_kind(method, path):
    """The kind of registry request, named after the distribution spec endpoints."""
    url = urlsplit(path)
    p, q = url.path, url.query
    if p in ("/v2", "/v2/"):
        return "base"
    if p.endswith("/_catalog"):
        return "catalog"
    if "/tags/list" in p:
        return "tags"
    if "/referrers/" in p:
        return "referrers"
    if "/manifests/" in p:
        return "manifest"
    if "/blobs/uploads" in p:
        if method == "POST":
            return "upload-mount" if "mount=" in q else "upload-start"
        if method == "PATCH":
            return "upload-chunk"
        if method == "PUT":
            return "upload-complete"
        if method == "DELETE":
            return "upload-cancel"
        return "upload-status"
    if "/blobs/" in p:
        return "blob"
    return "other"


class Rule:
    def __init__(self, spec, index):
        self.spec = spec
        self.name = spec.get("name") or "rule%d" % index
        methods = spec.get("methods")
        self.methods = {m.upper() for m in methods} if methods else None
        self.path = re.compile(spec.get("path", ""))
        self.action = spec.get("action", "respond")
        self.skip = int(spec.get("skip", 0))
        self.times = spec.get("times")
        self.every = spec.get("every")
        self.matches = 0
        self.fired = 0

    def matches_request(self, method, path):
        if self.methods is not None and method not in self.methods:
            return False
        return self.path.search(path) is not None

    def fires(self):
        """Counts one match; True when this match is to be faulted. Called under the lock."""
        self.matches += 1
        n = self.matches - self.skip
        if n <= 0:
            return False
        if self.times is not None and n > int(self.times):
            return False
        if self.every is not None and n % int(self.every) != 0:
            return False
        self.fired += 1
        return True

    def describe(self):
        return dict(self.spec, name=self.name, matches=self.matches, fired=self.fired)


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []
        self.counts = {}
        self.faults = {}
        self.requests = []

    def set_rules(self, specs):
        with self.lock:
            self.rules = [Rule(spec, i) for i, spec in enumerate(specs)]

    def pick(self, method, path):
        with self.lock:
            for rule in self.rules:
                if rule.matches_request(method, path) and rule.fires():
                    self.faults[rule.name] = self.faults.get(rule.name, 0) + 1
                    return rule
        return None

    def record(self, method, path, status, fault):
        key = "%s %s" % (method, request_kind(method, path))
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            self.requests.append({"method": method, "path": path, "status": status, "fault": fault})

    def snapshot(self):
        with self.lock:
            return {"counts": dict(self.counts), "faults": dict(self.faults), "requests": list(self.requests)}

    def reset(self):
        with self.lock:
            self.counts.clear()
            self.faults.clear()
            self.requests.clear()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "docker-sync-test-fault-proxy/1"
    upstream = None

    def log_message(self, fmt, *args):
        sys.stderr.write("proxy: " + (fmt % args) + "\n")

    # Every method goes through one path.
    def do_GET(self): self.handle_request()
    def do_HEAD(self): self.handle_request()
    def do_POST(self): self.handle_request()
    def do_PUT(self): self.handle_request()
    def do_PATCH(self): self.handle_request()
    def do_DELETE(self): self.handle_request()
    def do_OPTIONS(self): self.handle_request()

    def handle_request(self):
        state = self.server.state
        if self.path.startswith("/__"):
            return self.control(state)
        rule = state.pick(self.command, self.path)
        fault = rule.name if rule else None
        if rule and rule.spec.get("delay"):
            time.sleep(float(rule.spec["delay"]))
        action = rule.action if rule else "pass"
        if action == "reset":
            state.record(self.command, self.path, 0, fault)
            return self.reset()
        if action == "respond":
            self.discard_body()
            status = int(rule.spec.get("status", 503))
            state.record(self.command, self.path, status, fault)
            return self.respond(rule.spec, status)
        truncate = int(rule.spec.get("bytes", 0)) if action == "truncate" else None
        upstream_path = rule.spec["to"] if action == "rewrite" else self.path
        # Recorded before the client sees the answer, so stats read after a request include it.
        self.forward(truncate, lambda status: state.record(self.command, self.path, status, fault), upstream_path)

    # -- control -----------------------------------------------------------------------------

    def control(self, state):
        body = self.read_body_fully()
        path = urlsplit(self.path).path
        if path == "/__faults" and self.command == "POST":
            state.set_rules(json.loads(body or b"{}").get("rules", []))
            return self.send_json(200, {"ok": True})
        if path == "/__faults":
            with state.lock:
                return self.send_json(200, {"rules": [r.describe() for r in state.rules]})
        if path == "/__stats":
            return self.send_json(200, state.snapshot())
        if path == "/__reset" and self.command == "POST":
            state.reset()
            return self.send_json(200, {"ok": True})
        self.send_json(404, {"error": "unknown control endpoint"})

    def send_json(self, status, value):
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # -- faults ------------------------------------------------------------------------------

    def respond(self, spec, status):
        if "bodyBase64" in spec:
            data = base64.b64decode(spec["bodyBase64"])
        elif "body" in spec:
            data = spec["body"].encode()
        elif status < 400:
            data = b""
        else:
            data = json.dumps({"errors": [{"code": "UNAVAILABLE", "message": "fault injected by test proxy",
                                           "detail": None}]}).encode()
        headers = spec.get("headers") or {}
        self.send_response(status)
        if not any(k.lower() == "content-type" for k in headers):
            self.send_header("Content-Type", "application/json")
        for k, v in headers.items():
            self.send_header(k, str(v))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def reset(self):
        """Drops the client connection with a TCP RST, as a crashed peer or a middlebox would."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    # -- forwarding --------------------------------------------------------------------------

    def request_body(self):
        """(iterable, headers) for the client's request body, streamed."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self.read_chunked(), {"Transfer-Encoding": "chunked"}
        length = int(self.headers.get("Content-Length") or 0)
        if length == 0:
            return None, ({"Content-Length": "0"} if self.command in ("POST", "PUT", "PATCH") else {})
        return self.read_length(length), {"Content-Length": str(length)}

    def read_length(self, length):
        left = length
        while left > 0:
            data = self.rfile.read(min(CHUNK, left))
            if not data:
                raise ConnectionError("client closed mid-body")
            left -= len(data)
            yield data

    def read_chunked(self):
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return
            yield from self.read_length(size)
            self.rfile.readline()

    def discard_body(self):
        body, _ = self.request_body()
        for _ in body or ():
            pass

    def read_body_fully(self):
        body, _ = self.request_body()
        return b"".join(body or ())

    def upstream_connection(self):
        if self.upstream is None:
            host, port = self.server.upstream
            self.upstream = http.client.HTTPConnection(host, port, timeout=300)
        return self.upstream

    def forward(self, truncate, record, upstream_path):
        body, body_headers = self.request_body()
        headers = [(k, v) for k, v in self.headers.items()
                   if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"]
        if self.headers.get("Host") is None:
            headers.append(("Host", "%s:%d" % self.server.upstream))
        headers += list(body_headers.items())
        # A kept-alive upstream connection may have been closed by the registry meanwhile; a
        # request without a body can be sent again on a fresh one, one with a body cannot.
        attempts = 2 if body is None else 1
        for attempt in range(attempts):
            conn = self.upstream_connection()
            try:
                self.send_upstream(conn, upstream_path, headers, body, body_headers.get("Transfer-Encoding") == "chunked")
                response = conn.getresponse()
                break
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                self.upstream = None
                if attempt + 1 < attempts:
                    continue
                self.log_message("upstream failed: %r", error)
                self.close_connection = True
                record(502)
                try:
                    self.send_json(502, {"errors": [{"code": "UNAVAILABLE", "message": "upstream: %s" % error}]})
                except OSError:
                    pass
                return 502
        record(response.status)
        self.relay(response, truncate)

    def send_upstream(self, conn, path, headers, body, chunked):
        # Host passes through unchanged, so the registry builds Location URLs that point here.
        conn.putrequest(self.command, path, skip_host=True, skip_accept_encoding=True)
        for k, v in headers:
            conn.putheader(k, v)
        conn.endheaders()
        for data in body or ():
            conn.send(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
        if chunked:
            conn.send(b"0\r\n\r\n")

    def relay(self, response, truncate):
        self.send_response_only(response.status, response.reason)
        length = response.getheader("Content-Length")
        has_body = self.command != "HEAD" and response.status not in (204, 304) and response.status >= 200
        # Without a length, re-chunk for HTTP/1.1 clients; an HTTP/1.0 client reads to the close.
        chunked = has_body and length is None and self.request_version != "HTTP/1.0"
        if has_body and length is None and not chunked:
            self.close_connection = True
        for k, v in response.getheaders():
            if k.lower() in HOP_BY_HOP:
                continue
            if k.lower() == "location":
                v = v.replace(self.server.upstream_origin, self.server.origin)
            self.send_header(k, v)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        if response.will_close:
            self.close_connection = True
        self.end_headers()
        sent = 0
        while has_body:
            data = response.read1(CHUNK)
            if not data:
                break
            if truncate is not None and sent + len(data) >= truncate:
                self.wfile.write(data[:truncate - sent])
                self.wfile.flush()
                response.close()
                self.upstream.close()
                self.upstream = None
                return self.end_after_truncation()
            sent += len(data)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        # Always finish the upstream response (a Content-Length: 0 body included), or the kept-alive
        # connection is left mid-response and the next request on it fails.
        response.read()

    def end_after_truncation(self):
        # A clean FIN after a short body: the client sees fewer bytes than Content-Length promised.
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, BrokenPipeError, OSError)):
            return  # clients going away mid-transfer are part of what this proxy tests
        super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="HOST:PORT of the registry")
    parser.add_argument("--faults", help="JSON file with the initial rules")
    args = parser.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    host, _, port = args.upstream.rpartition(":")
    server.upstream = (host, int(port))
    server.upstream_origin = "http://" + args.upstream
    server.origin = "http://127.0.0.1:%d" % args.port
    server.state = State()
    if args.faults:
        with open(args.faults) as f:
            server.state.set_rules(json.load(f).get("rules", []))
    sys.stderr.write("fault proxy listening on 127.0.0.1:%d -> %s\n" % (args.port, args.upstream))
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
