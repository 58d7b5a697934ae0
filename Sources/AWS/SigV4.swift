import Crypto
import Foundation
import HTTP

/// AWS Signature Version 4 for a request about to be sent: S3 / R2 objects and AWS APIs (ECR).
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
public struct SigV4Signer: Sendable {
    /// The SHA-256 of an empty body, hex.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// Signs the headers only; S3 accepts it in `x-amz-content-sha256` for a streamed body.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    public let credentials: AWSCredentials
    public let region: String
    public let service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials; self.region = region; self.service = service
    }

    /// Adds `Host`-derived signing, `x-amz-date`, `x-amz-content-sha256` (S3 only), the session token
    /// and `Authorization` to `request`. `payloadHash` is the hex SHA-256 of the body, or `unsignedPayload`.
    public func sign(_ request: inout HTTPRequest, payloadHash: String, date: Date = Date()) throws {
        guard let url = URLComponents(string: request.url), let host = url.host else {
            throw SigV4Error.badURL(request.url)
        }
        let stamp = AmzDate(date)
        request.headers.set("x-amz-date", stamp.dateTime)
        if service == "s3" { request.headers.set("x-amz-content-sha256", payloadHash) }
        if let token = credentials.sessionToken { request.headers.set("x-amz-security-token", token) }

        var signed: [String: String] = ["host": url.port.map { "\(host):\($0)" } ?? host]
        for (name, value) in request.headers {
            let name = name.lowercased()
            guard Self.isSigned(name) else { continue }
            let value = Self.trimmed(value)
            signed[name] = signed[name].map { "\($0),\(value)" } ?? value
        }
        let names = signed.keys.sorted()
        let canonicalRequest = [
            request.method,
            canonicalPath(url.percentEncodedPath),
            Self.canonicalQuery(url.percentEncodedQuery),
            names.map { "\($0):\(signed[$0]!)\n" }.joined(),
            names.joined(separator: ";"),
            payloadHash,
        ].joined(separator: "\n")

        let scope = "\(stamp.date)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", stamp.dateTime, scope, Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))]
            .joined(separator: "\n")
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(date: stamp.date)))
        request.headers.set("Authorization",
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(names.joined(separator: ";")), Signature=\(signature)")
    }

    func signingKey(date: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [date, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    /// S3 signs the path as sent; every other service encodes each segment once more.
    func canonicalPath(_ path: String) -> String {
        let path = path.isEmpty ? "/" : path
        guard service != "s3" else { return path }
        return path.split(separator: "/", omittingEmptySubsequences: false)
            .map { Self.encode(String($0)) }.joined(separator: "/")
    }

    /// `Host` is signed from the URL; hop-by-hop and client-chosen headers are not (a proxy may change them).
    static func isSigned(_ name: String) -> Bool {
        name.hasPrefix("x-amz-") || name == "content-type" || name == "content-md5" || name == "range"
    }

    static func canonicalQuery(_ query: String?) -> String {
        guard let query, !query.isEmpty else { return "" }
        var pairs: [(key: String, value: String)] = []
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count > 1 ? encode(decoded(parts[1])) : ""
            pairs.append((key: encode(decoded(parts[0])), value: value))
        }
        pairs.sort { $0.key == $1.key ? $0.value < $1.value : $0.key < $1.key }
        return pairs.map { $0.key + "=" + $0.value }.joined(separator: "&")
    }

    private static func decoded(_ part: Substring) -> String {
        let plain = part.replacingOccurrences(of: "+", with: " ")
        return plain.removingPercentEncoding ?? plain
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters, as SigV4 requires.
    public static func encode(_ string: String) -> String {
        var out = ""
        for byte in string.utf8 {
            if unreserved.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~".utf8)

    static func trimmed(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    public static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

public enum SigV4Error: Error, CustomStringConvertible {
    case badURL(String)
    public var description: String {
        switch self {
        case .badURL(let url): return "cannot sign a request for \(url): not an absolute URL with a host"
        }
    }
}

/// `YYYYMMDD` and `YYYYMMDD'T'HHMMSS'Z'` in UTC.
struct AmzDate {
    let date: String
    let dateTime: String

    init(_ instant: Date) {
        var seconds = time_t(instant.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        date = String(format: "%04d%02d%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
        dateTime = date + String(format: "T%02d%02d%02dZ", Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
