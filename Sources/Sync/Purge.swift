import Foundation
import OCI

/// Which tags of one target a purge deletes: those the image no longer syncs. Kept are every tag
/// the policy selects from the source's listing, every tag matching `ignoredTags` (ignored means
/// not touched, on either side) and every tag matching `mutableTags`; the rest is deleted.
struct PurgePlan: Sendable, Equatable {
    /// Target tags to delete, sorted.
    var deletions: [String]
    /// Target tags left in place, sorted.
    var kept: [String]
}

/// Why a target is not purged at all this cycle.
enum PurgeRefusal: Sendable, Equatable, CustomStringConvertible {
    /// `repo:tag` / `repo@digest` names one image, not the set of tags to keep.
    case pinnedSource(String)
    /// `host/repo:tag` renames one source tag: every other tag of it is someone else's.
    case renamedTarget(String)
    /// The source's tags could not be listed.
    case sourceNotListed(String)
    /// An empty listing is more likely a fault (a wrong repository, a registry mid-migration) than
    /// an instruction to delete everything.
    case noSourceTags
    /// Likewise a filter that selects none of the source's tags.
    case nothingSelected(sourceTags: Int)

    var description: String {
        switch self {
        case .pinnedSource(let source):
            "the source \(source) is pinned to one tag or digest; purge needs the whole repository as source"
        case .renamedTarget(let target):
            "the target \(target) names a tag, which renames one source tag; a renaming target is never purged"
        case .sourceNotListed(let reason): "the source's tags could not be listed (\(reason))"
        case .noSourceTags: "the source has no tags"
        case .nothingSelected(let count): "the tag filter selects none of the source's \(count) tags"
        }
    }
}

enum PurgeDecision: Sendable, Equatable {
    case purge(PurgePlan)
    case refused(PurgeRefusal)
}

extension PurgeDecision {
    /// What a purge of `target` does, given the source's tag listing (or why there is none) and
    /// the tags on the target.
    static func decide(policy: TagPolicy, source: ImageReference, sourceTags: Result<[String], Error>,
                       target: TargetName, targetTags: [String]) throws -> PurgeDecision {
        if source.tag != nil || source.digest != nil { return .refused(.pinnedSource(source.description)) }
        if let tag = target.tag { return .refused(.renamedTarget("\(target.name):\(tag)")) }
        let available: [String]
        switch sourceTags {
        case .success(let tags): available = tags
        case .failure(let error): return .refused(.sourceNotListed("\(error)"))
        }
        guard !available.isEmpty else { return .refused(.noSourceTags) }
        let selected = Set(try policy.select(from: available))
        guard !selected.isEmpty else { return .refused(.nothingSelected(sourceTags: available.count)) }
        let ignored = try policy.ignoredTags.map { try TagPattern.compiled($0) }
        let keep: (String) -> Bool = { tag in
            selected.contains(tag) || policy.isMutable(tag) || ignored.contains { $0.matches(tag) }
        }
        let tags = Set(targetTags).sorted()
        return .purge(PurgePlan(deletions: tags.filter { !keep($0) }, kept: tags.filter(keep)))
    }
}

extension ImageSpec {
    /// Why this image cannot be purged at all (a pinned source, a renaming target); nil when it can.
    public var purgeRefusal: String? {
        guard let source = try? sourceReference(source) else { return nil }
        if source.tag != nil || source.digest != nil { return PurgeRefusal.pinnedSource(source.description).description }
        for case let .registry(reference)? in targets.map({ try? TargetName($0) }) where reference.tag != nil {
            return PurgeRefusal.renamedTarget(reference.description).description
        }
        return nil
    }
}
