/// docker-sync's version, sent as `User-Agent: docker-sync/<version>`.
public let dockerSyncVersion = "0.1.0"

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: HTTPRequestBody

    public init(method: String = "GET", url: String, headers: HTTPHeaders = [:], body: HTTPRequestBody = .none) {
        self.method = method; self.url = url; self.headers = headers; self.body = body
    }
}

public enum HTTPRequestBody: Sendable {
    case none
    case bytes([UInt8])
    /// Pulled from `source` on a transfer thread; `length` nil sends chunked.
    /// A request with a streamed body never follows redirects: the body cannot be replayed.
    case stream(HTTPBodySource, length: Int64?)
}

/// A request body produced while the request is sent. Called on a thread the HTTP module owns; may block.
public protocol HTTPBodySource: AnyObject, Sendable {
    /// Fills `buffer` and returns how many bytes it wrote; 0 means the end. Throwing aborts the request.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A response body consumed while it arrives. Called on a thread the HTTP module owns; may block.
public protocol HTTPBodySink: AnyObject, Sendable {
    /// Once, before any body byte, with the final response's head (after redirects).
    func receive(head: HTTPResponseHead) throws
    /// Throwing aborts the transfer.
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

public struct HTTPResponseHead: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    /// The URL that answered, after redirects.
    public var url: String
    /// The protocol of the status line, e.g. `HTTP/1.1` or `HTTP/2`.
    public var httpVersion: String

    public init(status: Int, headers: HTTPHeaders, url: String, httpVersion: String = "HTTP/1.1") {
        self.status = status; self.headers = headers; self.url = url; self.httpVersion = httpVersion
    }
}

public struct HTTPResponse: Sendable {
    public var head: HTTPResponseHead
    public var body: [UInt8]
    public var status: Int { head.status }
    public var headers: HTTPHeaders { head.headers }
    public init(head: HTTPResponseHead, body: [UInt8]) { self.head = head; self.body = body }
}
