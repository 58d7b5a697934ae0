import Foundation

/// Servers and seeded images shared by every test of a class: made on first use, released by the
/// class's `tearDown` (so they stop when the class is done, not when the test process exits).
public final class SharedFixture<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private let make: () throws -> Value
    private var stored: Result<Value, Error>?

    public init(_ make: @escaping () throws -> Value) { self.make = make }

    /// The fixture; a failure to make it fails every test that asks, with the same error.
    public func get() throws -> Value {
        try lock.withLock {
            if stored == nil { stored = Result { try make() } }
            return try stored!.get()
        }
    }

    public func release() { lock.withLock { stored = nil } }
}
