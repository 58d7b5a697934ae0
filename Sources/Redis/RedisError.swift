/// What went wrong talking to Redis, classified where it arises. No case ever carries a
/// command's arguments or a password: commands are named, endpoints are redacted URLs.
public enum RedisError: Error, Sendable {
    /// The Redis URL could not be parsed. `url` has its credentials replaced by `***`.
    case invalidURL(url: String, reason: String)
    /// The server answered the command with an error reply (`WRONGTYPE ...`, `ERR ...`).
    case server(command: String, message: String)
    /// AUTH was refused or is required: a wrong password, an unknown or disabled user.
    case authenticationFailed(endpoint: String, user: String?, message: String)
    /// The connection handshake (SELECT) was refused, e.g. a database index out of range.
    case handshakeFailed(endpoint: String, command: String, message: String)
    /// The server could not be reached before the deadline. The command was never sent.
    case unavailable(endpoint: String, command: String, waited: Duration, reason: String)
    /// The connection broke after the command was sent and before its reply arrived: it may
    /// have been applied. Not resent automatically unless the command is marked idempotent.
    case connectionLost(endpoint: String, command: String, reason: String)
    /// No reply within the read timeout. The command may have been applied.
    case timeout(endpoint: String, command: String, after: Duration)
    /// The command was refused before sending: empty, or a blocking command that would block forever.
    case invalidCommand(command: String, reason: String)
    /// The reply had a shape the caller did not expect (e.g. SCRIPT LOAD answered no digest).
    case unexpectedReply(command: String, reply: String)
    /// The connection was closed by its owner.
    case closed(endpoint: String)
}

extension RedisError {
    /// The error's first word for server replies (`ERR`, `WRONGTYPE`, `NOSCRIPT`, `BUSYGROUP`).
    public var code: String? {
        guard case .server(_, let message) = self else { return nil }
        return message.split(separator: " ", maxSplits: 1).first.map(String.init)
    }

    /// The condition is transient: trying again later may succeed. Whether trying again is
    /// *safe* is `mayHaveBeenApplied`'s business.
    public var isRetryable: Bool {
        switch self {
        case .unavailable, .connectionLost, .timeout: return true
        case .server: return ["LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN"].contains(code ?? "")
        default: return false
        }
    }

    /// The command may have run on the server although no reply came back.
    public var mayHaveBeenApplied: Bool {
        switch self {
        case .connectionLost, .timeout: return true
        default: return false
        }
    }
}

extension RedisError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidURL(let url, let reason):
            return "invalid Redis URL '\(url)': \(reason). Expected redis://[user:password@]host[:port][/db] or unix:///path/to.sock[?db=N]"
        case .server(let command, let message):
            return "Redis \(command) failed: \(message)"
        case .authenticationFailed(let endpoint, let user, let message):
            let who = user.map { "user '\($0)'" } ?? "the default user"
            return "\(endpoint): authentication as \(who) failed: \(message). Check the credentials in the Redis URL"
        case .handshakeFailed(let endpoint, let command, let message):
            return "\(endpoint): \(command) while connecting failed: \(message)"
        case .unavailable(let endpoint, let command, let waited, let reason):
            return "\(endpoint) unavailable: \(command) not sent after waiting \(waited) for the server (\(reason)); retry later"
        case .connectionLost(let endpoint, let command, let reason):
            return "\(endpoint): connection lost during \(command) (\(reason)); it may have been applied"
        case .timeout(let endpoint, let command, let after):
            return "\(endpoint): no reply to \(command) within \(after); it may have been applied"
        case .invalidCommand(let command, let reason):
            return "invalid Redis command \(command): \(reason)"
        case .unexpectedReply(let command, let reply):
            return "unexpected reply to Redis \(command): \(reply)"
        case .closed(let endpoint):
            return "\(endpoint): connection closed"
        }
    }
}
