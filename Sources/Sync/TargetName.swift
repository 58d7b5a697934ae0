import Buckets
import Foundation
import OCI

/// A target as written in `targets:` or `-t`: a registry repository (`host/repo[:tag]`) or a bucket
/// laid out as a registry (`r2:<account>:<bucket>:<image>`, `s3:<region>:<bucket>:<image>`).
enum TargetName: Sendable, Hashable {
    case registry(ImageReference)
    case bucket(BucketImage)

    /// Parses `text`; each distinct name is parsed once per process (every job names its source and
    /// target, and parsing them per job cost about 6% of a many-tags sync's CPU).
    init(_ text: String) throws {
        self = try ParsedNames.shared.target(text) {
            BucketAddress.isBucket(text) ? .bucket(try BucketImage(parsing: text)) : .registry(try ImageReference(text))
        }
    }

    /// The normalised name jobs carry: `host/repo` (tag dropped) or `r2:<account>:<bucket>:<image>`.
    var name: String {
        switch self {
        case .registry(let reference): reference.name
        case .bucket(let image): image.description
        }
    }

    /// A tag written into a registry target renames a single source tag; buckets take no tag.
    var tag: String? {
        if case .registry(let reference) = self { return reference.tag }
        return nil
    }

    /// What per-registry slots, pauses, blob claims and recorded blob locations are keyed by: the
    /// registry host, or the bucket (`r2:<account>:<bucket>`).
    var registryKey: String {
        switch self {
        case .registry(let reference): reference.registry
        case .bucket(let image): image.address.description
        }
    }

    /// The repository inside `registryKey`: the registry path, or the image inside the bucket.
    var repository: String {
        switch self {
        case .registry(let reference): reference.repository
        case .bucket(let image): image.image
        }
    }
}

/// Parses a source: an image reference. Buckets are targets only, as in the original.
func sourceReference(_ text: String) throws -> ImageReference {
    try ParsedNames.shared.source(text) {
        if BucketAddress.isBucket(text) {
            throw SyncError("source \"\(text)\": a bucket (r2:…, s3:…) can only be a target; sync from a registry into it")
        }
        return try ImageReference(text)
    }
}

/// Names parsed so far, by their text. Only successes are kept (a bad name throws each time); the
/// memo is emptied when it reaches `limit` entries, so a long-running daemon's config churn cannot grow it.
private final class ParsedNames: @unchecked Sendable {
    static let shared = ParsedNames()
    private let limit = 4096
    private let lock = NSLock()
    private var targets: [String: TargetName] = [:]
    private var sources: [String: ImageReference] = [:]

    func target(_ text: String, parse: () throws -> TargetName) throws -> TargetName {
        try memo(text, in: \.targets, parse: parse)
    }

    func source(_ text: String, parse: () throws -> ImageReference) throws -> ImageReference {
        try memo(text, in: \.sources, parse: parse)
    }

    private func memo<Value>(_ text: String, in table: ReferenceWritableKeyPath<ParsedNames, [String: Value]>,
                             parse: () throws -> Value) throws -> Value {
        if let known = lock.withLock({ self[keyPath: table][text] }) { return known }
        let value = try parse()
        lock.withLock {
            if self[keyPath: table].count >= limit { self[keyPath: table].removeAll(keepingCapacity: true) }
            self[keyPath: table][text] = value
        }
        return value
    }
}

/// The registry host or bucket a job's reference talks to (nil when it parses as neither).
func registryKey(of reference: String) -> String? {
    (try? TargetName(reference))?.registryKey
}
