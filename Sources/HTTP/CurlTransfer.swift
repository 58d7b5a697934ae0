import CCurl
import Foundation

/// One request/response exchange (one redirect hop) as libcurl's caller sees it.
struct Exchange: Sendable {
    var method: String
    var target: RequestTarget
    var headers: HTTPHeaders
    var body: HTTPRequestBody
    /// Whether a 3xx with a Location is a redirect to follow (its body is then discarded and the
    /// sink never sees it) rather than the final response.
    var followsRedirects: Bool
}

enum ExchangeOutcome: Sendable {
    case final(HTTPResponseHead)
    case redirect(status: Int, location: String)
}

/// Runs one `Exchange` on an easy handle with blocking `curl_easy_perform`; lives on a transfer
/// thread for the duration. The instance is the user data of every libcurl callback.
final class CurlTransfer {
    let exchange: Exchange
    let sink: HTTPBodySink
    let cancellation: TransferCancellation
    private let body: RequestBodyReader
    private var parser = ResponseHeadParser()
    private var isRedirect = false
    /// The error a body callback threw; it is what the caller sees, not libcurl's abort code.
    private var callbackError: Error?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private var retainedLists: [CurlStringList] = []

    init(_ exchange: Exchange, sink: HTTPBodySink, cancellation: TransferCancellation) {
        self.exchange = exchange
        self.sink = sink
        self.cancellation = cancellation
        body = RequestBodyReader(exchange.body)
        errorBuffer.initialize(to: 0)
    }

    deinit { errorBuffer.deallocate() }

    static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    func perform(on handle: EasyHandle, configuration: HTTPClient.Configuration) throws -> ExchangeOutcome {
        configure(handle, configuration)
        let code = curl_easy_perform(handle.raw)
        if let callbackError { throw callbackError }
        if cancellation.isCancelled { throw CancellationError() }
        guard code == CURLE_OK else {
            throw HTTPError(curlCode: code, detail: String(cString: errorBuffer),
                            method: exchange.method, url: exchange.target.url)
        }
        guard let head = parser.finalHead else {
            throw HTTPError(kind: .connectionLost, method: exchange.method, url: exchange.target.url,
                            message: "the connection ended without a response")
        }
        guard isRedirect else { return .final(head) }
        guard let location: String = handle.info(CURLINFO_REDIRECT_URL) else {
            throw HTTPError(kind: .badURL, method: exchange.method, url: exchange.target.url,
                            message: "redirect \(head.status) has an unusable Location")
        }
        return .redirect(status: head.status, location: location)
    }

    // MARK: Options

    private func configure(_ handle: EasyHandle, _ configuration: HTTPClient.Configuration) {
        let target = exchange.target
        handle.set(CURLOPT_URL, target.url)
        handle.set(CURLOPT_NOSIGNAL, true)
        handle.set(CURLOPT_PROTOCOLS_STR, "http,https")
        handle.set(CURLOPT_FOLLOWLOCATION, false)  // redirects are followed by HTTPClient, see Redirect
        handle.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        handle.set(CURLOPT_SUPPRESS_CONNECT_HEADERS, true)
        handle.set(CURLOPT_TCP_KEEPALIVE, true)
        handle.set(CURLOPT_BUFFERSIZE, 256 << 10)
        handle.set(CURLOPT_UPLOAD_BUFFERSIZE, 256 << 10)
        handle.set(CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.milliseconds)
        handle.set(CURLOPT_LOW_SPEED_LIMIT, configuration.lowSpeedLimit)
        handle.set(CURLOPT_LOW_SPEED_TIME, max(1, configuration.lowSpeedTime.milliseconds / 1000))
        handle.set(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        configureTLS(handle, configuration.options(host: target.host, port: target.port), configuration)
        if !configuration.resolve.isEmpty {
            handle.set(CURLOPT_RESOLVE, retain(CurlStringList(configuration.resolve)))
        }
        configureMethodAndBody(handle)
        configureHeaders(handle, userAgent: configuration.userAgent)
        configureCallbacks(handle)
    }

    private func configureTLS(_ handle: EasyHandle, _ options: HostOptions, _ configuration: HTTPClient.Configuration) {
        handle.set(CURLOPT_SSL_VERIFYPEER, options.verifyTLS)
        handle.set(CURLOPT_SSL_VERIFYHOST, options.verifyTLS ? 2 : 0)
        if let bundle = options.caBundlePath ?? configuration.caBundlePath {
            handle.set(CURLOPT_CAINFO, bundle)
        }
    }

    private func configureMethodAndBody(_ handle: EasyHandle) {
        let method = exchange.method.uppercased()
        let sendsBody: Bool
        switch exchange.body {
        case .none: sendsBody = ["POST", "PUT", "PATCH"].contains(method)  // Content-Length: 0
        default: sendsBody = true
        }
        if method == "HEAD" {
            handle.set(CURLOPT_NOBODY, true)
        } else if method != "GET" || sendsBody {
            handle.set(CURLOPT_CUSTOMREQUEST, exchange.method)
        }
        guard sendsBody else { return }
        handle.set(CURLOPT_UPLOAD, true)
        handle.set(CURLOPT_INFILESIZE_LARGE, body.length ?? -1)  // -1: Transfer-Encoding: chunked
    }

    private func configureHeaders(_ handle: EasyHandle, userAgent: String) {
        let list = CurlStringList()
        var headers = exchange.headers
        // The body decides these; a caller's copy would contradict libcurl's framing.
        headers.set("Content-Length", nil)
        headers.set("Transfer-Encoding", nil)
        if headers["Expect"] == nil { list.append("Expect:") }  // no 100-continue round trip
        if headers["User-Agent"] == nil { handle.set(CURLOPT_USERAGENT, userAgent) }
        for (name, value) in headers {
            list.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        handle.set(CURLOPT_HTTPHEADER, retain(list))
    }

    private func retain(_ list: CurlStringList) -> CurlStringList {
        retainedLists.append(list)
        return list
    }

    // MARK: Callbacks

    private func configureCallbacks(_ handle: EasyHandle) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        for option in [CURLOPT_HEADERDATA, CURLOPT_WRITEDATA, CURLOPT_READDATA, CURLOPT_SEEKDATA, CURLOPT_XFERINFODATA] {
            handle.set(option, me)
        }
        _ = dsync_easy_setopt_write(handle.raw, CURLOPT_HEADERFUNCTION) { data, size, count, me in
            CurlTransfer.from(me).onHeader(UnsafeRawBufferPointer(start: data, count: size * count))
        }
        _ = dsync_easy_setopt_write(handle.raw, CURLOPT_WRITEFUNCTION) { data, size, count, me in
            CurlTransfer.from(me).onBody(UnsafeRawBufferPointer(start: data, count: size * count))
        }
        _ = dsync_easy_setopt_read(handle.raw) { data, size, count, me in
            CurlTransfer.from(me).onRead(UnsafeMutableRawBufferPointer(start: data, count: size * count))
        }
        _ = dsync_easy_setopt_seek(handle.raw) { me, offset, origin in
            origin == SEEK_SET && CurlTransfer.from(me).body.seek(to: Int64(offset)) ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_CANTSEEK
        }
        _ = dsync_easy_setopt_xferinfo(handle.raw) { me, _, _, _, _ in
            CurlTransfer.from(me).cancellation.isCancelled ? 1 : 0
        }
        handle.set(CURLOPT_NOPROGRESS, false)
    }

    private static func from(_ pointer: UnsafeMutableRawPointer?) -> CurlTransfer {
        Unmanaged<CurlTransfer>.fromOpaque(pointer!).takeUnretainedValue()
    }

    /// Returns the bytes consumed; anything else makes libcurl abort.
    private func onHeader(_ line: UnsafeRawBufferPointer) -> Int {
        guard let head = parser.consume(line, url: exchange.target.url) else { return line.count }
        if exchange.followsRedirects && Self.redirectStatuses.contains(head.status) && head.headers["Location"] != nil {
            isRedirect = true
            return line.count
        }
        do {
            try sink.receive(head: head)
            return line.count
        } catch {
            callbackError = error
            return 0
        }
    }

    private func onBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        if isRedirect { return bytes.count }
        if cancellation.isCancelled { return 0 }
        do {
            try sink.write(bytes)
            return bytes.count
        } catch {
            callbackError = error
            return 0
        }
    }

    private func onRead(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        if cancellation.isCancelled { return Int(CURL_READFUNC_ABORT) }
        do {
            return try body.read(into: buffer)
        } catch {
            callbackError = error
            return Int(CURL_READFUNC_ABORT)
        }
    }
}
