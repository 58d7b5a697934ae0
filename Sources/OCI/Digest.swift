import Crypto

/// A content digest, `algorithm:hex` — the identity of every blob and manifest.
///
/// Only `sha256` and `sha512` are accepted, with lowercase hex of the right length
/// (https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests).
public struct Digest: Sendable, Hashable, Comparable, CustomStringConvertible, LosslessStringConvertible {
    public enum Algorithm: String, Sendable, Hashable, CaseIterable {
        case sha256, sha512

        /// Length of the lowercase hex encoding.
        public var hexLength: Int { self == .sha256 ? 64 : 128 }
    }

    public let algorithm: Algorithm
    /// Lowercase hex, `algorithm.hexLength` characters.
    public let hex: String

    public init(parsing string: String) throws {
        guard let colon = string.firstIndex(of: ":") else {
            throw DigestError.invalid(string, "expected algorithm:hex")
        }
        let name = String(string[..<colon])
        let hex = String(string[string.index(after: colon)...])
        guard let algorithm = Algorithm(rawValue: name) else {
            throw DigestError.invalid(string, "unsupported algorithm \"\(name)\" (sha256 or sha512)")
        }
        guard hex.utf8.count == algorithm.hexLength, hex.utf8.allSatisfy(Self.isLowerHex) else {
            throw DigestError.invalid(string, "\(name) needs \(algorithm.hexLength) lowercase hex digits")
        }
        self.algorithm = algorithm
        self.hex = hex
    }

    public init?(_ description: String) {
        guard let digest = try? Digest(parsing: description) else { return nil }
        self = digest
    }

    init(algorithm: Algorithm, bytes: some Sequence<UInt8>) {
        self.algorithm = algorithm
        self.hex = Self.hexString(bytes)
    }

    public var description: String { "\(algorithm.rawValue):\(hex)" }

    /// The short form used in logs: `sha256:0123456789ab`.
    public var short: String { "\(algorithm.rawValue):\(hex.prefix(12))" }

    public static func < (a: Digest, b: Digest) -> Bool { a.description < b.description }

    /// The `algorithm` digest of `bytes`.
    public static func compute(_ algorithm: Algorithm, of bytes: [UInt8]) -> Digest {
        var hasher = DigestHasher(algorithm)
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The sha256 digest of `bytes`.
    public static func sha256(of bytes: some Sequence<UInt8>) -> Digest {
        compute(.sha256, of: Array(bytes))
    }

    static func isLowerHex(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) }

    static func hexString(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Digest: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            try self.init(parsing: string)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(error)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

public enum DigestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The string is not a digest we accept.
    case invalid(String, String)
    /// Content did not hash to what its descriptor promised: never store it.
    case mismatch(expected: Digest, actual: Digest)
    /// Content was longer or shorter than its descriptor said.
    case sizeMismatch(digest: Digest, expected: Int64, actual: Int64)

    public var description: String {
        switch self {
        case let .invalid(string, reason):
            return "invalid digest \"\(string)\": \(reason)"
        case let .mismatch(expected, actual):
            return "digest mismatch: expected \(expected), content hashes to \(actual)"
        case let .sizeMismatch(digest, expected, actual):
            return "size mismatch for \(digest): expected \(expected) bytes, got \(actual)"
        }
    }
}

/// Incremental hashing for streamed content.
public struct DigestHasher {
    private enum State {
        case sha256(SHA256)
        case sha512(SHA512)
    }

    private var state: State
    public let algorithm: Digest.Algorithm

    public init(_ algorithm: Digest.Algorithm = .sha256) {
        self.algorithm = algorithm
        switch algorithm {
        case .sha256: state = .sha256(SHA256())
        case .sha512: state = .sha512(SHA512())
        }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case var .sha256(h): h.update(bufferPointer: bytes); state = .sha256(h)
        case var .sha512(h): h.update(bufferPointer: bytes); state = .sha512(h)
        }
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public func finalize() -> Digest {
        switch state {
        case let .sha256(h): return Digest(algorithm: .sha256, bytes: h.finalize())
        case let .sha512(h): return Digest(algorithm: .sha512, bytes: h.finalize())
        }
    }
}

/// Hashes content as it streams by and checks it against the digest (and size) it should have.
public struct DigestVerifier {
    public let expected: Digest
    public let expectedSize: Int64?
    private var hasher: DigestHasher
    public private(set) var count: Int64 = 0

    public init(expected: Digest, size: Int64? = nil) {
        self.expected = expected
        self.expectedSize = size
        self.hasher = DigestHasher(expected.algorithm)
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) throws {
        count += Int64(bytes.count)
        if let expectedSize, count > expectedSize {
            throw DigestError.sizeMismatch(digest: expected, expected: expectedSize, actual: count)
        }
        hasher.update(bytes)
    }

    /// Throws unless everything seen so far is exactly the expected content.
    public func verify() throws {
        if let expectedSize, count != expectedSize {
            throw DigestError.sizeMismatch(digest: expected, expected: expectedSize, actual: count)
        }
        let actual = hasher.finalize()
        guard actual == expected else { throw DigestError.mismatch(expected: expected, actual: actual) }
    }
}
