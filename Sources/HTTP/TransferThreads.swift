import Foundation

/// The threads that run blocking libcurl transfers and body callbacks, so they never hold a
/// thread of Swift's cooperative pool. Threads start on demand up to `maxThreads` and end after
/// `idleTimeout` without work; jobs beyond `maxThreads` wait in FIFO order.
final class TransferThreads: @unchecked Sendable {
    let maxThreads: Int
    private let idleTimeout: TimeInterval
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var nextJob = 0
    private var threads = 0
    private var idle = 0

    init(maxThreads: Int, idleTimeout: TimeInterval = 30) {
        precondition(maxThreads > 0, "maxTransferThreads must be at least 1")
        self.maxThreads = maxThreads
        self.idleTimeout = idleTimeout
    }

    /// Threads alive now (busy or idle).
    var threadCount: Int { condition.lock(); defer { condition.unlock() }; return threads }

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        let pending = jobs.count - nextJob
        if pending > idle && threads < maxThreads {
            threads += 1
            startThread()
        } else {
            condition.signal()
        }
        condition.unlock()
    }

    /// Runs `work` on a transfer thread and awaits its result.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try work() }) }
        }
    }

    private func startThread() {
        let thread = Thread { [self] in self.workLoop() }
        thread.name = "docker-sync.http"
        thread.start()
    }

    private func workLoop() {
        while let job = nextJobOrExit() { job() }
    }

    /// The next job, or nil when the thread has idled for `idleTimeout` and should end.
    private func nextJobOrExit() -> (@Sendable () -> Void)? {
        condition.lock(); defer { condition.unlock() }
        while nextJob == jobs.count {
            idle += 1
            let signalled = condition.wait(until: Date(timeIntervalSinceNow: idleTimeout))
            idle -= 1
            if !signalled && nextJob == jobs.count {
                threads -= 1
                return nil
            }
        }
        let job = jobs[nextJob]
        nextJob += 1
        if nextJob == jobs.count {
            jobs.removeAll(keepingCapacity: true); nextJob = 0
        } else if nextJob >= 64 && nextJob * 2 >= jobs.count {
            jobs.removeFirst(nextJob); nextJob = 0
        }
        return job
    }
}
