import Foundation
import HTTP

extension RegistryClient {
    /// The size of blob `digest` in `repository`, or nil when the repository lacks it
    /// (−1 when the registry does not say how big it is).
    public func blobExists(repository: String, digest: Digest) async throws -> Int64? {
        let url = url("/v2/\(repository)/blobs/\(digest)")
        let response = try await retrying("HEAD \(repository)@\(digest.short)") {
            let response = try await send("HEAD", url, scopes: readScopes(repository))
            try check(response, "HEAD", url, accepting: [404])
            return response
        }
        guard response.status != 404 else { return nil }
        return response.headers["Content-Length"].flatMap { Int64($0) } ?? -1
    }

    /// Asks the registry to link blob `digest` from `sourceRepository` into `repository` without
    /// copying (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#mounting-a-blob-from-another-repository).
    /// True when mounted (201). False when the registry declines: a 202 opens an ordinary upload
    /// session instead (distribution does this when the source lacks the blob or we may not read
    /// it), which is cancelled; a 4xx means mounting is not allowed. The caller then uploads.
    public func mountBlob(repository: String, digest: Digest, from sourceRepository: String) async throws -> Bool {
        try await prepareForPush(repository)
        let url = url("/v2/\(repository)/blobs/uploads/?mount=\(digest)&from=\(queryValue(sourceRepository))")
        let scopes = writeScopes(repository) + ["repository:\(sourceRepository):pull"]
        let response = try await retrying("mount \(digest.short) from \(sourceRepository) into \(repository)") {
            let response = try await send("POST", url, scopes: scopes)
            try check(response, "POST", url, accepting: Set(400..<500))
            return response
        }
        switch response.status {
        case 201:
            return true
        case 202:
            if let location = response.headers["Location"] { await cancelUpload(Self.resolve(location, against: url), repository) }
            return false
        default:
            logger.debug("mount of \(digest.short) from \(sourceRepository) into \(repository) refused: \(response.status)")
            return false
        }
    }

    /// Streams blob `digest` of `repository` into `sink`, following redirects to blob storage.
    /// The content is hashed on the way and checked against `digest` (and `size` when given)
    /// before its last byte is handed on, so a corrupt blob never completes downstream.
    /// When `sink` is an `HTTPBodyPipe`, it is finished on success and failed on error.
    /// Retried only while nothing has reached `sink`. Returns the number of bytes delivered.
    @discardableResult
    public func getBlob(repository: String, digest: Digest, size: Int64? = nil, into sink: HTTPBodySink) async throws -> Int64 {
        let url = url("/v2/\(repository)/blobs/\(digest)")
        do {
            let delivered = try await retrying("GET \(repository)@\(digest.short)") {
                var last: BlobReceiver?
                do {
                    let received = try await authorized(HTTPRequest(method: "GET", url: url), scopes: readScopes(repository)) {
                        let receiver = BlobReceiver(digest: digest, size: size, downstream: sink)
                        last = receiver
                        return ReceivedHead(head: try await http.send($0, into: receiver), receiver: receiver)
                    }
                    return try received.receiver.finish(registry: registry, path: displayPath(url))
                } catch let error as DigestError {
                    let wrapped = RegistryError(registry: registry, method: "GET", path: displayPath(url),
                                                reason: error.description, classification: .retryable)
                    throw (last?.delivered ?? 0) > 0 ? DoNotRetry(error: wrapped) : wrapped
                } catch {
                    throw (last?.delivered ?? 0) > 0 ? DoNotRetry(error: error) : error
                }
            }
            (sink as? HTTPBodyPipe)?.finish()
            return delivered
        } catch {
            (sink as? HTTPBodyPipe)?.fail(error)
            throw error
        }
    }

    /// Drops an upload session we will not use (best effort: sessions also expire on their own).
    func cancelUpload(_ location: String, _ repository: String) async {
        do {
            _ = try await send("DELETE", location, scopes: writeScopes(repository))
        } catch {
            logger.debug("cancelling upload session in \(repository) failed: \(error)")
        }
    }
}

struct ReceivedHead: HasResponseHead {
    let head: HTTPResponseHead
    let receiver: BlobReceiver
}

/// Sits between the HTTP client and the caller's sink for a blob GET: passes a 2xx body on while
/// verifying it, and keeps an error body (or the 401 before a re-authenticated retry) to itself.
final class BlobReceiver: HTTPBodySink, @unchecked Sendable {
    private let lock = NSLock()
    private let digest: Digest
    private let downstream: HTTPBodySink
    private var verifier: DigestVerifier
    private var head: HTTPResponseHead?
    private var errorBody: [UInt8] = []
    private var passing = false
    private var deliveredBytes: Int64 = 0

    init(digest: Digest, size: Int64?, downstream: HTTPBodySink) {
        self.digest = digest
        self.downstream = downstream
        self.verifier = DigestVerifier(expected: digest, size: size)
    }

    /// Bytes handed to the caller's sink so far.
    var delivered: Int64 { lock.withLock { deliveredBytes } }

    func receive(head: HTTPResponseHead) throws {
        lock.withLock { self.head = head }
        guard (200..<300).contains(head.status) else { return }
        lock.withLock {
            passing = true
            if verifier.expectedSize == nil, let length = head.headers["Content-Length"].flatMap({ Int64($0) }) {
                verifier = DigestVerifier(expected: digest, size: length)
            }
        }
        try downstream.receive(head: head)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        let pass: Bool = try lock.withLock {
            guard passing else {
                if errorBody.count < 64 << 10 { errorBody.append(contentsOf: bytes.prefix(64 << 10 - errorBody.count)) }
                return false
            }
            try verifier.update(bytes)
            if let size = verifier.expectedSize, verifier.count == size { try verifier.verify() }
            return true
        }
        guard pass else { return }
        try downstream.write(bytes)
        lock.withLock { deliveredBytes += Int64(bytes.count) }
    }

    /// After the exchange: the error for a non-2xx answer, or a final check of the content.
    func finish(registry: String, path: String) throws -> Int64 {
        return try lock.withLock {
            guard let head else {
                throw RegistryError(registry: registry, method: "GET", path: path, reason: "no response", classification: .retryable)
            }
            guard passing else { throw RegistryError(registry: registry, method: "GET", path: path, head: head, body: errorBody) }
            try verifier.verify()
            return deliveredBytes
        }
    }
}
