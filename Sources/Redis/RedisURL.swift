import Foundation

/// Where and as whom to connect:
/// `redis://[[user]:password@]host[:port][/db]`, `unix:///path/to.sock[?db=N]` or
/// `unix://[[user]:password@]/path/to.sock`, also `unix:/path/to.sock`.
/// User and password may be percent-encoded. The password never appears in `description`,
/// `debugDescription`, reflection or errors.
public struct RedisURL: Sendable, Hashable {
    public enum Endpoint: Sendable, Hashable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    public var endpoint: Endpoint
    /// An ACL user; nil authenticates as the default user (or not at all without a password).
    public var username: String?
    public var password: String?
    public var database: Int

    public static let defaultPort = 6379

    public init(endpoint: Endpoint, username: String? = nil, password: String? = nil, database: Int = 0) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
    }

    public init(_ string: String) throws {
        let invalid = { (reason: String) in RedisError.invalidURL(url: Self.redact(string), reason: reason) }
        if string.hasPrefix("redis://") {
            self = try Self.parseTCP(String(string.dropFirst("redis://".count)), invalid)
        } else if string.hasPrefix("unix:") {
            self = try Self.parseUnix(String(string.dropFirst("unix:".count)), invalid)
        } else if string.hasPrefix("rediss://") {
            throw invalid("TLS (rediss://) is not supported")
        } else {
            throw invalid("the scheme must be redis:// or unix:")
        }
    }
}

// MARK: - Parsing

extension RedisURL {
    private typealias Invalid = (String) -> RedisError

    private static func parseTCP(_ rest: String, _ invalid: Invalid) throws -> RedisURL {
        let (beforeQuery, query) = split(rest, at: "?")
        let (authority, path) = split(beforeQuery, at: "/")
        let (userinfo, hostPort) = splitUserinfo(authority)
        let (username, password) = try credentials(userinfo, invalid)
        let (host, port) = try hostAndPort(hostPort, invalid)
        var database = try path.map { try parseDatabase($0, invalid) } ?? 0
        if let db = try queryDatabase(query, invalid) { database = db }
        return RedisURL(endpoint: .tcp(host: host, port: port), username: username, password: password, database: database)
    }

    private static func parseUnix(_ rest: String, _ invalid: Invalid) throws -> RedisURL {
        let (beforeQuery, query) = split(rest, at: "?")
        var location = beforeQuery
        var userinfo: String?
        if location.hasPrefix("//") {
            location.removeFirst(2)
            let (authority, path) = split(location, at: "/")
            let host: String
            (userinfo, host) = splitUserinfo(authority)
            guard host.isEmpty else { throw invalid("a unix socket URL names no host; write unix:///path/to.sock") }
            location = "/" + (path ?? "")
        }
        guard location.hasPrefix("/"), location.count > 1 else { throw invalid("the socket path must be absolute") }
        let (username, password) = try credentials(userinfo, invalid)
        let database = try queryDatabase(query, invalid) ?? 0
        return RedisURL(endpoint: .unix(path: location), username: username, password: password, database: database)
    }

    /// Splits at the first `separator`; the second part is nil when there is none.
    private static func split(_ text: String, at separator: Character) -> (String, String?) {
        guard let index = text.firstIndex(of: separator) else { return (text, nil) }
        return (String(text[..<index]), String(text[text.index(after: index)...]))
    }

    /// The part before the last `@` is the userinfo, so an unencoded `@` in a password still works.
    private static func splitUserinfo(_ authority: String) -> (String?, String) {
        guard let at = authority.lastIndex(of: "@") else { return (nil, authority) }
        return (String(authority[..<at]), String(authority[authority.index(after: at)...]))
    }

    private static func credentials(_ userinfo: String?, _ invalid: Invalid) throws -> (String?, String?) {
        guard let userinfo else { return (nil, nil) }
        let (rawUser, rawPassword) = split(userinfo, at: ":")
        guard let user = rawUser.removingPercentEncoding, let password = (rawPassword ?? "").removingPercentEncoding else {
            throw invalid("the user or password has a bad percent-encoding")
        }
        guard rawPassword != nil, !password.isEmpty else {
            throw invalid("a user needs a password: write user:password@ (or :password@ for the default user)")
        }
        return (user.isEmpty ? nil : user, password)
    }

    private static func hostAndPort(_ text: String, _ invalid: Invalid) throws -> (String, Int) {
        var host = text
        var portText: String?
        if text.hasPrefix("[") {  // [IPv6]:port
            guard let close = text.firstIndex(of: "]") else { throw invalid("an IPv6 host lacks its closing ]") }
            host = String(text[text.index(after: text.startIndex)..<close])
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after the IPv6 host") }
                portText = String(after.dropFirst())
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = String(text[text.index(after: colon)...])
        }
        guard !host.isEmpty else { throw invalid("the host is missing") }
        guard let portText else { return (host, defaultPort) }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw invalid("the port must be a number from 1 to 65535")
        }
        return (host, port)
    }

    private static func parseDatabase(_ text: String, _ invalid: Invalid) throws -> Int {
        if text.isEmpty { return 0 }
        guard let db = Int(text), db >= 0 else { throw invalid("the database must be a number 0 or more, as in /2") }
        return db
    }

    private static func queryDatabase(_ query: String?, _ invalid: Invalid) throws -> Int? {
        guard let query, !query.isEmpty else { return nil }
        var database: Int?
        for pair in query.split(separator: "&") {
            let (key, value) = split(String(pair), at: "=")
            guard key == "db" else { throw invalid("unknown parameter '\(key)'; only db=N is understood") }
            database = try parseDatabase(value ?? "", invalid)
        }
        return database
    }

    /// The URL text with everything between the scheme and the last `@` replaced by `***`.
    static func redact(_ string: String) -> String {
        guard let at = string.lastIndex(of: "@") else { return string }
        let schemeEnd = string.range(of: "://")?.upperBound ?? string.range(of: ":")?.upperBound ?? string.startIndex
        guard schemeEnd <= at else { return string }
        return String(string[..<schemeEnd]) + "***" + String(string[at...])
    }
}

// MARK: - Redacted text

extension RedisURL: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The URL with the password shown as `***`.
    public var description: String {
        var userinfo = ""
        if password != nil { userinfo = "\(username ?? ""):***@" }
        switch endpoint {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "redis://\(userinfo)\(shownHost):\(port)/\(database)"
        case .unix(let path):
            let db = database == 0 ? "" : "?db=\(database)"
            return userinfo.isEmpty ? "unix://\(path)\(db)" : "unix://\(userinfo)\(path)\(db)"
        }
    }

    public var debugDescription: String { "RedisURL(\(description))" }

    public var customMirror: Mirror {
        Mirror(self, children: ["url": description], displayStyle: .struct)
    }
}
