#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTP
import TestSupport

/// `count` deterministic pseudo-random bytes, produced on demand: a 1 MiB xorshift block, each
/// MiB rotated by a different amount, so nothing large is ever held in memory.
final class PatternSource: HTTPBodySource, @unchecked Sendable {
    let count: Int64
    private(set) var produced: Int64 = 0
    private let tee: SHA256Sum?
    private static let block: [UInt8] = {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var bytes = [UInt8](repeating: 0, count: 1 << 20)
        bytes.withUnsafeMutableBytes { raw in
            for i in 0..<(raw.count / 8) {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                raw.storeBytes(of: state, toByteOffset: i * 8, as: UInt64.self)
            }
        }
        return bytes
    }()

    /// `tee` gets every byte produced, to hash the body while it is sent.
    init(count: Int64, tee: SHA256Sum? = nil) {
        self.count = count
        self.tee = tee
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let size = Int64(Self.block.count)
        let blockIndex = produced / size
        let offsetInBlock = Int((produced + blockIndex * 4099) % size)
        let n = Int(min(Int64(buffer.count), count - produced, size - produced % size, size - Int64(offsetInBlock)))
        guard n > 0 else { return 0 }
        Self.block.withUnsafeBytes { block in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: block[offsetInBlock..<offsetInBlock + n]))
        }
        produced += Int64(n)
        try tee?.write(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        return n
    }

    /// `sha256:<hex>` of the whole body, computed by producing it once more.
    static func digest(count: Int64) throws -> String {
        let hasher = try SHA256Sum()
        let source = PatternSource(count: count, tee: hasher)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while try source.read(into: buffer) > 0 {}
        return try hasher.finish()
    }
}

/// SHA-256 by coreutils' `sha256sum`, fed through a pipe as bytes arrive (HTTPTests depends on
/// no crypto package).
final class SHA256Sum: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()

    init() throws {
        signal(SIGPIPE, SIG_IGN)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = ["-b", "-"]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        let fd = input.fileHandleForWriting.fileDescriptor
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            guard n > 0 else { throw ServiceError("writing to sha256sum failed: errno \(errno)") }
            offset += n
        }
    }

    /// `sha256:<hex>` of everything written.
    func finish() throws -> String {
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let hex = text.split(separator: " ").first, hex.count == 64 else { throw ServiceError("sha256sum printed \(text)") }
        return "sha256:\(hex)"
    }
}

/// A response sink that hashes and counts the body instead of keeping it.
final class HashingSink: HTTPBodySink, @unchecked Sendable {
    private let hasher: SHA256Sum
    private(set) var head: HTTPResponseHead?
    private(set) var received: Int64 = 0

    init() throws { hasher = try SHA256Sum() }

    func receive(head: HTTPResponseHead) throws { self.head = head }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        received += Int64(bytes.count)
        try hasher.write(bytes)
    }

    func digest() throws -> String { try hasher.finish() }
}

/// The test process's resident memory, from /proc/self/status.
enum ResidentMemory {
    /// Resets the peak (VmHWM) to the current RSS (`/proc/self/clear_refs`, Linux ≥ 4.0); false if refused.
    @discardableResult
    static func resetPeak() -> Bool {
        (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)) != nil
    }

    static var current: Int { field("VmRSS") }
    static var peak: Int { field("VmHWM") }

    private static func field(_ name: String) -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
              let kib = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return kib * 1024
    }
}

/// Runs a command-line tool (openssl) and fails with its output if it fails.
func runTool(_ path: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw ServiceError("\(path) \(arguments) failed:\n\(text)") }
}
