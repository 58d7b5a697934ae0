import Queue

/// The shared state every role of the fleet talks to (Redis in production).
public struct FleetBackend: Sendable {
    public var queue: JobQueue
    public var control: FleetControl
    public var coordination: Coordination
    public var outcomes: OutcomeLog
    public var reader: OutcomeReader
    /// Hands back jobs taken but not started and closes the connections.
    public var close: @Sendable () async -> Void

    public init(queue: JobQueue, control: FleetControl, coordination: Coordination, outcomes: OutcomeLog, reader: OutcomeReader,
                close: @escaping @Sendable () async -> Void = {}) {
        self.queue = queue; self.control = control; self.coordination = coordination
        self.outcomes = outcomes; self.reader = reader; self.close = close
    }

    /// Runs `body` with the backend, closing it afterwards whatever happens.
    public func using<T: Sendable>(_ body: (FleetBackend) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            await close()
            return result
        } catch {
            await close()
            throw error
        }
    }
}

/// A failure that ends a role with a non-zero exit: the fleet halted, or leadership could not be kept.
public struct FleetStop: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
