import Foundation

/// One argument of a command, as the bytes sent to the server. Binary-safe: arguments go out
/// through `redisAppendCommandArgv` with explicit lengths, never through a format string.
public struct RedisArgument: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init<S: StringProtocol>(_ text: S) { bytes = Array(text.utf8) }
    public init<I: BinaryInteger>(_ value: I) { bytes = Array(String(value).utf8) }
    /// Redis parses floats with strtold, which reads Swift's shortest round-trip form.
    public init(_ value: Double) { bytes = Array(String(value).utf8) }

    public init(stringLiteral value: String) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(value) }

    /// The argument as text, for command names and option keywords.
    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Anything that can be sent as a command argument: text, bytes, numbers.
public protocol RedisArgumentConvertible {
    var redisArgument: RedisArgument { get }
}

extension RedisArgument: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { self }
}

extension String: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { RedisArgument(self) }
}

extension Substring: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { RedisArgument(self) }
}

extension Array: RedisArgumentConvertible where Element == UInt8 {
    public var redisArgument: RedisArgument { RedisArgument(self) }
}

extension ArraySlice: RedisArgumentConvertible where Element == UInt8 {
    public var redisArgument: RedisArgument { RedisArgument(Array(self)) }
}

extension Data: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { RedisArgument([UInt8](self)) }
}

extension Int: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { RedisArgument(self) }
}

extension Int64: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { RedisArgument(self) }
}

extension UInt64: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { RedisArgument(self) }
}

extension Double: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { RedisArgument(self) }
}
