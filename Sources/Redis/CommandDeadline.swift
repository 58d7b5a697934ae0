import Foundation

/// The time limit and cancellation of one submitted command, shared between the awaiting task
/// and the connection thread that runs it.
final class CommandDeadline: @unchecked Sendable {
    let start = Date()
    let end: Date
    private let condition = NSCondition()
    private var cancelled = false

    init(after duration: Duration) {
        end = start.addingTimeInterval(duration.timeInterval)
    }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    var hasPassed: Bool { Date() >= end }
    var waited: Duration { .milliseconds(Int(Date().timeIntervalSince(start) * 1000)) }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks the calling (connection) thread for `duration`, but not past the deadline and not
    /// after cancellation. False when cancelled.
    func pause(for duration: Duration) -> Bool {
        let until = min(Date().addingTimeInterval(duration.timeInterval), end)
        condition.lock()
        defer { condition.unlock() }
        while !cancelled && Date() < until {
            _ = condition.wait(until: until)
        }
        return !cancelled
    }
}
