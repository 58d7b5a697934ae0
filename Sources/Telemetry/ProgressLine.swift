#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Queue

/// A live status line on the terminal for `sync`: tags done of planned, by outcome, bytes copied and the rate.
public final class ProgressLine: @unchecked Sendable {
    public typealias Figures = @Sendable () -> (planned: Int, bytes: Int64)

    private let lock = NSLock()
    private var counts: [Outcome.Status: Int] = [:]
    private let started = Date()
    private let figures: Figures
    private var ticker: Task<Void, Never>?

    /// A progress line when stderr is a terminal; nil otherwise (log lines only).
    public static func onTerminal(_ figures: @escaping Figures) -> ProgressLine? {
        isatty(STDERR_FILENO) == 1 ? ProgressLine(figures) : nil
    }

    init(_ figures: @escaping Figures) {
        self.figures = figures
        ticker = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                if !Task.isCancelled { self?.draw() }
            }
        }
    }

    public func record(_ status: Outcome.Status) {
        lock.withLock { counts[status, default: 0] += 1 }
    }

    public func finish() {
        ticker?.cancel()
        draw()
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func draw() {
        let (planned, bytes) = figures()
        let line: String = lock.withLock {
            let done = counts.values.reduce(0, +)
            let seconds = max(0.001, Date().timeIntervalSince(started))
            return String(format: "\r\u{1B}[K%d/%d tags: %d synced, %d up to date, %d skipped, %d failed · %.1f MiB at %.1f MiB/s · %.0f s",
                          done, max(done, planned), counts[.synced] ?? 0, counts[.upToDate] ?? 0, counts[.skipped] ?? 0,
                          counts[.failed] ?? 0, Double(bytes) / 1_048_576, Double(bytes) / 1_048_576 / seconds, seconds)
        }
        FileHandle.standardError.write(Data(line.utf8))
    }
}
