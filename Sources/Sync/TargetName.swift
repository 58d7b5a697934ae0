import Buckets
import OCI

/// A target as written in `targets:` or `-t`: a registry repository (`host/repo[:tag]`) or a bucket
/// laid out as a registry (`r2:<account>:<bucket>:<image>`, `s3:<region>:<bucket>:<image>`).
enum TargetName: Sendable, Hashable {
    case registry(ImageReference)
    case bucket(BucketImage)

    init(_ text: String) throws {
        self = BucketAddress.isBucket(text) ? .bucket(try BucketImage(parsing: text)) : .registry(try ImageReference(text))
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
    if BucketAddress.isBucket(text) {
        throw SyncError("source \"\(text)\": a bucket (r2:…, s3:…) can only be a target; sync from a registry into it")
    }
    return try ImageReference(text)
}

/// The registry host or bucket a job's reference talks to (nil when it parses as neither).
func registryKey(of reference: String) -> String? {
    (try? TargetName(reference))?.registryKey
}
