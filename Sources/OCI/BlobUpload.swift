import Foundation
import HTTP

/// Blob uploads: POST opens a session, then one PUT carries the content (monolithic), or PATCHes
/// carry it in chunks and a final PUT commits it.
/// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
///
/// A streamed source is read once and cannot be replayed. `pushBlob(…, from:)` therefore makes a
/// single attempt (the caller's job retries); `pushBlob(…, sources:)` asks its factory for a fresh
/// source per attempt, which lets it retry and fall back to chunks when a registry (or the proxy
/// in front of it) refuses a large monolithic PUT.
extension RegistryClient {
    /// Statuses with which registries and proxies refuse a monolithic PUT that chunks may pass.
    static let monolithicRefusals: Set<Int> = [405, 413, 501]

    /// Pushes blob `digest` of `size` bytes read once from `source`: chunked above
    /// `options.monolithicUploadLimit`, else monolithic. No retry; an `HTTPBodyPipe` source is
    /// failed on error so that its writer stops too.
    public func pushBlob(repository: String, digest: Digest, size: Int64, from source: HTTPBodySource) async throws {
        try await upload(repository: repository, digest: digest, size: size, source: source,
                         chunked: size > options.monolithicUploadLimit)
    }

    /// Pushes blob `digest` of `size` bytes, calling `makeSource` for each try: retried under the
    /// retry policy, and re-sent in chunks when the monolithic PUT is refused (405/413/501).
    public func pushBlob(repository: String, digest: Digest, size: Int64,
                         sources makeSource: () async throws -> HTTPBodySource) async throws {
        try await retrying("push \(repository)@\(digest.short)") {
            if size <= options.monolithicUploadLimit {
                do {
                    return try await pushBlob(repository: repository, digest: digest, size: size, from: makeSource())
                } catch let error as RegistryError where error.status.map(Self.monolithicRefusals.contains) == true {
                    logger.info("\(repository)@\(digest.short): monolithic upload refused (\(error.status!)), sending chunks")
                }
            }
            try await upload(repository: repository, digest: digest, size: size, source: makeSource(), chunked: true)
        }
    }

    /// Pushes a small blob held in memory (a config), checking it against `digest` when given.
    /// Returns its digest.
    @discardableResult
    public func pushBlob(repository: String, bytes: [UInt8], digest expected: Digest? = nil) async throws -> Digest {
        let digest = Digest.compute(expected?.algorithm ?? .sha256, of: bytes)
        if let expected, expected != digest { throw DigestError.mismatch(expected: expected, actual: digest) }
        try await retrying("push \(repository)@\(digest.short)") {
            let location = try await startUpload(repository: repository)
            try await commit(repository: repository, location: location, digest: digest, body: .bytes(bytes))
        }
        return digest
    }

    // MARK: Steps

    /// One upload session; an `HTTPBodyPipe` source is failed on error so that its writer stops too.
    private func upload(repository: String, digest: Digest, size: Int64, source: HTTPBodySource, chunked: Bool) async throws {
        do {
            try await uploadSession(repository: repository, digest: digest, size: size, source: source, chunked: chunked)
        } catch {
            (source as? HTTPBodyPipe)?.fail(error)
            throw error
        }
    }

    private func uploadSession(repository: String, digest: Digest, size: Int64, source: HTTPBodySource, chunked: Bool) async throws {
        let location = try await retrying("start upload in \(repository)") { try await startUpload(repository: repository) }
        do {
            if chunked {
                let last = try await sendChunks(repository: repository, location: location, size: size, source: source)
                try await commit(repository: repository, location: last, digest: digest, body: .none)
            } else {
                let body = HTTPRequestBody.stream(ExactLengthSource(source, length: size), length: size)
                try await commit(repository: repository, location: location, digest: digest, body: body)
            }
        } catch {
            await cancelUpload(location, repository)
            throw error
        }
    }

    /// `POST /v2/<name>/blobs/uploads/` → the session URL (absolute).
    func startUpload(repository: String) async throws -> String {
        try await prepareForPush(repository)
        let url = url("/v2/\(repository)/blobs/uploads/")
        let response = try await send("POST", url, scopes: writeScopes(repository))
        try check(response, "POST", url)
        return try location(response, "POST", url)
    }

    /// PATCHes `size` bytes from `source` in `options.chunkSize` pieces; returns the last session URL.
    private func sendChunks(repository: String, location start: String, size: Int64, source: HTTPBodySource) async throws -> String {
        var location = start
        var offset: Int64 = 0
        while offset < size {
            let length = min(options.chunkSize, size - offset)
            let headers: HTTPHeaders = ["Content-Type": "application/octet-stream",
                                        "Content-Range": "\(offset)-\(offset + length - 1)"]
            let request = HTTPRequest(method: "PATCH", url: location, headers: headers,
                                      body: .stream(ExactLengthSource(source, length: length), length: length))
            let response = try await authorized(request, scopes: writeScopes(repository)) { try await http.send($0) }
            try check(response, "PATCH", location)
            location = try self.location(response, "PATCH", location)
            offset += length
        }
        return location
    }

    /// `PUT <location>&digest=…`, with the content (monolithic) or without (after chunks).
    private func commit(repository: String, location: String, digest: Digest, body: HTTPRequestBody) async throws {
        let url = location + (location.contains("?") ? "&" : "?") + "digest=\(digest)"
        var headers: HTTPHeaders = [:]
        if case .none = body {} else { headers.set("Content-Type", "application/octet-stream") }
        let request = HTTPRequest(method: "PUT", url: url, headers: headers, body: body)
        let response = try await authorized(request, scopes: writeScopes(repository)) { try await http.send($0) }
        try check(response, "PUT", url)
    }

    private func location(_ response: HTTPResponse, _ method: String, _ url: String) throws -> String {
        guard let location = response.headers["Location"], !location.isEmpty else {
            throw RegistryError(registry: registry, method: method, path: displayPath(url), status: response.status,
                                reason: "the registry sent no upload Location", classification: .retryable)
        }
        return Self.resolve(location, against: url)
    }
}

/// Passes on exactly `length` bytes of `base`: a chunk of a longer stream, or a whole blob that
/// must not come up short (a short source is an error, not a silently truncated upload).
public final class ExactLengthSource: HTTPBodySource, @unchecked Sendable {
    struct EndedEarly: Error, CustomStringConvertible {
        let read: Int64
        let expected: Int64
        var description: String { "the blob source ended after \(read) of \(expected) bytes" }
    }

    private let base: HTTPBodySource
    private let length: Int64
    private var read: Int64 = 0

    public init(_ base: HTTPBodySource, length: Int64) {
        self.base = base
        self.length = length
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let remaining = length - read
        guard remaining > 0, buffer.count > 0 else { return 0 }
        let window = UnsafeMutableRawBufferPointer(rebasing: buffer[..<Int(min(Int64(buffer.count), remaining))])
        let n = try base.read(into: window)
        guard n > 0 else { throw EndedEarly(read: read, expected: length) }
        read += Int64(n)
        return n
    }
}

/// A blob held in memory, as a body source.
public final class BytesSource: HTTPBodySource, @unchecked Sendable {
    private let bytes: [UInt8]
    private var offset = 0
    private let lock = NSLock()

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        lock.withLock {
            let n = min(buffer.count, bytes.count - offset)
            guard n > 0 else { return 0 }
            bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
            offset += n
            return n
        }
    }
}
