import Foundation

/// Coalesces acknowledgements into batched script calls, like a database's group commit: the
/// first `complete` is sent at once, and those arriving while a batch is in flight go together in
/// the next one as soon as it returns (at most `maxBatch` a call). Each caller returns when its
/// own batch is durable in Redis, or throws that batch's error.
final class AckBatcher: @unchecked Sendable {
    typealias Flush = @Sendable (_ ids: [String]) async throws -> Void

    static let maxBatch = 512

    private let lock = NSLock()
    private var pending: [(id: String, continuation: CheckedContinuation<Void, Error>)] = []
    private var flushing = false
    private let flush: Flush

    init(flush: @escaping Flush) { self.flush = flush }

    func acknowledge(_ id: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            let start = lock.withLock { () -> Bool in
                pending.append((id, continuation))
                defer { flushing = true }
                return !flushing
            }
            if start { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while let batch = nextBatch() {
            do {
                try await flush(batch.map(\.id))
                for entry in batch { entry.continuation.resume() }
            } catch {
                for entry in batch { entry.continuation.resume(throwing: error) }
            }
        }
    }

    private func nextBatch() -> [(id: String, continuation: CheckedContinuation<Void, Error>)]? {
        lock.withLock {
            guard !pending.isEmpty else {
                flushing = false
                return nil
            }
            let batch = Array(pending.prefix(Self.maxBatch))
            pending.removeFirst(batch.count)
            return batch
        }
    }
}
