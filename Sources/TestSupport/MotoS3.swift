import Foundation

/// S3 and IAM set-up on a moto server, sent unsigned (moto accepts that while it does not check
/// signatures, or within its first `initialNoAuthActionCount` calls), and its request log.
extension MotoServer {
    /// An IAM user's access key.
    public struct AccessKey: Sendable {
        public let id: String
        public let secret: String
    }

    /// One request moto logged: `PUT /bucket/v2/app/blobs/sha256:… 200`.
    public struct LoggedRequest: Sendable, Equatable {
        public let method: String
        public let path: String
        public let status: Int
    }

    public func createBucket(_ name: String) throws {
        try expect(200, LoopbackHTTP.request("PUT", port: port, path: "/\(name)", body: Data()), "create bucket \(name)")
    }

    /// The status of an anonymous `GET /<bucket>/<key>` (after `allowPublicReads`): 200 when the
    /// object exists, 404 when not. (moto answers an anonymous HEAD of an existing object 403.)
    public func objectStatus(bucket: String, key: String) throws -> Int {
        try LoopbackHTTP.request("GET", port: port, path: "/\(bucket)/\(key)").status
    }

    /// A bucket policy letting anyone GET objects: what a bucket's public URL needs.
    public func allowPublicReads(_ bucket: String) throws {
        let policy = """
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",\
        "Resource":"arn:aws:s3:::\(bucket)/*"}]}
        """
        let response = try LoopbackHTTP.request("PUT", port: port, path: "/\(bucket)?policy", body: Data(policy.utf8))
        guard (200..<300).contains(response.status) else { throw failure("put policy on \(bucket)", response) }
    }

    /// An IAM user allowed everything on S3, and an access key for it (3 calls). Once moto checks
    /// signatures, only this key (with its secret) is accepted.
    public func createS3User(_ name: String) throws -> AccessKey {
        try createUser(name, allowing: "s3:*")
    }

    /// An IAM user allowed `action` (`ecr:*`) on everything, and an access key for it (3 calls).
    public func createUser(_ name: String, allowing action: String) throws -> AccessKey {
        try iam(["Action": "CreateUser", "UserName": name])
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"\#(action)","Resource":"*"}]}"#
        try iam(["Action": "PutUserPolicy", "UserName": name, "PolicyName": "allow", "PolicyDocument": policy])
        let body = try iam(["Action": "CreateAccessKey", "UserName": name])
        guard let id = Self.element("AccessKeyId", in: body), let secret = Self.element("SecretAccessKey", in: body) else {
            throw ServiceError("moto's CreateAccessKey answer has no key: \(body)")
        }
        return AccessKey(id: id, secret: secret)
    }

    /// The S3 requests moto served so far, from its log (werkzeug's access lines).
    public var requests: [LoggedRequest] {
        log.split(separator: "\n").compactMap { line in
            guard let open = line.firstIndex(of: "\""), let close = line[line.index(after: open)...].firstIndex(of: "\"") else { return nil }
            let request = line[line.index(after: open)..<close].split(separator: " ")
            let after = line[line.index(after: close)...].split(separator: " ")
            guard request.count >= 2, let status = after.first.flatMap({ Int($0) }) else { return nil }
            return LoggedRequest(method: String(request[0]), path: String(request[1]), status: status)
        }
    }

    @discardableResult
    private func iam(_ parameters: [String: String]) throws -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let form = (parameters.merging(["Version": "2010-05-08"]) { a, _ in a })
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.value)" }
            .joined(separator: "&")
        let response = try LoopbackHTTP.request("POST", port: port, path: "/", body: Data(form.utf8), headers: [
            "Content-Type": "application/x-www-form-urlencoded",
            // moto routes by the credential scope's service; no signature is checked during set-up.
            "Authorization": "AWS4-HMAC-SHA256 Credential=setup/20260101/\(region)/iam/aws4_request, SignedHeaders=host, Signature=0",
        ])
        guard response.status == 200 else { throw failure("IAM \(parameters["Action"] ?? "")", response) }
        return String(decoding: response.body, as: UTF8.self)
    }

    private func expect(_ status: Int, _ response: LoopbackHTTP.Response, _ what: String) throws {
        guard response.status == status else { throw failure(what, response) }
    }

    private func failure(_ what: String, _ response: LoopbackHTTP.Response) -> ServiceError {
        ServiceError("moto: \(what): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
    }

    private static func element(_ name: String, in xml: String) -> String? {
        guard let start = xml.range(of: "<\(name)>"), let end = xml.range(of: "</\(name)>", range: start.upperBound..<xml.endIndex) else {
            return nil
        }
        return String(xml[start.upperBound..<end.lowerBound])
    }
}

extension NginxServer {
    /// nginx serving `bucket` of `moto` as a registry, as a bucket's public URL with the rewrite
    /// rules of the README does: `/v2/` → the `v2` ping object, `/v2/…` → the objects under `v2/`.
    public static func bucketRegistry(moto: MotoServer, bucket: String) throws -> NginxServer {
        try NginxServer { directory, ports in
            """
            server {
                listen 127.0.0.1:\(ports[0]);
                access_log \(directory)/access.log;
                location = /v2/ {
                    proxy_pass http://\(moto.host)/\(bucket)/v2;
                    add_header Docker-Distribution-API-Version registry/2.0 always;
                }
                location /v2/ {
                    proxy_pass http://\(moto.host)/\(bucket)/v2/;
                    add_header Docker-Distribution-API-Version registry/2.0 always;
                }
            }
            """
        }
    }

    /// `127.0.0.1:PORT`, the registry part of image references read through it.
    public var host: String { "127.0.0.1:\(ports[0])" }
}
