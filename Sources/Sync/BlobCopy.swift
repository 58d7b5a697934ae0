import Foundation
import HTTP
import OCI

/// Streams one blob from a source registry into a target (a registry or a bucket) through a bounded
/// pipe: memory stays flat whatever the size. `getBlob` checks the digest before handing on the last
/// byte, so a corrupt or truncated blob never completes its upload (nor its object). Each upload
/// attempt reads the blob anew, so the target's client may retry a failed upload, or resend it in
/// chunks (parts) when a monolithic PUT is refused; a failed read is not retried there (`getBlob`
/// has its own retries).
struct BlobCopy {
    let digest: Digest
    let size: Int64

    func run(from source: RegistryClient, repository sourceRepository: String, to target: TargetRepository) async throws {
        let reads = Reads()
        do {
            try await target.pushBlob(digest, size: size, sources: {
                let pipe = HTTPBodyPipe()
                reads.add(Task {
                    do {
                        _ = try await source.getBlob(repository: sourceRepository, digest: digest, size: size,
                                                     into: PipeWriter(pipe))
                        pipe.finish()
                    } catch {
                        pipe.fail(SourceReadFailure(error: error))
                        throw error
                    }
                })
                return pipe
            })
        } catch let failure as SourceReadFailure {
            throw failure.error
        } catch {
            reads.cancelAll()
            throw error
        }
        try await reads.last?.value
    }
}

/// The source side failed: the upload stops at once and the read's own error is what the job sees.
private struct SourceReadFailure: Error {
    let error: Error
}

/// Hands what `getBlob` receives to the pipe; the copy, not `getBlob`, decides when the pipe ends.
private final class PipeWriter: HTTPBodySink, @unchecked Sendable {
    private let pipe: HTTPBodyPipe
    init(_ pipe: HTTPBodyPipe) { self.pipe = pipe }
    func receive(head: HTTPResponseHead) throws { try pipe.receive(head: head) }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try pipe.write(bytes) }
}

/// The source reads started for the upload attempts of one copy.
private final class Reads: @unchecked Sendable {
    private let lock = NSLock()
    private var tasks: [Task<Void, Error>] = []

    func add(_ task: Task<Void, Error>) { lock.withLock { tasks.append(task) } }
    var last: Task<Void, Error>? { lock.withLock { tasks.last } }
    func cancelAll() { lock.withLock { tasks }.forEach { $0.cancel() } }
}
