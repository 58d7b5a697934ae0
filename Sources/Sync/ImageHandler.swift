import Foundation
import OCI
import Queue

extension JobHandlers {
    /// Chooses the tags to sync and fans out one tag job per tag × target. Tags already on a target
    /// and not mutable are skipped without asking the source, as the original does.
    func runImage(_ image: ImageJob, cycle: String) async throws {
        let source = try sourceReference(image.source)
        try image.policy.validate()
        let tags = try await sourceTags(source, policy: image.policy)
        var jobs: [Job] = []
        for targetText in image.targets {
            let target = try registries.targetRepository(targetText)
            let mapping = tagMapping(source: source, targetTag: target.target.tag, tags: tags)
            let needed = mapping.contains { $0.1 != nil && !image.policy.isMutable($0.0) }
            let present = try await presentTags(target, needed: needed)
            statistics.add(planned: mapping.count)
            for (sourceReference, targetTag) in mapping {
                if let targetTag, present?.contains(targetTag) == true, !image.policy.isMutable(sourceReference) {
                    try await publish(Outcome(cycle: cycle, source: image.source, tag: sourceReference,
                                              target: targetText, status: .skipped))
                    continue
                }
                let tagJob = TagJob(source: source.name, sourceReference: sourceReference, target: target.name,
                                    targetTag: targetTag, dryRun: image.dryRun,
                                    targetHasTag: targetTag.flatMap { tag in present.map { $0.contains(tag) } },
                                    targetIsNew: present?.isEmpty)
                jobs.append(try Job(kind: .tag, tagJob, cycle: cycle,
                                    uniqueKey: "tag|\(tagJob.source)|\(sourceReference)|\(tagJob.target)|\(targetTag ?? "")"))
            }
        }
        logger.info("planned \(jobs.count) tag syncs", metadata: ["image": "\(image.source)", "tags": "\(tags.count)"])
        try await queue.enqueue(jobs)
    }

    /// The source tags (or the pinned digest) this image syncs.
    private func sourceTags(_ source: ImageReference, policy: TagPolicy) async throws -> [String] {
        if let digest = source.digest { return [digest.description] }
        if let tag = source.tag { return [tag] }
        let available = policy.isLiteral ? nil : try await registries.source(source).listTags(repository: source.repository)
        return try policy.select(from: available)
    }

    /// Source reference → target tag. A target written with a tag renames a single source tag;
    /// a pinned digest is pushed by digest unless the target names a tag.
    private func tagMapping(source: ImageReference, targetTag: String?, tags: [String]) -> [(String, String?)] {
        if let targetTag, tags.count == 1 { return [(tags[0], targetTag)] }
        return tags.map { ($0, $0.hasPrefix("sha256:") ? nil : $0) }
    }

    /// Tags present on the target: one listing that spares a HEAD per absent tag and per blob of a
    /// new repository. It must succeed when tags are skipped by presence (`needed`); otherwise a
    /// registry that refuses to list only costs those HEADs (nil: unknown).
    private func presentTags(_ target: TargetRepository, needed: Bool) async throws -> Set<String>? {
        do {
            return Set(try await target.listTags())
        } catch where !needed {
            logger.debug("cannot list the tags of \(target.name): \(error)")
            return nil
        }
    }
}
