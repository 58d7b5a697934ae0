#!/usr/bin/env python3
"""Pushes test images into a registry, independently of docker-sync's own code.

Reads a JSON request on stdin:
    {"registry": "127.0.0.1:PORT", "username": U, "password": P,     (optional; Basic or token auth)
     "images": [{"repository": R, "tag": T, "kind": K, "layers": [bytes, ...], "seed": S,
                 "baseLayer": bytes | null, "configMediaType": M, "artifactType": A}]}
kind: docker | oci | docker-list | oci-index | nested-index | artifact | pretty
Writes {"images": [{"repository", "tag", "digest", "mediaType", "size",
                    "manifests": [{"digest", "mediaType", "platform"}...] (children, child first),
                    "blobs": [digest, ...]}]} on stdout.

Blob content is pseudo-random, deterministic per (seed, platform, layer index), generated in chunks and
streamed (PATCH, then PUT ?digest=) so a big layer is never held in memory. `baseLayer` adds a first
layer whose content depends only on its size, so images seeded with the same size share it.
Uploads follow https://github.com/opencontainers/distribution-spec/blob/main/spec.md#push: POST then
PUT (distribution 2.8 ignores a body on POST ?digest=).
"""
import base64
import hashlib
import http.client
import json
import random
import re
import sys
from urllib.parse import urlencode, urljoin, urlsplit

CHUNK = 1024 * 1024

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"

PLATFORMS = [{"architecture": "amd64", "os": "linux"},
             {"architecture": "arm64", "os": "linux", "variant": "v8"}]
EXTRA_PLATFORM = {"architecture": "s390x", "os": "linux"}


class RegistryError(Exception):
    pass


class Client:
    """HTTP to one registry with keep-alive, following Basic and Bearer challenges."""

    def __init__(self, registry, username=None, password=None):
        self.base = "http://" + registry
        self.username, self.password = username, password
        self.connections = {}
        self.auth = {}  # repository -> Authorization header value
        self.basic = None
        if username is not None:
            raw = ("%s:%s" % (username, password or "")).encode()
            self.basic = "Basic " + base64.b64encode(raw).decode()

    def connection(self, netloc, fresh=False):
        if fresh or netloc not in self.connections:
            if netloc in self.connections:
                self.connections[netloc].close()
            host, _, port = netloc.rpartition(":")
            self.connections[netloc] = http.client.HTTPConnection(host, int(port), timeout=600)
        return self.connections[netloc]

    def request(self, method, url, repository, body=None, headers=None, ok=(200, 201, 202, 204)):
        """(status, headers, data). `body` is bytes or a callable returning a fresh iterable of chunks
        (so it can be sent again after an auth challenge); a callable needs a Content-Length header."""
        url = urljoin(self.base + "/", url)
        for attempt in range(3):
            status, response_headers, data = self.send(method, url, repository, body, headers or {})
            if status == 401 and attempt < 2:
                self.authenticate(response_headers.get("WWW-Authenticate", ""), repository)
                continue
            break
        if status not in ok:
            raise RegistryError("%s %s -> %d %s" % (method, url, status, data[:500].decode("utf-8", "replace")))
        return status, response_headers, data

    def send(self, method, url, repository, body, headers):
        parts = urlsplit(url)
        target = parts.path + ("?" + parts.query if parts.query else "")
        headers = dict(headers)
        if repository in self.auth:
            headers["Authorization"] = self.auth[repository]
        elif self.basic and "*basic*" in self.auth:
            headers["Authorization"] = self.basic
        for attempt in range(2):
            conn = self.connection(parts.netloc, fresh=attempt > 0)
            try:
                conn.putrequest(method, target, skip_accept_encoding=True)
                for k, v in headers.items():
                    conn.putheader(k, v)
                if body is None:
                    if method in ("POST", "PUT", "PATCH"):
                        conn.putheader("Content-Length", "0")
                    conn.endheaders()
                elif isinstance(body, (bytes, bytearray)):
                    conn.putheader("Content-Length", str(len(body)))
                    conn.endheaders(body)
                else:
                    conn.endheaders()
                    for chunk in body():
                        conn.send(chunk)
                response = conn.getresponse()
                data = response.read()
                return response.status, response.headers, data
            except (OSError, http.client.HTTPException):
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def authenticate(self, challenge, repository):
        scheme, _, params = challenge.partition(" ")
        if scheme.lower() == "basic":
            if not self.basic:
                raise RegistryError("registry wants Basic auth and no credentials were given")
            self.auth["*basic*"] = self.basic
            self.auth[repository] = self.basic
            return
        if scheme.lower() != "bearer":
            raise RegistryError("unsupported challenge %r" % challenge)
        fields = dict(re.findall(r'(\w+)="([^"]*)"', params))
        query = [("service", fields.get("service", ""))]
        if repository:
            query.append(("scope", "repository:%s:pull,push" % repository))
        elif fields.get("scope"):
            query.append(("scope", fields["scope"]))
        realm = urlsplit(fields["realm"])
        conn = http.client.HTTPConnection(realm.hostname, realm.port or 80, timeout=60)
        headers = {"Authorization": self.basic} if self.basic else {}
        conn.request("GET", realm.path + "?" + urlencode(query), headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        if response.status != 200:
            raise RegistryError("token request -> %d %s" % (response.status, data[:300]))
        token = json.loads(data)
        self.auth[repository] = "Bearer " + (token.get("token") or token.get("access_token"))


class Seeder:
    def __init__(self, client):
        self.client = client
        self.known = {}  # content key -> (digest, size): blobs already generated once

    # -- blobs -------------------------------------------------------------------------------

    def blob_exists(self, repository, digest):
        status, _, _ = self.client.request("HEAD", "/v2/%s/blobs/%s" % (repository, digest), repository,
                                           ok=(200, 404))
        return status == 200

    def push_bytes(self, repository, data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        if not self.blob_exists(repository, digest):
            location = self.start_upload(repository)
            self.client.request("PUT", add_query(location, digest=digest), repository, body=data,
                                headers={"Content-Type": "application/octet-stream"})
        return {"digest": digest, "size": len(data)}

    def push_generated(self, repository, key, size):
        if key in self.known:
            digest, size = self.known[key]
            if self.blob_exists(repository, digest):
                return {"digest": digest, "size": size}
        hasher = [None]

        def chunks():
            hasher[0] = hashlib.sha256()
            rng = random.Random(key)
            left = size
            while left > 0:
                data = rng.randbytes(min(CHUNK, left))
                hasher[0].update(data)
                left -= len(data)
                yield data

        location = self.start_upload(repository)
        _, headers, _ = self.client.request("PATCH", location, repository, body=chunks, headers={
            "Content-Type": "application/octet-stream", "Content-Length": str(size)})
        digest = "sha256:" + hasher[0].hexdigest()
        self.client.request("PUT", add_query(headers["Location"], digest=digest), repository)
        self.known[key] = (digest, size)
        return {"digest": digest, "size": size}

    def start_upload(self, repository):
        _, headers, _ = self.client.request("POST", "/v2/%s/blobs/uploads/" % repository, repository)
        return headers["Location"]

    # -- manifests ---------------------------------------------------------------------------

    def push_manifest(self, repository, reference, media_type, data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        _, headers, _ = self.client.request("PUT", "/v2/%s/manifests/%s" % (repository, reference), repository,
                                            body=data, headers={"Content-Type": media_type})
        echoed = headers.get("Docker-Content-Digest")
        if echoed and echoed != digest:
            raise RegistryError("registry stored %s as %s, expected %s" % (reference, echoed, digest))
        return {"mediaType": media_type, "digest": digest, "size": len(data)}

    def image(self, spec, platform, oci, reference=None, pretty=False, artifact=False):
        """Pushes config + layers + manifest; returns (descriptor, blobs)."""
        repo, seed = spec["repository"], spec.get("seed", 0)
        tag = "%s/%s/%s" % (seed, platform["architecture"], platform.get("variant", ""))
        layers = []
        if spec.get("baseLayer"):
            layers.append(self.push_generated(repo, "base/%d" % spec["baseLayer"], spec["baseLayer"]))
        for i, size in enumerate(spec.get("layers", [1024])):
            layers.append(self.push_generated(repo, "layer/%s/%d" % (tag, i), size))
        if artifact:
            config_type = spec.get("configMediaType") or "application/vnd.example.config.v1+json"
            config = json.dumps({"seed": seed, "note": "docker-sync test artifact"}).encode()
            layer_type = "application/vnd.example.data.v1"
        else:
            config_type = OCI_CONFIG if oci else DOCKER_CONFIG
            config = json.dumps({
                "architecture": platform["architecture"], "os": platform["os"],
                "created": "2024-01-01T00:00:00Z",
                "config": {"Env": ["DOCKER_SYNC_TEST_SEED=%s" % tag]},
                "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]},
            }, separators=(",", ":"), sort_keys=True).encode()
            layer_type = OCI_LAYER if oci else DOCKER_LAYER
        config_desc = dict(self.push_bytes(repo, config), mediaType=config_type)
        media_type = OCI_MANIFEST if oci else DOCKER_MANIFEST
        manifest = {"schemaVersion": 2, "mediaType": media_type}
        if artifact:
            manifest["artifactType"] = spec.get("artifactType") or "application/vnd.example.artifact.v1"
        manifest["config"] = ordered_descriptor(config_desc)
        manifest["layers"] = [ordered_descriptor(dict(l, mediaType=layer_type)) for l in layers]
        if artifact:
            for i, layer in enumerate(manifest["layers"]):
                layer["annotations"] = {"org.opencontainers.image.title": "data-%d.bin" % i}
        data = (json.dumps(manifest, indent=3) + "\n") if pretty else json.dumps(manifest, separators=(",", ":"))
        descriptor = self.push_manifest(repo, reference or manifest_digest(data.encode()), media_type, data.encode())
        blobs = [config_desc["digest"]] + [l["digest"] for l in layers]
        return descriptor, blobs

    def index(self, repository, reference, media_type, entries):
        manifest = {"schemaVersion": 2, "mediaType": media_type,
                    "manifests": [ordered_descriptor(e) for e in entries]}
        data = json.dumps(manifest, separators=(",", ":")).encode()
        return self.push_manifest(repository, reference or manifest_digest(data), media_type, data)

    def platform_images(self, spec, oci, platforms):
        children, blobs = [], []
        for platform in platforms:
            descriptor, image_blobs = self.image(spec, platform, oci)
            children.append(dict(descriptor, platform=platform))
            blobs += image_blobs
        return children, blobs

    def seed(self, spec):
        kind, repo, tag = spec["kind"], spec["repository"], spec["tag"]
        children, blobs = [], []
        if kind in ("docker", "oci", "pretty", "artifact"):
            descriptor, blobs = self.image(spec, PLATFORMS[0], kind != "docker", reference=tag,
                                           pretty=kind == "pretty", artifact=kind == "artifact")
        elif kind in ("docker-list", "oci-index"):
            oci = kind == "oci-index"
            children, blobs = self.platform_images(spec, oci, PLATFORMS)
            descriptor = self.index(repo, tag, OCI_INDEX if oci else DOCKER_LIST, children)
        elif kind == "nested-index":
            inner_children, blobs = self.platform_images(spec, True, PLATFORMS)
            inner = self.index(repo, None, OCI_INDEX, inner_children)
            extra, extra_blobs = self.platform_images(spec, True, [EXTRA_PLATFORM])
            children = inner_children + [inner] + extra
            blobs += extra_blobs
            descriptor = self.index(repo, tag, OCI_INDEX, [inner] + extra)
        else:
            raise RegistryError("unknown image kind %r" % kind)
        return dict(descriptor, repository=repo, tag=tag, manifests=children, blobs=unique(blobs))


def ordered_descriptor(d):
    keys = ["mediaType", "digest", "size", "platform", "annotations"]
    return {k: d[k] for k in keys if k in d}


def manifest_digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def add_query(location, **params):
    return location + ("&" if "?" in location else "?") + urlencode(params)


def unique(items):
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def main():
    request = json.load(sys.stdin)
    client = Client(request["registry"], request.get("username"), request.get("password"))
    seeder = Seeder(client)
    try:
        results = [seeder.seed(spec) for spec in request["images"]]
    except RegistryError as error:
        sys.stderr.write("seed_image: %s\n" % error)
        sys.exit(1)
    json.dump({"images": results}, sys.stdout)


if __name__ == "__main__":
    main()
