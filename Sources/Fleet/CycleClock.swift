import Foundation

/// Names sync cycles by the interval they fall in, so two schedulers that both believe they lead
/// (briefly, around a lease hand-over) enqueue under the same cycle and the queue's unique keys
/// drop the second copy.
public struct CycleClock: Sendable {
    public let interval: Duration

    public init(interval: Duration) { self.interval = interval }

    var intervalSeconds: Double {
        max(1, Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18)
    }

    /// The cycle that `date` belongs to, e.g. `2026-11-29T03:55:00Z+300s`.
    public func cycle(at date: Date) -> String {
        let start = (date.timeIntervalSince1970 / intervalSeconds).rounded(.down) * intervalSeconds
        let formatter = ISO8601DateFormatter()
        return "\(formatter.string(from: Date(timeIntervalSince1970: start)))+\(Int(intervalSeconds))s"
    }

    /// When the cycle after the one holding `date` starts.
    public func nextStart(after date: Date) -> Date {
        let start = (date.timeIntervalSince1970 / intervalSeconds).rounded(.down) * intervalSeconds
        return Date(timeIntervalSince1970: start + intervalSeconds)
    }
}
