import Foundation

/// Idle easy handles by origin (`scheme://host:port`). A request takes a handle that last talked
/// to its origin, so it reuses that handle's open connection (and its TLS session); a new handle
/// (and connection) is made only when every handle for the origin is busy.
final class ConnectionCache: @unchecked Sendable {
    private let share = CurlShare()
    private let lock = NSLock()
    private var idle: [String: [EasyHandle]] = [:]
    private let maxIdlePerOrigin: Int
    /// libcurl closes connections idle this long (CURLOPT_MAXAGE_CONN defaults to 118 s); a
    /// handle idle longer is freed rather than kept for a dead connection.
    private let maxIdleTime: Duration = .seconds(110)

    init(maxIdlePerOrigin: Int) {
        self.maxIdlePerOrigin = maxIdlePerOrigin
    }

    /// A handle reset to default options, ready to configure.
    func take(origin: String) -> EasyHandle {
        let handle: EasyHandle = lock.withLock {
            evictExpired()
            return idle[origin]?.popLast()
        } ?? EasyHandle(share: share)
        handle.reset()
        return handle
    }

    func giveBack(_ handle: EasyHandle, origin: String) {
        handle.lastUsed = .now
        let surplus: EasyHandle? = lock.withLock {
            idle[origin, default: []].append(handle)
            guard idle[origin]!.count > maxIdlePerOrigin else { return nil }
            return idle[origin]!.removeFirst()
        }
        _ = surplus  // freed (and its connection closed) outside the lock
    }

    /// Called with the lock held.
    private func evictExpired() {
        let cutoff = ContinuousClock.now - maxIdleTime
        for (origin, handles) in idle where handles.contains(where: { $0.lastUsed < cutoff }) {
            idle[origin] = handles.filter { $0.lastUsed >= cutoff }
        }
    }
}
