import Foundation
import Queue

/// What one sync cycle did, tag × target by tag × target, purged tags included.
public struct CycleReport: Sendable {
    public var cycle: String
    public var outcomes: [Outcome]
    public var transfers: TransferStatistics.Snapshot
    public var duration: Duration
    /// Every job of the cycle finished (false: a stop left some untaken, or aborted after the grace period).
    public var complete = true

    public init(cycle: String, outcomes: [Outcome], transfers: TransferStatistics.Snapshot, duration: Duration) {
        self.cycle = cycle; self.outcomes = outcomes; self.transfers = transfers; self.duration = duration
    }

    public var failures: [Outcome] { outcomes.filter { $0.status == .failed } }
    public var succeeded: Bool { failures.isEmpty }

    public func count(_ status: Outcome.Status) -> Int { outcomes.filter { $0.status == status }.count }

    /// One line for the log, then one per failure.
    public var summary: String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        var text = counts + "; blobs: \(transfers.blobsCopied) copied (\(ByteCount(transfers.bytesCopied))), "
        text += "\(transfers.blobsMounted) mounted, \(transfers.blobsSkipped) already present; \(String(format: "%.1f", seconds)) s"
        return text + failureLines
    }

    /// A dry run's plan: `would sync SOURCE:TAG → TARGET` and `would purge TARGET:TAG`, one a line.
    public var plannedLines: [String] {
        outcomes.compactMap { outcome in
            switch outcome.status {
            case .planned: "would sync \(outcome.source):\(outcome.tag ?? "") → \(outcome.target ?? "")"
            case .purgePlanned: "would purge \(outcome.target ?? ""):\(outcome.tag ?? "")"
            default: nil
            }
        }
    }

    /// Tag counts by outcome, then one line per failure (no transfer figures: a fleet's are fleet-wide).
    public var outcomeSummary: String { counts + failureLines }

    private var counts: String {
        var text = "\(count(.synced)) synced, \(count(.upToDate)) up to date, \(count(.skipped)) skipped"
        if count(.planned) > 0 { text += ", \(count(.planned)) would be synced (dry run)" }
        if count(.purged) > 0 { text += ", \(count(.purged)) purged" }
        if count(.purgePlanned) > 0 { text += ", \(count(.purgePlanned)) would be purged (dry run)" }
        return text + ", \(failures.count) failed"
    }

    private var failureLines: String {
        var text = ""
        for failure in failures {
            text += "\n  FAILED \(failure.source)\(failure.tag.map { ":\($0)" } ?? "")"
            if let target = failure.target { text += " → \(target)" }
            text += ": \(failure.failure?.message ?? "unknown error")"
        }
        return text
    }
}

/// Bytes for people: 1.5 GiB, 230 MiB, 12 KiB.
public struct ByteCount: CustomStringConvertible, Sendable {
    public let bytes: Int64
    public init(_ bytes: Int64) { self.bytes = bytes }
    public var description: String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
