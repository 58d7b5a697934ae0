import AWS
import Crypto
import Foundation
import HTTP
import Logging
import OCI

/// A client for one bucket's S3 API (AWS S3, Cloudflare R2, or any S3-compatible store):
/// path-style URLs, SigV4 on every request, retries under the project's `RetryPolicy`, and every
/// non-2xx answer parsed into an `S3Error` naming the bucket and request.
/// https://docs.aws.amazon.com/AmazonS3/latest/API/Welcome.html
///
/// Operations live in extensions by concern: objects (`S3Client+Objects`), multipart uploads
/// (`S3Client+Multipart`).
public final class S3Client: Sendable {
    public struct Options: Sendable {
        /// Blobs larger than this are uploaded in parts (a single PUT may carry at most 5 GiB).
        public var multipartThreshold: Int64 = 512 << 20
        /// Size of each part (at least 5 MiB but for the last; at most 10,000 parts per object).
        public var partSize: Int64 = 64 << 20
        public init() {}
    }

    public let address: BucketAddress
    /// `scheme://host[:port]` of the S3 API, without a trailing slash.
    public let endpoint: String
    public let options: Options
    let signer: SigV4Signer
    let http: HTTPClient
    let retryPolicy: RetryPolicy
    let logger: Logger

    /// `endpoint` nil: the provider's own (`address.defaultEndpoint`).
    public init(address: BucketAddress, endpoint: String? = nil, credentials: AWSCredentials, http: HTTPClient,
                retryPolicy: RetryPolicy = RetryPolicy(), options: Options = Options(),
                logger: Logger = Logger(label: "docker-sync.buckets")) {
        self.address = address
        var base = endpoint ?? address.defaultEndpoint
        while base.hasSuffix("/") { base.removeLast() }
        self.endpoint = base
        self.options = options
        self.signer = SigV4Signer(credentials: credentials, region: address.region, service: "s3")
        self.http = http
        self.retryPolicy = retryPolicy
        var logger = logger
        logger[metadataKey: "bucket"] = "\(address)"
        self.logger = logger
    }

    // MARK: Requests

    /// `endpoint/bucket/key?query`, each key segment percent-encoded once (S3 signs the path as sent).
    func url(key: String, query: [(String, String?)] = []) -> String {
        let path = key.split(separator: "/", omittingEmptySubsequences: false)
            .map { SigV4Signer.encode(String($0)) }.joined(separator: "/")
        var url = "\(endpoint)/\(address.bucket)" + (key.isEmpty ? "" : "/\(path)")
        if !query.isEmpty {
            url += "?" + query.map { name, value in
                SigV4Signer.encode(name) + (value.map { "=" + SigV4Signer.encode($0) } ?? "")
            }.joined(separator: "&")
        }
        return url
    }

    /// Signs and sends one request with an in-memory body, buffering the answer whatever its status.
    func send(_ method: String, key: String, query: [(String, String?)] = [], headers: HTTPHeaders = [:],
              body: [UInt8]? = nil, maxBodyBytes: Int = 16 << 20) async throws -> HTTPResponse {
        let payloadHash = body.map { SigV4Signer.hex(SHA256.hash(data: $0)) } ?? SigV4Signer.emptyPayloadHash
        let request = HTTPRequest(method: method, url: url(key: key, query: query), headers: headers,
                                  body: body.map { .bytes($0) } ?? .none)
        return try await transmit(request, payloadHash: payloadHash, key: key, maxBodyBytes: maxBodyBytes)
    }

    /// Signs `request` with `payloadHash` (the body's sha256 hex, or `UNSIGNED-PAYLOAD`) and sends it.
    /// A failure to get any response becomes an `S3Error`; errors of a streamed body pass as they are.
    func transmit(_ request: HTTPRequest, payloadHash: String, key: String, maxBodyBytes: Int = 16 << 20) async throws -> HTTPResponse {
        var request = request
        try signer.sign(&request, payloadHash: payloadHash)
        do {
            return try await http.send(request, maxBodyBytes: maxBodyBytes)
        } catch let error as HTTPError {
            throw S3Error(bucket: "\(address)", method: request.method, key: key, transport: error)
        }
    }

    /// Throws the `S3Error` for `response` unless its status is 2xx (or in `accepting`). CopyObject and
    /// CompleteMultipartUpload may fail after answering 200: their `<Error>` body counts (`errorIn200`).
    func check(_ response: HTTPResponse, _ method: String, key: String, accepting: Set<Int> = [],
               errorIn200: Bool = false) throws {
        let succeeded = (200..<300).contains(response.status) && !(errorIn200 && S3XML.isError(response.body))
        guard !succeeded, !accepting.contains(response.status) else { return }
        throw S3Error(bucket: "\(address)", method: method, key: key, response: response,
                      secret: signer.credentials.secretAccessKey)
    }

    /// Runs an idempotent operation, retrying 5xx, 429, `SlowDown` and lost connections with the
    /// policy's capped exponential backoff and full jitter; anything else is thrown at once.
    func retrying<T>(_ what: @autoclosure () -> String, _ operation: () async throws -> T) async throws -> T {
        var failures = 0
        while true {
            do {
                return try await operation()
            } catch let error as S3Error where error.classification != .fatal {
                failures += 1
                guard failures < retryPolicy.maxAttempts else { throw error }
                var delay = retryPolicy.backoff(retry: failures - 1)
                if case let .rateLimited(after?) = error.classification { delay = max(delay, after) }
                logger.notice("\(what()) failed, retrying in \(String(format: "%.1f", delay)) s: \(error)")
                try await RetryPolicy.taskSleep(delay)
            }
        }
    }
}
