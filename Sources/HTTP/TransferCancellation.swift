import Foundation

/// Cancels one request: set by the awaiting task's cancellation handler, polled by the
/// transfer's callbacks; also unblocks a pipe the transfer may be waiting on.
final class TransferCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var pipes: [HTTPBodyPipe] = []

    var isCancelled: Bool { lock.withLock { cancelled } }

    func watch(_ pipe: HTTPBodyPipe?) {
        guard let pipe else { return }
        lock.withLock { pipes.append(pipe) }
    }

    func cancel() {
        let toFail: [HTTPBodyPipe] = lock.withLock {
            cancelled = true
            defer { pipes = [] }
            return pipes
        }
        toFail.forEach { $0.fail(CancellationError()) }
    }
}
