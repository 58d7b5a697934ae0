#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A thread of its own that runs submitted jobs one at a time, in order. Each connection owns one,
/// so hiredis's blocking calls never occupy Swift's cooperative thread pool.
final class RedisThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var isShutDown = false

    init(name: String) {
        let thread = Thread { [self] in
            Thread.current.threadDictionary[Self.marker] = true
            run()
        }
        thread.name = name
        thread.start()
    }

    /// True on a connection's thread (and nowhere else, in particular not on the cooperative pool).
    static var isCurrent: Bool { Thread.current.threadDictionary[marker] != nil }
    private static let marker = "docker-sync.RedisThread"

    /// Queues `job`; false when the thread has been shut down (the job will not run).
    func submit(_ job: @escaping () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !isShutDown else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Refuses new jobs; the queued ones still run, then the thread exits.
    func shutDown() {
        condition.lock()
        isShutDown = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        blockSIGPIPE()
        while let batch = nextBatch() {
            for job in batch { job() }
        }
    }

    private func nextBatch() -> [() -> Void]? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty && !isShutDown { condition.wait() }
        if jobs.isEmpty { return nil }
        let batch = jobs
        jobs.removeAll(keepingCapacity: true)
        return batch
    }

    /// hiredis writes with write(2): a peer that went away would raise SIGPIPE and kill the
    /// process. Blocked on this thread only, the write fails with EPIPE instead.
    private func blockSIGPIPE() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }
}
