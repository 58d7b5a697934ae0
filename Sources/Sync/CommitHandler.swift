import Foundation
import OCI
import Queue

extension JobHandlers {
    /// Pushes the manifests byte for byte, children by digest first and the tag last, so a reader
    /// never sees a tag whose content is missing.
    func runCommit(_ commit: CommitJob, cycle: String, id: String) async throws {
        let target = try registries.targetRepository(commit.target)
        for (index, record) in commit.manifests.enumerated() {
            let isTop = index == commit.manifests.count - 1
            let reference = isTop ? (commit.targetTag ?? record.digest) : record.digest
            let raw = RawManifest(bytes: [UInt8](record.bytes), mediaType: MediaType(rawValue: record.mediaType))
            try await target.putManifest(raw, reference: reference)
        }
        try await target.committed(tag: commit.targetTag, serially: TagIndexLock(coordination: coordination, holder: id))
        try await publish(Outcome(cycle: cycle, source: commit.source, tag: commit.sourceReference, target: commit.target,
                                  status: .synced, bytes: commit.bytes))
    }
}
