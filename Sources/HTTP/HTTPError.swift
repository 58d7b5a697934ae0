import CCurl

/// A request that got no usable HTTP response: it never connected, broke off, was refused by
/// policy, or its body was larger than allowed. Statuses (404, 500, ...) are not errors here:
/// they come back as responses for the caller to judge.
///
/// The description names the method and URL — query values and userinfo redacted, header
/// values never included — so it can be logged and shown as is.
public struct HTTPError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// DNS, TCP or TLS handshake failed (not certificate verification).
        case connect
        /// Connect timeout, or the transfer stalled below the low-speed limit.
        case timeout
        /// The connection broke: reset, empty reply, truncated body, HTTP/2 stream error.
        case connectionLost
        /// The server's certificate or name did not verify, or the CA bundle is unusable.
        case tlsVerification
        /// The URL is malformed or its scheme is not http/https.
        case badURL
        /// Plain `http://` to a host that is neither loopback nor marked `plainHTTP`.
        case insecureURL
        case tooManyRedirects
        /// The response body is larger than the caller's `maxBodyBytes`.
        case bodyTooLarge
        /// A body callback stopped the transfer.
        case aborted
        case other
    }

    public let kind: Kind
    public let method: String
    /// The request URL with query values and userinfo redacted.
    public let url: String
    /// What went wrong: libcurl's error text, or the policy that refused the request.
    public let message: String
    /// The libcurl result code, when libcurl reported the error.
    public let curlCode: Int?

    public init(kind: Kind, method: String, url: String, message: String, curlCode: Int? = nil) {
        self.kind = kind; self.method = method; self.url = HTTPError.redact(url)
        self.message = message; self.curlCode = curlCode
    }

    /// True when the same request may succeed if sent again: connect failures, timeouts, resets
    /// and truncated bodies. Verification, bad URLs and aborts will fail the same way again.
    public var isRetryable: Bool {
        switch kind {
        case .connect, .timeout, .connectionLost: return true
        default: return false
        }
    }

    public var description: String {
        let code = curlCode.map { " (curl error \($0))" } ?? ""
        return "\(method) \(url): \(message)\(code)"
    }

    init(curlCode code: CURLcode, detail: String, method: String, url: String) {
        let text = String(cString: curl_easy_strerror(code))
        let message = detail.isEmpty || detail == text ? text : "\(text): \(detail)"
        self.init(kind: Self.kind(of: code), method: method, url: url, message: message, curlCode: Int(code.rawValue))
    }

    static func kind(of code: CURLcode) -> Kind {
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SSL_CONNECT_ERROR:
            return .connect
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_GOT_NOTHING, CURLE_HTTP2,
             CURLE_HTTP2_STREAM, CURLE_SEND_FAIL_REWIND, CURLE_HTTP3, CURLE_WEIRD_SERVER_REPLY:
            return .connectionLost
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return .tlsVerification
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .badURL
        case CURLE_TOO_MANY_REDIRECTS:
            return .tooManyRedirects
        case CURLE_ABORTED_BY_CALLBACK, CURLE_WRITE_ERROR, CURLE_READ_ERROR:
            return .aborted
        default:
            return .other
        }
    }

    /// `https://u:p@host/path?_state=abc&digest=sha256:x` → `https://REDACTED@host/path?_state=REDACTED&digest=REDACTED`.
    /// Upload `_state`, presigned `X-Amz-Signature` and token parameters are secrets.
    public static func redact(_ url: String) -> String {
        var rest = Substring(url)
        var fragment = ""
        if let hash = rest.firstIndex(of: "#") { fragment = "#REDACTED"; rest = rest[..<hash] }
        var query: Substring? = nil
        if let mark = rest.firstIndex(of: "?") { query = rest[rest.index(after: mark)...]; rest = rest[..<mark] }
        var base = String(rest)
        if let schemeEnd = base.range(of: "://") {
            let authorityEnd = base[schemeEnd.upperBound...].firstIndex(of: "/") ?? base.endIndex
            if let at = base[schemeEnd.upperBound..<authorityEnd].lastIndex(of: "@") {
                base.replaceSubrange(schemeEnd.upperBound..<at, with: "REDACTED")
            }
        }
        guard let query else { return base + fragment }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let eq = pair.firstIndex(of: "=") else { return String(pair) }
            return "\(pair[..<eq])=REDACTED"
        }
        return base + "?" + pairs.joined(separator: "&") + fragment
    }
}
