import Foundation
import HTTP
import OCI

/// Streams one blob from a source registry into a target registry through a bounded pipe: memory
/// stays flat whatever the size, and the digest is checked before the last byte is handed on, so
/// a corrupt or truncated blob never completes its upload.
struct BlobCopy {
    let digest: Digest
    let size: Int64

    func run(from source: RegistryClient, repository sourceRepository: String,
             to target: RegistryClient, repository targetRepository: String) async throws {
        let pipe = HTTPBodyPipe()
        let sink = VerifyingSink(pipe: pipe, digest: digest, size: size)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await source.getBlob(repository: sourceRepository, digest: digest, into: sink)
                    try sink.finish()
                } catch {
                    pipe.fail(error)
                    throw error
                }
            }
            group.addTask {
                do {
                    try await target.pushBlob(repository: targetRepository, digest: digest, size: size, from: pipe)
                } catch {
                    pipe.fail(error)
                    throw error
                }
            }
            // The first error is the cause; the other side fails because of it.
            do {
                try await group.waitForAll()
            } catch {
                group.cancelAll()
                throw sink.failure ?? error
            }
        }
    }
}

/// Hashes and counts what the source sends before passing it to the pipe.
final class VerifyingSink: HTTPBodySink, @unchecked Sendable {
    private let pipe: HTTPBodyPipe
    private let digest: Digest
    private let size: Int64
    private var hasher: DigestHasher
    private var received: Int64 = 0
    private(set) var failure: SyncError?

    init(pipe: HTTPBodyPipe, digest: Digest, size: Int64) {
        self.pipe = pipe; self.digest = digest; self.size = size
        hasher = DigestHasher(digest.algorithm)
    }

    func receive(head: HTTPResponseHead) throws { try pipe.receive(head: head) }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        received += Int64(bytes.count)
        guard received <= size else { throw fail("the source sent more than the \(size) bytes its manifest declares") }
        hasher.update(bytes)
        if received == size { try verify() }
        try pipe.write(bytes)
    }

    func finish() throws {
        guard received == size else { throw fail("the source sent \(received) of \(size) bytes") }
        pipe.finish()
    }

    private func verify() throws {
        let actual = hasher.finalize()
        guard actual == digest else {
            throw fail("digest mismatch: expected \(digest), the source sent \(actual)")
        }
    }

    private func fail(_ reason: String) -> SyncError {
        let error = SyncError("blob \(digest): \(reason); nothing was committed", class: .retryable)
        failure = error
        return error
    }
}
