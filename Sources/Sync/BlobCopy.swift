import Foundation
import HTTP
import OCI

/// Streams one blob from a source registry into a target registry through a bounded pipe: memory
/// stays flat whatever the size. `getBlob` checks the digest before handing on the last byte, so a
/// corrupt or truncated blob never completes its upload.
struct BlobCopy {
    let digest: Digest
    let size: Int64

    func run(from source: RegistryClient, repository sourceRepository: String,
             to target: RegistryClient, repository targetRepository: String) async throws {
        let pipe = HTTPBodyPipe()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Finishes the pipe on success and fails it on error.
                try await source.getBlob(repository: sourceRepository, digest: digest, size: size, into: pipe)
            }
            group.addTask {
                do {
                    try await target.pushBlob(repository: targetRepository, digest: digest, size: size, from: pipe)
                } catch {
                    pipe.fail(error)
                    throw error
                }
            }
            try await group.waitForAll()
        }
    }
}
