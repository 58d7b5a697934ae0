import Queue

/// The shared state every role of the fleet talks to (Redis in production).
public struct FleetBackend: Sendable {
    public var queue: JobQueue
    public var control: FleetControl
    public var coordination: Coordination
    public var outcomes: OutcomeLog
    public var reader: OutcomeReader

    public init(queue: JobQueue, control: FleetControl, coordination: Coordination, outcomes: OutcomeLog, reader: OutcomeReader) {
        self.queue = queue; self.control = control; self.coordination = coordination
        self.outcomes = outcomes; self.reader = reader
    }
}

/// A failure that ends a role with a non-zero exit: the fleet halted, or leadership could not be kept.
public struct FleetStop: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
