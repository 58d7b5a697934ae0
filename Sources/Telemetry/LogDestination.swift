#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// Where log lines go: stdout, stderr or an appended file. Lines are written whole, under a lock.
public final class LogDestination: @unchecked Sendable {
    private let lock = NSLock()
    private let handle: FileHandle
    public let isTerminal: Bool

    public static let stdout = LogDestination(handle: .standardOutput)
    public static let stderr = LogDestination(handle: .standardError)

    init(handle: FileHandle) {
        self.handle = handle
        isTerminal = isatty(handle.fileDescriptor) == 1
    }

    /// `stdout`, `stderr`, or a file path (created or appended to).
    public static func named(_ name: String) throws -> LogDestination {
        switch name.lowercased() {
        case "", "stdout": return .stdout
        case "stderr": return .stderr
        default:
            if !FileManager.default.fileExists(atPath: name) {
                guard FileManager.default.createFile(atPath: name, contents: nil) else {
                    throw LogDestinationError(path: name)
                }
            }
            guard let handle = FileHandle(forWritingAtPath: name) else { throw LogDestinationError(path: name) }
            handle.seekToEndOfFile()
            return LogDestination(handle: handle)
        }
    }

    public func write(_ line: String) {
        lock.withLock { handle.write(Data((line + "\n").utf8)) }
    }
}

public struct LogDestinationError: Error, CustomStringConvertible {
    public let path: String
    public var description: String { "logging.output: cannot open \(path) for writing" }
}
