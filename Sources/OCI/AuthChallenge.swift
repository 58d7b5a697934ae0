import HTTP

/// One challenge from a `WWW-Authenticate` header: how the registry wants to be authenticated.
/// Grammar: RFC 9110 §11.6.1; the Bearer flow: https://distribution.github.io/distribution/spec/auth/token/
public struct AuthChallenge: Sendable, Hashable {
    public enum Scheme: Sendable, Hashable {
        case basic
        case bearer
        case other(String)

        init(_ name: String) {
            switch name.lowercased() {
            case "basic": self = .basic
            case "bearer": self = .bearer
            default: self = .other(name)
            }
        }
    }

    public let scheme: Scheme
    /// Auth parameters, names lowercased.
    public let parameters: [String: String]

    public init(scheme: Scheme, parameters: [String: String] = [:]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    /// The token endpoint (Bearer) or protection space name (Basic).
    public var realm: String? { parameters["realm"] }
    public var service: String? { parameters["service"] }
    /// Space-separated scopes, e.g. `repository:library/ubuntu:pull`.
    public var scope: String? { parameters["scope"] }
    /// `insufficient_scope`, `invalid_token`, … when the registry says why the last credential failed.
    public var error: String? { parameters["error"] }

    /// Every challenge in every `WWW-Authenticate` field of `headers`.
    public static func parse(_ headers: HTTPHeaders) -> [AuthChallenge] {
        headers.values(for: "WWW-Authenticate").flatMap { parse($0) }
    }

    /// Every challenge in one header value: `Basic realm="x", Bearer realm="y",service="z"`.
    public static func parse(_ value: String) -> [AuthChallenge] {
        var scanner = ChallengeScanner(value)
        var challenges: [AuthChallenge] = []
        while let scheme = scanner.token() {
            var parameters: [String: String] = [:]
            while let (name, value) = scanner.parameter() {
                parameters[name.lowercased()] = value
            }
            challenges.append(AuthChallenge(scheme: Scheme(scheme), parameters: parameters))
        }
        return challenges
    }
}

/// A small scanner over a `WWW-Authenticate` value: tokens, `name=value` / `name="quoted, value"` pairs, commas.
struct ChallengeScanner {
    private let chars: [Character]
    private var index = 0

    init(_ value: String) { chars = Array(value) }

    /// The next scheme name, skipping separators and any token68 credentials left over.
    mutating func token() -> String? {
        skip { $0 == " " || $0 == "\t" || $0 == "," }
        let name = readToken()
        return name.isEmpty ? nil : name
    }

    /// The next `name=value` pair of the current challenge, or nil when the next item is a new scheme.
    mutating func parameter() -> (String, String)? {
        let start = index
        skip { $0 == " " || $0 == "\t" || $0 == "," }
        let name = readToken()
        skip { $0 == " " || $0 == "\t" }
        guard !name.isEmpty, peek == "=" else {
            index = start
            return nil
        }
        index += 1
        skip { $0 == " " || $0 == "\t" }
        return (name, peek == "\"" ? readQuoted() : readToken(allowing: "="))
    }

    private var peek: Character? { index < chars.count ? chars[index] : nil }

    private mutating func skip(_ predicate: (Character) -> Bool) {
        while let c = peek, predicate(c) { index += 1 }
    }

    private mutating func readToken(allowing extra: Character? = nil) -> String {
        var out = ""
        while let c = peek, c != " ", c != "\t", c != ",", c != "\"", c != "=" || c == extra {
            out.append(c)
            index += 1
        }
        return out
    }

    private mutating func readQuoted() -> String {
        index += 1
        var out = ""
        while let c = peek, c != "\"" {
            if c == "\\", index + 1 < chars.count {
                index += 1
            }
            out.append(chars[index])
            index += 1
        }
        index += 1
        return out
    }
}
