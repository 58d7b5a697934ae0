/// A request body as libcurl pulls it: bytes can be rewound (libcurl rewinds to resend on a
/// fresh connection when a reused one turns out dead), a stream only before its first read.
final class RequestBodyReader {
    enum Content { case bytes([UInt8]), stream(HTTPBodySource) }

    let content: Content
    /// Known length (Content-Length), or nil for chunked.
    let length: Int64?
    private var offset = 0

    init(_ body: HTTPRequestBody) {
        switch body {
        case .none: content = .bytes([]); length = 0
        case .bytes(let bytes): content = .bytes(bytes); length = Int64(bytes.count)
        case .stream(let source, let length): content = .stream(source); self.length = length
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        switch content {
        case .bytes(let bytes):
            let n = min(buffer.count, bytes.count - offset)
            bytes.withUnsafeBytes { all in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: all[offset..<offset + n]))
            }
            offset += n
            return n
        case .stream(let source):
            let n = try source.read(into: buffer)
            precondition(n >= 0 && n <= buffer.count, "HTTPBodySource.read returned \(n) for a \(buffer.count)-byte buffer")
            offset += n
            return n
        }
    }

    /// Moves to `position` from the start; false when this body cannot go there.
    func seek(to position: Int64) -> Bool {
        switch content {
        case .bytes(let bytes):
            guard position >= 0 && position <= Int64(bytes.count) else { return false }
            offset = Int(position)
            return true
        case .stream:
            return position == Int64(offset) && offset == 0
        }
    }
}
