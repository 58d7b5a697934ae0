import Foundation

/// Counters over a client's lifetime, for metrics and for tests that check connection reuse.
public struct HTTPStatistics: Sendable, Equatable {
    /// New connections opened (the sum of libcurl's CURLINFO_NUM_CONNECTS over all exchanges).
    public var connectionsOpened = 0
    /// Request/response exchanges sent, each redirect hop counted; failed ones included.
    public var requests = 0
    /// Request body bytes sent.
    public var bytesSent: Int64 = 0
    /// Response body bytes received (redirect bodies included).
    public var bytesReceived: Int64 = 0
    public var redirectsFollowed = 0

    public init() {}
}

final class StatisticsRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var value = HTTPStatistics()

    var current: HTTPStatistics { lock.withLock { value } }

    func record(connects: Int, sent: Int64, received: Int64) {
        lock.withLock {
            value.requests += 1
            value.connectionsOpened += connects
            value.bytesSent += sent
            value.bytesReceived += received
        }
    }

    func recordRedirect() { lock.withLock { value.redirectsFollowed += 1 } }
}
