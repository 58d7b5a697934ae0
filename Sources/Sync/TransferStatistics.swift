import Foundation

/// Counters of what the blob jobs did, for the summary line and the metrics.
public final class TransferStatistics: @unchecked Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var blobsCopied = 0
        public var blobsMounted = 0
        public var blobsSkipped = 0
        public var bytesCopied: Int64 = 0
    }

    private let lock = NSLock()
    private var value = Snapshot()

    public init() {}

    public var snapshot: Snapshot { lock.withLock { value } }

    func add(copied: Int = 0, mounted: Int = 0, skipped: Int = 0, bytes: Int64 = 0) {
        lock.withLock {
            value.blobsCopied += copied
            value.blobsMounted += mounted
            value.blobsSkipped += skipped
            value.bytesCopied += bytes
        }
    }
}
