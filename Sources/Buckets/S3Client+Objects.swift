import AWS
import Foundation
import HTTP
import OCI

/// What a HEAD tells about an object.
public struct ObjectHead: Sendable, Equatable {
    public let size: Int64
    public let contentType: String?
    /// User metadata (`x-amz-meta-NAME`), by lowercased NAME.
    public let metadata: [String: String]
}

/// One object of a listing.
public struct ObjectSummary: Sendable, Equatable {
    public let key: String
    /// nil when the store sent no date it could parse: treat as new.
    public let lastModified: Date?

    public init(key: String, lastModified: Date?) {
        self.key = key; self.lastModified = lastModified
    }

    /// One object per `Contents` (a boundary entry), whatever the order of its `Key` and `LastModified`:
    /// a date given to the wrong key could let a purge delete an object younger than its margin.
    static func parse(_ values: [(name: String, text: String)]) -> [ObjectSummary] {
        var objects: [ObjectSummary] = []
        var key: String?
        var lastModified: Date?
        func flush() {
            if let key { objects.append(ObjectSummary(key: key, lastModified: lastModified)) }
            key = nil; lastModified = nil
        }
        for (name, text) in values {
            switch name {
            case "Contents": flush()
            case "Key": key = text
            case "LastModified": lastModified = Self.date(text)
            default: break
            }
        }
        flush()
        return objects
    }

    /// ISO 8601, with or without fractional seconds (`2026-11-29T06:35:41.000Z`).
    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}

extension S3Client {
    /// The object's size, type and metadata, or nil when there is none.
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html
    public func headObject(_ key: String) async throws -> ObjectHead? {
        let response = try await retrying("HEAD \(key)") {
            let response = try await send("HEAD", key: key)
            try check(response, "HEAD", key: key, accepting: [404])
            return response
        }
        guard response.status != 404 else { return nil }
        var metadata: [String: String] = [:]
        for (name, value) in response.headers where name.lowercased().hasPrefix("x-amz-meta-") {
            metadata[String(name.lowercased().dropFirst("x-amz-meta-".count))] = value
        }
        return ObjectHead(size: response.headers["Content-Length"].flatMap { Int64($0) } ?? -1,
                          contentType: response.headers["Content-Type"], metadata: metadata)
    }

    /// The object's bytes (a manifest, a tag list: small objects only), or nil when there is none.
    public func getObject(_ key: String, maxBytes: Int = 16 << 20) async throws -> [UInt8]? {
        let response = try await retrying("GET \(key)") {
            let response = try await send("GET", key: key, maxBodyBytes: maxBytes)
            try check(response, "GET", key: key, accepting: [404])
            return response
        }
        return response.status == 404 ? nil : response.body
    }

    /// Stores `bytes` under `key` in one PUT, signed with their sha256 so S3 refuses a body altered
    /// on the way. https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
    public func putObject(_ key: String, bytes: [UInt8], contentType: String, metadata: [String: String] = [:]) async throws {
        let headers = Self.objectHeaders(contentType: contentType, metadata: metadata)
        try await retrying("PUT \(key)") {
            let response = try await send("PUT", key: key, headers: headers, body: bytes)
            try check(response, "PUT", key: key)
        }
    }

    /// Stores `size` bytes read from a fresh `makeSource()` per attempt under `key`: one PUT up to
    /// `options.multipartThreshold`, parts above it. `sha256Hex` (the content's own hash, when
    /// known) signs a single PUT, so S3 rejects a body that does not hash to it; nothing is stored
    /// under `key` unless all `size` bytes arrived.
    public func putObject(_ key: String, size: Int64, sha256Hex: String?, contentType: String,
                          metadata: [String: String] = [:], sources makeSource: () async throws -> HTTPBodySource) async throws {
        try await retrying("PUT \(key)") {
            let source = try await makeSource()
            do {
                if size > options.multipartThreshold {
                    try await putInParts(key, size: size, contentType: contentType, metadata: metadata, source: source)
                } else {
                    try await putStream(key, size: size, sha256Hex: sha256Hex, contentType: contentType,
                                        metadata: metadata, source: source)
                }
            } catch {
                // The writer of a pipe must stop too, or it would wait for a reader that is gone.
                (source as? HTTPBodyPipe)?.fail(error)
                throw error
            }
        }
    }

    private func putStream(_ key: String, size: Int64, sha256Hex: String?, contentType: String,
                           metadata: [String: String], source: HTTPBodySource) async throws {
        let request = HTTPRequest(method: "PUT", url: url(key: key),
                                  headers: Self.objectHeaders(contentType: contentType, metadata: metadata),
                                  body: .stream(ExactLengthSource(source, length: size), length: size))
        let response = try await transmit(request, payloadHash: sha256Hex ?? SigV4Signer.unsignedPayload, key: key)
        try check(response, "PUT", key: key)
    }

    /// Copies `sourceKey` of this bucket to `key` server-side, type and metadata included.
    /// False when `sourceKey` does not exist. Objects up to 5 GiB.
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
    public func copyObject(from sourceKey: String, to key: String) async throws -> Bool {
        let encodedSource = ("/\(address.bucket)/" + sourceKey).split(separator: "/", omittingEmptySubsequences: false)
            .map { SigV4Signer.encode(String($0)) }.joined(separator: "/")
        let response = try await retrying("COPY \(sourceKey) to \(key)") {
            let response = try await send("PUT", key: key, headers: ["x-amz-copy-source": encodedSource])
            try check(response, "PUT", key: key, accepting: [404], errorIn200: true)
            return response
        }
        return response.status != 404
    }

    /// Every key under `prefix`, following continuation tokens.
    public func listKeys(prefix: String) async throws -> [String] {
        try await listObjects(prefix: prefix).map(\.key)
    }

    /// Every object under `prefix` with its last modification, following continuation tokens.
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
    public func listObjects(prefix: String) async throws -> [ObjectSummary] {
        var objects: [ObjectSummary] = []
        var token: String?
        repeat {
            var query: [(String, String?)] = [("list-type", "2"), ("prefix", prefix)]
            if let token { query.append(("continuation-token", token)) }
            let description = "list \(prefix)"
            let response = try await retrying("GET \(description)") {
                let response = try await send("GET", key: "", query: query, maxBodyBytes: 64 << 20)
                try check(response, "GET", key: description)
                return response
            }
            let values = S3XML.values(of: ["Key", "LastModified", "NextContinuationToken", "IsTruncated"],
                                      boundaries: ["Contents"], in: response.body)
            objects += ObjectSummary.parse(values)
            token = try Self.continuation(values, bucket: address.description, prefix: prefix)
        } while token != nil
        return objects
    }

    /// The token of the next page; a listing that says it is truncated without one is an error, not a
    /// short answer: a purge that sees part of an image would take the rest for orphans.
    static func continuation(_ values: [(name: String, text: String)], bucket: String, prefix: String) throws -> String? {
        guard values.first(where: { $0.name == "IsTruncated" })?.text == "true" else { return nil }
        guard let token = values.first(where: { $0.name == "NextContinuationToken" })?.text, !token.isEmpty else {
            throw S3Error(bucket: bucket, method: "GET", key: "list \(prefix)", status: 200,
                          message: "the listing is truncated but has no NextContinuationToken", classification: .fatal)
        }
        return token
    }

    /// Removes `key` (absent is fine).
    public func deleteObject(_ key: String) async throws {
        try await retrying("DELETE \(key)") {
            let response = try await send("DELETE", key: key)
            try check(response, "DELETE", key: key, accepting: [404])
        }
    }

    static func objectHeaders(contentType: String, metadata: [String: String]) -> HTTPHeaders {
        var headers: HTTPHeaders = ["Content-Type": contentType]
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) { headers.add("x-amz-meta-\(name)", value) }
        return headers
    }
}
