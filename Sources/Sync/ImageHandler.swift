import Foundation
import OCI
import Queue

extension JobHandlers {
    /// Chooses the tags to sync and fans out one tag job per tag × target. Tags already on a target
    /// and not mutable are skipped without asking the source, as the original does. With `purge`,
    /// each target's tags the image no longer syncs are deleted first, before any tag job exists.
    func runImage(_ image: ImageJob, cycle: String, id: String) async throws {
        let source = try sourceReference(image.source)
        try image.policy.validate()
        let purging = image.purge == true
        let listing = try await sourceListing(source, policy: image.policy, purging: purging)
        let tags = try sourceTags(source, policy: image.policy, listing: listing)
        var plans: [TargetPlan] = []
        for targetText in image.targets {
            let target = try registries.targetRepository(targetText)
            let mapping = tagMapping(source: source, targetTag: target.target.tag, tags: tags)
            let needed = mapping.contains { $0.1 != nil && !image.policy.isMutable($0.0) }
            let listed = await targetTags(target)
            var present = try presentTags(listed, of: target, needed: needed)
            if case .success(let tags) = listed, !image.dryRun { await repairTagIndex(target, present: tags, holder: id) }
            // Emptied by the purge below is not new: blobs recorded there in earlier cycles may be gone.
            let isNew = present?.isEmpty
            if purging {
                let deleted = try await purge(image, source: source, listing: listing, target: target, targetTags: listed,
                                              cycle: cycle, holder: id)
                present?.subtract(deleted)
            }
            plans.append(TargetPlan(target: target, text: targetText, mapping: mapping, present: present, isNew: isNew))
        }
        var jobs: [Job] = []
        for plan in plans { jobs += try await tagJobs(image, source: source, plan: plan, cycle: cycle) }
        logger.info("planned \(jobs.count) tag syncs", metadata: ["image": "\(image.source)", "tags": "\(tags.count)"])
        try await queue.enqueue(jobs)
    }

    /// One tag job per tag to look at; tags present and not mutable are reported skipped instead.
    private func tagJobs(_ image: ImageJob, source: ImageReference, plan: TargetPlan, cycle: String) async throws -> [Job] {
        let (target, present) = (plan.target, plan.present)
        statistics.add(planned: plan.mapping.count)
        var jobs: [Job] = []
        for (sourceReference, targetTag) in plan.mapping {
            if let targetTag, present?.contains(targetTag) == true, !image.policy.isMutable(sourceReference) {
                try await publish(Outcome(cycle: cycle, source: image.source, tag: sourceReference,
                                          target: plan.text, status: .skipped))
                continue
            }
            let tagJob = TagJob(source: source.name, sourceReference: sourceReference, target: target.name,
                                targetTag: targetTag, dryRun: image.dryRun,
                                targetHasTag: targetTag.flatMap { tag in present.map { $0.contains(tag) } },
                                targetIsNew: plan.isNew)
            jobs.append(try Job(kind: .tag, tagJob, cycle: cycle,
                                uniqueKey: "tag|\(tagJob.source)|\(sourceReference)|\(tagJob.target)|\(targetTag ?? "")"))
        }
        return jobs
    }

    /// The source's tags when they are needed: to select from a pattern, or to purge by. A failed
    /// listing fails the image unless the tags are literal, when it only stops the purge.
    private func sourceListing(_ source: ImageReference, policy: TagPolicy, purging: Bool) async throws -> Result<[String], Error>? {
        guard source.tag == nil, source.digest == nil, !policy.isLiteral || purging else { return nil }
        do {
            return .success(try await registries.source(source).listTags(repository: source.repository))
        } catch where policy.isLiteral {
            return .failure(error)
        }
    }

    /// The source tags (or the pinned digest) this image syncs.
    private func sourceTags(_ source: ImageReference, policy: TagPolicy, listing: Result<[String], Error>?) throws -> [String] {
        if let digest = source.digest { return [digest.description] }
        if let tag = source.tag { return [tag] }
        return try policy.select(from: try? listing?.get())
    }

    /// Source reference → target tag. A target written with a tag renames a single source tag;
    /// a pinned digest is pushed by digest unless the target names a tag.
    private func tagMapping(source: ImageReference, targetTag: String?, tags: [String]) -> [(String, String?)] {
        if let targetTag, tags.count == 1 { return [(tags[0], targetTag)] }
        return tags.map { ($0, $0.hasPrefix("sha256:") ? nil : $0) }
    }

    /// Best effort: a target whose tag index cannot be read or written now fails in its tag jobs, if at all.
    private func repairTagIndex(_ target: TargetRepository, present: Set<String>, holder: String) async {
        do {
            if try await target.repairTagIndex(present: present, serially: TagIndexLock(coordination: coordination, holder: holder)) {
                logger.warning("the tag index of \(target.name) did not match its tags (a run ended between writing a tag and the index); rewrote it")
            }
        } catch {
            logger.warning("cannot check the tag index of \(target.name): \(error)")
        }
    }

    private func targetTags(_ target: TargetRepository) async -> Result<Set<String>, Error> {
        do {
            return .success(Set(try await target.listTags()))
        } catch {
            return .failure(error)
        }
    }

    /// Tags present on the target: one listing that spares a HEAD per absent tag and per blob of a
    /// new repository. It must succeed when tags are skipped by presence (`needed`); otherwise a
    /// registry that refuses to list only costs those HEADs (nil: unknown).
    private func presentTags(_ listed: Result<Set<String>, Error>, of target: TargetRepository, needed: Bool) throws -> Set<String>? {
        switch listed {
        case .success(let tags): return tags
        case .failure(let error):
            if needed { throw error }
            logger.debug("cannot list the tags of \(target.name): \(error)")
            return nil
        }
    }
}

/// One target of an image job: what it syncs there and the tags the target had (nil: unknown).
private struct TargetPlan {
    let target: TargetRepository
    /// As written in the image's targets.
    let text: String
    /// Source reference → target tag.
    let mapping: [(String, String?)]
    let present: Set<String>?
    /// The target had no tags before any purge (nil: unknown).
    let isNew: Bool?
}
