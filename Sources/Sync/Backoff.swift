import Foundation

/// Capped exponential backoff with full jitter: attempt n waits a uniform random time in
/// [0, min(maximum, initial × 2ⁿ)] (AWS architecture blog, "Exponential Backoff And Jitter").
public struct Backoff: Sendable, Equatable {
    public var attempts: Int
    public var initial: Duration
    public var maximum: Duration

    public init(attempts: Int = 5, initial: Duration = .seconds(1), maximum: Duration = .seconds(60)) {
        self.attempts = attempts; self.initial = initial; self.maximum = maximum
    }

    /// The cap for the `attempt`-th retry (0-based).
    public func ceiling(forAttempt attempt: Int) -> Duration {
        let factor = Double(1 << min(attempt, 30))
        return min(maximum, initial * factor)
    }

    public func delay(forAttempt attempt: Int, random: (Double) -> Double = { Double.random(in: 0...$0) }) -> Duration {
        let cap = ceiling(forAttempt: attempt)
        let seconds = Double(cap.components.seconds) + Double(cap.components.attoseconds) / 1e18
        return .milliseconds(Int64(random(seconds) * 1000))
    }
}
