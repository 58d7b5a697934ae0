import Foundation

/// Counters of what the blob jobs did, for the summary line and the metrics.
public final class TransferStatistics: @unchecked Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var blobsCopied = 0
        public var blobsMounted = 0
        public var blobsSkipped = 0
        public var bytesCopied: Int64 = 0
        /// Tag × target syncs the image jobs planned (skipped ones included).
        public var tagsPlanned = 0
        public init(blobsCopied: Int = 0, blobsMounted: Int = 0, blobsSkipped: Int = 0, bytesCopied: Int64 = 0) {
            self.blobsCopied = blobsCopied; self.blobsMounted = blobsMounted
            self.blobsSkipped = blobsSkipped; self.bytesCopied = bytesCopied
        }
    }

    private let lock = NSLock()
    private var value = Snapshot()
    private var reported = Snapshot()

    public init() {}

    public var snapshot: Snapshot { lock.withLock { value } }

    func reset() { lock.withLock { value = Snapshot(); reported = Snapshot() } }

    /// What was added since the last call, for a fleet-wide counter.
    public func takeUnreported() -> Snapshot {
        lock.withLock {
            let delta = Snapshot(blobsCopied: value.blobsCopied - reported.blobsCopied,
                                 blobsMounted: value.blobsMounted - reported.blobsMounted,
                                 blobsSkipped: value.blobsSkipped - reported.blobsSkipped,
                                 bytesCopied: value.bytesCopied - reported.bytesCopied)
            reported = value
            return delta
        }
    }

    func add(copied: Int = 0, mounted: Int = 0, skipped: Int = 0, bytes: Int64 = 0, planned: Int = 0) {
        lock.withLock {
            value.tagsPlanned += planned
            value.blobsCopied += copied
            value.blobsMounted += mounted
            value.blobsSkipped += skipped
            value.bytesCopied += bytes
        }
    }
}
