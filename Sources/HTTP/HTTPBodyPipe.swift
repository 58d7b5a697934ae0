import Foundation

/// A bounded byte pipe from a response body to a request body: a GET streams into it while a
/// PUT streams out of it, so a blob is copied with `capacity` bytes in memory whatever its size.
///
/// The writer blocks while the pipe is full, the reader while it is empty. `finish()` ends the
/// body; `fail(_:)` ends it with an error that the other side sees: the reader's `read` throws
/// the writer's error and the writer's `write` throws the reader's. `HTTPClient` closes the
/// sides of a pipe it drives: a GET that ends finishes the pipe (or fails it with its error),
/// a PUT that fails fails it, and a cancelled request fails it with `CancellationError`.
public final class HTTPBodyPipe: HTTPBodySink, HTTPBodySource, @unchecked Sendable {
    /// Raised to the writer when the reader stopped early without an error of its own.
    public struct ReaderClosed: Error, CustomStringConvertible {
        public var description: String { "the reader of the pipe stopped before the end of the body" }
    }

    public let capacity: Int
    private let condition = NSCondition()
    private let storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var count = 0
    private var finished = false
    private var failure: Error?
    private var receivedHead: HTTPResponseHead?
    private let onHead: (@Sendable (HTTPResponseHead) throws -> Void)?

    /// `onHead` sees the writer's response head before any byte and may refuse it (for example a
    /// status other than 200): its error fails the pipe.
    public init(capacity: Int = 4 << 20, onHead: (@Sendable (HTTPResponseHead) throws -> Void)? = nil) {
        precondition(capacity > 0, "an HTTPBodyPipe needs room for at least one byte")
        self.capacity = capacity
        self.onHead = onHead
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// The response head the writing side received, once it has.
    public var head: HTTPResponseHead? {
        condition.lock(); defer { condition.unlock() }
        return receivedHead
    }

    // MARK: Writing side

    public func receive(head: HTTPResponseHead) throws {
        do { try onHead?(head) } catch { fail(error); throw error }
        condition.lock(); receivedHead = head; condition.unlock()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        condition.lock(); defer { condition.unlock() }
        while offset < bytes.count {
            while count == capacity && failure == nil && !finished { condition.wait() }
            if let failure { throw failure }
            precondition(!finished, "HTTPBodyPipe.write after finish()")
            offset += copyIn(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            condition.broadcast()
        }
    }

    /// The end of the body: the reader gets what is buffered, then 0.
    public func finish() {
        condition.lock(); defer { condition.unlock() }
        guard failure == nil else { return }
        finished = true
        condition.broadcast()
    }

    /// Ends the pipe for both sides with `error`; the first error wins. Buffered bytes are dropped.
    public func fail(_ error: Error) {
        condition.lock(); defer { condition.unlock() }
        guard failure == nil else { return }
        failure = error
        condition.broadcast()
    }

    // MARK: Reading side

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        condition.lock(); defer { condition.unlock() }
        while count == 0 && failure == nil && !finished { condition.wait() }
        if let failure { throw failure }
        if count == 0 { return 0 }
        let n = copyOut(buffer)
        condition.broadcast()
        return n
    }

    /// The reader is done: a writer that still has bytes gets `error`, or `ReaderClosed`.
    func closeReading(error: Error?) {
        condition.lock()
        let writerDone = finished && count == 0
        condition.unlock()
        if let error { fail(error) } else if !writerDone { fail(ReaderClosed()) }
    }

    // MARK: Ring buffer (called with the lock held)

    private func copyIn(_ bytes: UnsafeRawBufferPointer) -> Int {
        let end = (start + count) % capacity
        let contiguous = min(capacity - count, capacity - end, bytes.count)
        UnsafeMutableRawBufferPointer(rebasing: storage[end..<end + contiguous])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[..<contiguous]))
        count += contiguous
        return contiguous
    }

    private func copyOut(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        let contiguous = min(count, capacity - start, buffer.count)
        UnsafeMutableRawBufferPointer(rebasing: buffer[..<contiguous])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[start..<start + contiguous]))
        start = (start + contiguous) % capacity
        count -= contiguous
        return contiguous
    }
}
