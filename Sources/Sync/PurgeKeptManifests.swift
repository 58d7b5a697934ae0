import Foundation
import OCI
import Queue

/// The manifests the kept tags of one target need, learnt on first use (a HEAD per kept tag, a GET
/// per index) and then shared by every tag the purge deletes there: what must not be deleted by
/// digest when a registry cannot delete a tag alone.
actor KeptManifests {
    let tags: [String]
    private var needers: [Digest: String]?
    private var tagged: [Digest: [String]] = [:]

    init(tags: [String]) { self.tags = tags }

    /// A kept tag whose manifest is `digest` or has it below (an index's child); nil when none.
    /// `resolve` names the digests of a tag's manifest tree, its own manifest first.
    func tag(needing digest: Digest, resolve: @escaping @Sendable (String) async throws -> [Digest]) async throws -> String? {
        if let needers { return needers[digest] }
        let trees = try await Self.resolveAll(tags, resolve)
        var found: [Digest: String] = [:]
        for (tag, digests) in zip(tags, trees) {
            for needed in digests where found[needed] == nil { found[needed] = tag }
            if let own = digests.first { tagged[own, default: []].append(tag) }
        }
        needers = found
        return found[digest]
    }

    /// The kept tags whose own manifest is `digest` (known once `tag(needing:)` has run).
    func tags(pointingAt digest: Digest) -> [String] { tagged[digest] ?? [] }

    /// `resolve` of every tag, a few at a time (a repository may keep thousands), in `tags`' order.
    private static func resolveAll(_ tags: [String], _ resolve: @escaping @Sendable (String) async throws -> [Digest],
                                   width: Int = 8) async throws -> [[Digest]] {
        try await withThrowingTaskGroup(of: (Int, [Digest]).self) { group in
            var results = [[Digest]](repeating: [], count: tags.count)
            var next = 0
            while next < min(width, tags.count) {
                let index = next
                group.addTask { (index, try await resolve(tags[index])) }
                next += 1
            }
            while let (index, digests) = try await group.next() {
                results[index] = digests
                if next < tags.count {
                    let index = next
                    group.addTask { (index, try await resolve(tags[index])) }
                    next += 1
                }
            }
            return results
        }
    }
}

/// A purge that cannot go on at a target this cycle.
enum PurgeError: ClassifiedError {
    /// The registry refuses every manifest DELETE (distribution without `storage.delete.enabled`).
    case deletesDisabled(RegistryError, target: String)

    var failureClass: JobFailure.Class { .fatal }
    var retryAt: Double? { nil }
    var registryHost: String? { nil }
    var status: Int? {
        switch self {
        case .deletesDisabled(let error, _): error.status
        }
    }

    var description: String {
        switch self {
        case let .deletesDisabled(error, target):
            "purge of \(target): the registry does not allow deleting manifests (\(error)); enable deletes on it "
                + "(distribution: storage.delete.enabled: true; hosted registries: credentials with delete permission) "
                + "or turn purge off for this image"
        }
    }
}
