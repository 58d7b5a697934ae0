import Foundation

/// What became of one tag × target (or of an image whose tags could not be listed, or of a purge), as the
/// reporter counts it against `sync.maxerrors`.
public struct Outcome: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Copied now.
        case synced
        /// The target already had the same digest.
        case upToDate
        /// Present on the target and not mutable: not looked at.
        case skipped
        /// Would be copied (dry run).
        case planned
        case failed
        /// A target tag the image no longer syncs, deleted by purge.
        case purged
        /// Would be deleted by purge (dry run).
        case purgePlanned
    }

    public var cycle: String
    public var source: String
    public var tag: String?
    public var target: String?
    public var status: Status
    public var failure: JobFailure?
    public var bytes: Int64

    public init(cycle: String, source: String, tag: String?, target: String?, status: Status,
                failure: JobFailure? = nil, bytes: Int64 = 0) {
        self.cycle = cycle; self.source = source; self.tag = tag; self.target = target
        self.status = status; self.failure = failure; self.bytes = bytes
    }
}

/// Where job handlers report outcomes and the reporter reads them.
public protocol OutcomeLog: Sendable {
    func publish(_ outcome: Outcome) async throws
}
