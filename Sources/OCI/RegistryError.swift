import Foundation
import HTTP

/// A registry request that failed: where (registry, method, path), how (status, OCI error codes
/// or transport failure) and what that means for retrying.
/// Error codes: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
public struct RegistryError: Error, Sendable, CustomStringConvertible {
    public enum Classification: Sendable, Equatable {
        /// 5xx, timeouts, resets, truncated bodies: the same request may succeed later.
        case retryable
        /// 429 (or an exhausted rate-limit budget): wait `retryAfter` seconds (unknown when nil)
        /// before asking this registry again; not a failure of the job.
        case rateLimited(retryAfter: Double?)
        /// 400/401/403/404, bad input: retrying cannot help.
        case fatal
    }

    /// One entry of the registry's JSON error body.
    public struct Detail: Sendable, Equatable, Decodable {
        public let code: String
        public let message: String?
    }

    /// The registry as configured (e.g. `docker.io`, `127.0.0.1:5001`).
    public let registry: String
    public let method: String
    /// Request path without its query (query values may carry upload state or signatures).
    public let path: String
    /// nil when no response arrived.
    public let status: Int?
    public let errors: [Detail]
    /// Free text: a transport failure, a non-JSON body excerpt, or what went wrong locally.
    public let reason: String?
    public let classification: Classification

    public init(registry: String, method: String, path: String, status: Int? = nil, errors: [Detail] = [],
                reason: String? = nil, classification: Classification) {
        self.registry = registry
        self.method = method
        self.path = Self.stripQuery(path)
        self.status = status
        self.errors = errors
        self.reason = reason
        self.classification = classification
    }

    /// OCI error codes from the body, e.g. `["MANIFEST_UNKNOWN"]`.
    public var codes: [String] { errors.map(\.code) }

    /// The thing asked for does not exist (404, or a `*_UNKNOWN` code).
    public var isNotFound: Bool {
        status == 404 || codes.contains { ["MANIFEST_UNKNOWN", "BLOB_UNKNOWN", "NAME_UNKNOWN"].contains($0) }
    }

    public var description: String {
        var text = "registry \(registry): \(method) \(path): "
        if let status { text += "\(status)" }
        let details = errors.map { [$0.code, $0.message].compactMap { $0 }.joined(separator: ": ") }
        let what = (details + [reason].compactMap { $0 }).joined(separator: "; ")
        if !what.isEmpty { text += status == nil ? what : " \(what)" }
        if let hint { text += " (\(hint))" }
        return text
    }

    var hint: String? {
        switch (status, classification) {
        case (401?, _): return "check the credentials configured for \(registry)"
        case (403?, _): return "the credentials for \(registry) lack permission for this repository"
        case let (_, .rateLimited(after)):
            return "rate limited" + (after.map { ", retry after \(Int($0.rounded(.up))) s" } ?? "")
        default: return nil
        }
    }

    static func stripQuery(_ path: String) -> String {
        String(path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }
}

extension RegistryError {
    /// The error for a non-2xx response `head` (with its body, if read).
    public init(registry: String, method: String, path: String, head: HTTPResponseHead, body: [UInt8], now: Date = Date()) {
        let errors = Self.parseErrors(body)
        let reason = errors.isEmpty ? Self.excerpt(body) : nil
        self.init(registry: registry, method: method, path: path, status: head.status, errors: errors,
                  reason: reason, classification: Self.classify(status: head.status, headers: head.headers,
                                                                codes: errors.map(\.code), now: now))
    }

    /// The error for a request that got no response.
    public init(registry: String, method: String, path: String, transport error: Error) {
        let retryable: Bool
        switch error {
        case let error as HTTPError: retryable = error.isRetryable
        case let error as RegistryError: retryable = error.classification == .retryable
        default: retryable = false
        }
        let text = (error as? HTTPError)?.message ?? "\(error)"
        self.init(registry: registry, method: method, path: path, reason: text,
                  classification: retryable ? .retryable : .fatal)
    }

    static func classify(status: Int, headers: HTTPHeaders, codes: [String], now: Date) -> Classification {
        if status == 429 || codes.contains("TOOMANYREQUESTS") || (remainingIsZero(headers) && status >= 400) {
            return .rateLimited(retryAfter: retryAfter(headers, now: now))
        }
        if status >= 500 || status == 408 { return .retryable }
        return .fatal
    }

    /// Seconds to wait from `Retry-After` (delta or HTTP-date), else `RateLimit-Reset`.
    static func retryAfter(_ headers: HTTPHeaders, now: Date) -> Double? {
        if let value = headers["Retry-After"]?.trimmingCharacters(in: .whitespaces) {
            if let seconds = Double(value), seconds >= 0 { return seconds }
            if let date = httpDate(value) { return max(0, date.timeIntervalSince(now)) }
        }
        if let reset = headers["RateLimit-Reset"].flatMap(leadingNumber) { return reset }
        return nil
    }

    /// `RateLimit-Remaining: 0` (Docker Hub sends `0;w=21600`).
    static func remainingIsZero(_ headers: HTTPHeaders) -> Bool {
        headers["RateLimit-Remaining"].flatMap(leadingNumber) == 0
    }

    static func leadingNumber(_ value: String) -> Double? {
        Double(value.prefix { $0.isNumber || $0 == "." }.trimmingCharacters(in: .whitespaces))
    }

    static func httpDate(_ value: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value)
    }

    static func parseErrors(_ body: [UInt8]) -> [Detail] {
        struct Body: Decodable { let errors: [Detail]? }
        guard !body.isEmpty, let parsed = try? JSONDecoder().decode(Body.self, from: Data(body)) else { return [] }
        return parsed.errors ?? []
    }

    /// The first line of a non-JSON error body (HTML from a proxy, plain text), kept short.
    static func excerpt(_ body: [UInt8]) -> String? {
        let text = String(decoding: body.prefix(512), as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingCharacters(in: .whitespaces)
        guard let line, !line.isEmpty else { return nil }
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }
}
