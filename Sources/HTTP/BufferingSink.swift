/// Collects a response body in memory for `HTTPClient.send(_:maxBodyBytes:)`, refusing more
/// than `limit` bytes (manifests and JSON, never blobs).
final class BufferingSink: HTTPBodySink, @unchecked Sendable {
    private(set) var bytes: [UInt8] = []
    private let limit: Int
    private let request: HTTPRequest

    init(limit: Int, request: HTTPRequest) {
        self.limit = limit
        self.request = request
    }

    func receive(head: HTTPResponseHead) throws {
        // A HEAD response announces the length of a body it does not send.
        guard request.method.uppercased() != "HEAD",
              let announced = head.headers["Content-Length"].flatMap({ Int($0) }) else { return }
        if announced > limit { throw tooLarge(announced) }
        bytes.reserveCapacity(announced)
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        guard bytes.count + chunk.count <= limit else { throw tooLarge(nil) }
        bytes.append(contentsOf: chunk)
    }

    private func tooLarge(_ announced: Int?) -> HTTPError {
        let size = announced.map { "is \($0) bytes" } ?? "exceeds that"
        return HTTPError(kind: .bodyTooLarge, method: request.method, url: request.url, message:
            "the response body \(size); at most \(limit) bytes are read into memory (stream large bodies into an HTTPBodySink)")
    }
}
