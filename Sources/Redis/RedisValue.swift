/// A reply from the server, as RESP2 types it. Stream replies are nested arrays.
public enum RedisValue: Sendable, Hashable {
    /// A nil bulk string or nil array (`$-1` / `*-1`), e.g. GET of a missing key or a timed-out BLPOP.
    case null
    case integer(Int64)
    /// A bulk string: any bytes, `\0` and `\r\n` included.
    case bulk([UInt8])
    /// A simple status such as `OK` or `PONG`.
    case status(String)
    /// An error reply such as `WRONGTYPE Operation against a key ...`. `send` throws these as
    /// `RedisError.server`; they appear as values only from `sendRaw` and inside pipelines.
    case error(String)
    case array([RedisValue])
}

extension RedisValue {
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The bytes of a bulk string or status.
    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let bytes): return bytes
        case .status(let text): return Array(text.utf8)
        default: return nil
        }
    }

    /// A bulk string or status as text (bulk bytes decoded as UTF-8, invalid bytes replaced).
    public var string: String? {
        switch self {
        case .bulk(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        default: return nil
        }
    }

    /// An integer reply, or a bulk string holding a decimal integer (as GET of a counter answers).
    public var int: Int? {
        switch self {
        case .integer(let value): return Int(exactly: value)
        case .bulk(let bytes): return Int(String(decoding: bytes, as: UTF8.self))
        default: return nil
        }
    }

    /// A bulk string holding a decimal number, as ZSCORE answers, or an integer reply.
    public var double: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .bulk(let bytes): return Double(String(decoding: bytes, as: UTF8.self))
        default: return nil
        }
    }

    public var array: [RedisValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The message of an error reply.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }

    /// Element `index` of an array reply; nil when this is no array or the index is out of range.
    public subscript(index: Int) -> RedisValue? {
        guard let elements = array, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
}

extension RedisValue: CustomStringConvertible {
    public var description: String {
        switch self {
        case .null: return "(nil)"
        case .integer(let value): return "(integer) \(value)"
        case .bulk(let bytes): return String(reflecting: String(decoding: bytes, as: UTF8.self))
        case .status(let text): return text
        case .error(let message): return "(error) \(message)"
        case .array(let elements): return "[" + elements.map(\.description).joined(separator: ", ") + "]"
        }
    }
}
