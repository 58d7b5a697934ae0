import Foundation
import HTTP
import OCI

/// An S3 request that failed: which bucket, which request (method and key), the status and S3's
/// error code, and what that means for retrying. Never holds a secret: S3's error body is reduced
/// to its `Code` and `Message`, and the secret key is scrubbed from anything kept.
/// Error codes: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
public struct S3Error: Error, Sendable, CustomStringConvertible {
    /// The project's one classification of a failed request: retryable (5xx, `SlowDown`,
    /// timeouts), rate limited (429 / `SlowDown` after the retries), fatal (other 4xx).
    public typealias Classification = RegistryError.Classification

    /// `r2:<account>:<bucket>` / `s3:<region>:<bucket>`.
    public let bucket: String
    public let method: String
    /// The object key, or a description of a bucket-level request (`list v2/app/manifests/`).
    public let key: String
    /// nil when no response arrived.
    public let status: Int?
    /// S3's error code, e.g. `SignatureDoesNotMatch`, `NoSuchBucket`.
    public let code: String?
    public let message: String?
    public let classification: Classification

    public init(bucket: String, method: String, key: String, status: Int?, code: String? = nil, message: String? = nil,
                classification: Classification) {
        self.bucket = bucket; self.method = method; self.key = key; self.status = status
        self.code = code; self.message = message; self.classification = classification
    }

    public var description: String {
        var text = "bucket \(bucket): \(method) \(key): "
        text += [status.map(String.init), code, message].compactMap { $0 }.joined(separator: " ")
        if let hint { text += " (\(hint))" }
        return text
    }

    var hint: String? {
        switch (status, code) {
        case (_, "SignatureDoesNotMatch"?), (_, "InvalidAccessKeyId"?):
            return "check the access key id and secret configured for \(bucket)"
        case (403?, _): return "the credentials for \(bucket) lack permission for this request"
        case (_, "NoSuchBucket"?): return "create the bucket first, or check its name and the endpoint"
        case (_, "PermanentRedirect"?), (_, "AuthorizationHeaderMalformed"?):
            return "the bucket is in another region: check the region of \(bucket)"
        default:
            if case let .rateLimited(after) = classification {
                return "slow down" + (after.map { ", retry after \(Int($0.rounded(.up))) s" } ?? "")
            }
            return nil
        }
    }
}

extension S3Error {
    /// The error for a non-2xx answer (or a 200 with an `<Error>` body, as CompleteMultipartUpload
    /// may send); `secret` is scrubbed from the message.
    init(bucket: String, method: String, key: String, response: HTTPResponse, secret: String) {
        let fields = S3XML.firstValues(of: ["Code", "Message"], in: response.body)
        let code = fields["Code"]
        var message = fields["Message"] ?? (response.body.isEmpty ? nil : Self.excerpt(response.body))
        if !secret.isEmpty { message = message?.replacingOccurrences(of: secret, with: "<redacted>") }
        self.init(bucket: bucket, method: method, key: key, status: response.status, code: code, message: message,
                  classification: Self.classify(status: response.status, code: code, headers: response.headers))
    }

    /// The error for a request that got no response.
    init(bucket: String, method: String, key: String, transport error: HTTPError) {
        self.init(bucket: bucket, method: method, key: key, status: nil, message: error.message,
                  classification: error.isRetryable ? .retryable : .fatal)
    }

    static func classify(status: Int, code: String?, headers: HTTPHeaders) -> Classification {
        if status == 429 || code == "SlowDown" || code == "TooManyRequests" {
            return .rateLimited(retryAfter: headers["Retry-After"].flatMap { Double($0.trimmingCharacters(in: .whitespaces)) })
        }
        if status >= 500 || status == 408 || code == "RequestTimeout" || code == "InternalError" { return .retryable }
        return .fatal
    }

    static func excerpt(_ body: [UInt8]) -> String? {
        let line = String(decoding: body.prefix(200), as: UTF8.self).split(whereSeparator: \.isNewline).first
        return line.map { String($0).trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Not found: 404, `NoSuchKey`.
    public var isNotFound: Bool { status == 404 || code == "NoSuchKey" }
}
