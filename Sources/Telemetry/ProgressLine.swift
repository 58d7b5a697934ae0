#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Queue

/// A live status line on the terminal for `sync`: tags done by outcome, and the elapsed time.
public final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [Outcome.Status: Int] = [:]
    private let started = Date()
    private var lastDraw = Date.distantPast

    /// A progress line when stderr is a terminal; nil otherwise (log lines only).
    public static func onTerminal() -> ProgressLine? { isatty(STDERR_FILENO) == 1 ? ProgressLine() : nil }

    public func record(_ status: Outcome.Status) {
        lock.withLock {
            counts[status, default: 0] += 1
            if Date().timeIntervalSince(lastDraw) > 0.1 { draw() }
        }
    }

    public func finish() {
        lock.withLock { draw(); FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func draw() {
        lastDraw = Date()
        let done = counts.values.reduce(0, +)
        let line = String(format: "\r\u{1B}[K%d tags done: %d synced, %d up to date, %d skipped, %d failed · %.0f s",
                          done, counts[.synced] ?? 0, counts[.upToDate] ?? 0, counts[.skipped] ?? 0, counts[.failed] ?? 0,
                          Date().timeIntervalSince(started))
        FileHandle.standardError.write(Data(line.utf8))
    }
}
