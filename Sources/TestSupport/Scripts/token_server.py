#!/usr/bin/env python3
"""A Docker Hub style token server for tests.

Issues ES256 JWTs that distribution's `auth: token` accepts, following
https://distribution.github.io/distribution/spec/auth/token/ and .../auth/jwt/.

    GET /token?service=SVC&scope=repository:NAME:pull,push[&scope=...]
        -> {"token": JWT, "access_token": JWT, "expires_in": N, "issued_at": ...}
    GET /__requests   -> every token request so far (user, scopes asked, access granted, status)
    POST /__reset     -> forget the recorded requests

Users come from a JSON file: {"users": {"NAME": {"password": P, "actions": ["pull", "push", ...]}},
"anonymous": "reject" | "none" | "pull", "expires_in": N}. A wrong password is a 401; an anonymous
request is a 401 ("reject"), a token with no access ("none"), or a pull-only token ("pull").
"""
import argparse
import base64
import json
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

# distribution allows this much clock skew on exp/nbf; tokens are issued that much earlier so a
# short `expires_in` really expires when the client is told it does.
REGISTRY_LEEWAY = 60


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Issuer:
    def __init__(self, key_path, cert_path, issuer, compensate_leeway):
        with open(key_path, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), password=None)
        with open(cert_path, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        self.x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")
        self.issuer = issuer
        self.leeway = REGISTRY_LEEWAY if compensate_leeway else 0

    def token(self, service, access, expires_in, subject):
        now = int(time.time())
        header = {"alg": "ES256", "typ": "JWT", "x5c": [self.x5c]}
        claims = {
            "iss": self.issuer,
            "sub": subject or "",
            "aud": service,
            "exp": now + expires_in - self.leeway,
            "nbf": now - 1,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + \
            b64url(json.dumps(claims, separators=(",", ":")).encode())
        der = self.key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return signing_input + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


class Policy:
    def __init__(self, config):
        self.users = config.get("users", {})
        self.anonymous = config.get("anonymous", "none")
        self.expires_in = int(config.get("expires_in", 300))

    def authenticate(self, authorization):
        """(status, user): status 401 for bad credentials; user None for anonymous."""
        if not authorization:
            return (401, None) if self.anonymous == "reject" else (200, None)
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "basic":
            return 401, None
        try:
            name, _, password = base64.b64decode(value).decode("utf-8").partition(":")
        except Exception:
            return 401, None
        user = self.users.get(name)
        if user is None or user.get("password") != password:
            return 401, name
        return 200, name

    def allowed_actions(self, user):
        if user is None:
            return {"pull"} if self.anonymous == "pull" else set()
        return set(self.users[user].get("actions", ["pull", "push", "delete", "*"]))

    def grant(self, user, scopes):
        allowed = self.allowed_actions(user)
        access = []
        for scope in scopes:
            parts = scope.split(":")
            if len(parts) < 3:
                continue
            kind, name, actions = parts[0], ":".join(parts[1:-1]), parts[-1].split(",")
            granted = [a for a in actions if a in allowed or (user is not None and "*" in allowed)]
            if granted:
                access.append({"type": kind, "name": name, "actions": granted})
        return access


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "docker-sync-test-token/1"

    def log_message(self, fmt, *args):
        sys.stderr.write("token: " + (fmt % args) + "\n")

    def reply(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/__requests":
            with self.server.lock:
                return self.reply(200, list(self.server.requests))
        if url.path != "/token":
            return self.reply(404, {"error": "not found"})
        query = parse_qs(url.query)
        service = query.get("service", [""])[0]
        scopes = query.get("scope", [])
        # Some clients send several scopes space-separated in one parameter.
        scopes = [s for joined in scopes for s in joined.split(" ") if s]
        policy = self.server.policy
        status, user = policy.authenticate(self.headers.get("Authorization"))
        access = policy.grant(user, scopes) if status == 200 else []
        with self.server.lock:
            self.server.requests.append({
                "user": user, "service": service, "scopes": scopes,
                "granted": access, "status": status, "time": time.time(),
            })
        if status != 200:
            return self.reply(401, {"details": "invalid credentials"},
                              {"WWW-Authenticate": 'Basic realm="docker-sync-test-token"'})
        token = self.server.issuer.token(service, access, policy.expires_in, user)
        self.reply(200, {
            "token": token, "access_token": token, "expires_in": policy.expires_in,
            "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        })

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if urlsplit(self.path).path == "/__reset":
            with self.server.lock:
                self.server.requests.clear()
            return self.reply(200, {})
        # OAuth2 POST /token is not offered: clients must fall back to GET, as with Docker Hub's v1 flow.
        self.reply(404, {"error": "not found"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--policy", required=True, help="JSON file: users, anonymous, expires_in")
    parser.add_argument("--no-leeway-compensation", action="store_true")
    args = parser.parse_args()
    with open(args.policy) as f:
        policy = Policy(json.load(f))
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.lock = threading.Lock()
    server.requests = []
    server.policy = policy
    server.issuer = Issuer(args.key, args.cert, args.issuer, not args.no_leeway_compensation)
    sys.stderr.write("token server listening on 127.0.0.1:%d\n" % args.port)
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
