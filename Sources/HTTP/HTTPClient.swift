import CCurl
import Logging

/// An HTTP/1.1 and HTTP/2 client over libcurl for registries, S3 and cloud APIs.
///
/// - Bodies stream both ways through `HTTPBodySource` / `HTTPBodySink` (or an `HTTPBodyPipe`
///   between a GET and a PUT), so a blob of any size is copied in bounded memory.
/// - Transfers run on threads this client owns (`Configuration.maxTransferThreads`), never on
///   Swift's cooperative pool; cancelling the awaiting task aborts the transfer.
/// - Connections are reused per origin; HTTP/2 is used where a TLS server offers it.
/// - Redirects are followed (not for streamed request bodies), and credentials never follow a
///   redirect to another origin.
/// - Statuses are responses, not errors; `HTTPError` is for requests that got no response.
public final class HTTPClient: Sendable {
    public let configuration: Configuration
    private let threads: TransferThreads
    private let connections: ConnectionCache
    private let recorder = StatisticsRecorder()

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        threads = TransferThreads(maxThreads: configuration.maxTransferThreads)
        connections = ConnectionCache(maxIdlePerOrigin: configuration.maxIdleConnectionsPerOrigin)
    }

    /// Counters since this client was made.
    public var statistics: HTTPStatistics { recorder.current }

    /// Sends `request` and buffers the response body (up to `maxBodyBytes`; more is an
    /// `HTTPError` of kind `.bodyTooLarge`).
    public func send(_ request: HTTPRequest, maxBodyBytes: Int = 64 << 20) async throws -> HTTPResponse {
        let buffer = BufferingSink(limit: maxBodyBytes, request: request)
        let head = try await send(request, into: buffer)
        return HTTPResponse(head: head, body: buffer.bytes)
    }

    /// Sends `request` and streams the response body into `sink`; returns the final head.
    /// Errors thrown by the sink or the request's body source are rethrown as they are.
    public func send(_ request: HTTPRequest, into sink: HTTPBodySink) async throws -> HTTPResponseHead {
        let cancellation = TransferCancellation()
        let sinkPipe = sink as? HTTPBodyPipe
        let sourcePipe = request.body.pipe
        cancellation.watch(sinkPipe)
        cancellation.watch(sourcePipe)
        do {
            let head = try await withTaskCancellationHandler {
                try await exchangeFollowingRedirects(request, sink: sink, cancellation: cancellation)
            } onCancel: {
                cancellation.cancel()
            }
            sinkPipe?.finish()
            sourcePipe?.closeReading(error: nil)
            return head
        } catch {
            sinkPipe?.fail(error)
            sourcePipe?.closeReading(error: error)
            throw error
        }
    }

    private func exchangeFollowingRedirects(_ request: HTTPRequest, sink: HTTPBodySink,
                                            cancellation: TransferCancellation) async throws -> HTTPResponseHead {
        let first = try RequestTarget(url: request.url, method: request.method)
        var streamed = false
        if case .stream = request.body { streamed = true }
        var exchange = Exchange(method: request.method, target: first, headers: request.headers,
                                body: request.body, followsRedirects: !streamed)
        var redirects = 0
        while true {
            let target = exchange.target
            try target.checkTransportSecurity(configuration.options(host: target.host, port: target.port), method: exchange.method)
            let current = exchange
            let outcome = try await threads.run { [self] in
                try self.perform(current, sink: sink, cancellation: cancellation)
            }
            switch outcome {
            case .final(let head):
                return head
            case .redirect(let status, let location):
                guard redirects < configuration.maxRedirects else {
                    throw HTTPError(kind: .tooManyRedirects, method: request.method, url: request.url,
                                    message: "more than \(configuration.maxRedirects) redirects")
                }
                redirects += 1
                recorder.recordRedirect()
                let next = try RequestTarget(url: location, method: exchange.method)
                exchange = exchange.redirected(status: status, to: next, originalOrigin: first.origin)
            }
        }
    }

    /// One exchange, blocking, on a transfer thread.
    private func perform(_ exchange: Exchange, sink: HTTPBodySink,
                         cancellation: TransferCancellation) throws -> ExchangeOutcome {
        if cancellation.isCancelled { throw CancellationError() }
        let origin = exchange.target.origin
        let handle = connections.take(origin: origin)
        defer { connections.giveBack(handle, origin: origin) }
        let transfer = CurlTransfer(exchange, sink: sink, cancellation: cancellation)
        let started = ContinuousClock.now
        let result = Result { try transfer.perform(on: handle, configuration: configuration) }
        recorder.record(connects: handle.info(CURLINFO_NUM_CONNECTS),
                        sent: handle.info(CURLINFO_SIZE_UPLOAD_T),
                        received: handle.info(CURLINFO_SIZE_DOWNLOAD_T))
        log(exchange, result, elapsed: ContinuousClock.now - started)
        return try result.get()
    }

    private func log(_ exchange: Exchange, _ result: Result<ExchangeOutcome, Error>, elapsed: Duration) {
        // Redacting the URL costs more than the rest of an exchange's bookkeeping: only when it is logged.
        guard configuration.logger.logLevel <= .debug else { return }
        let what = "\(exchange.method) \(HTTPError.redact(exchange.target.url))"
        switch result {
        case .success(.final(let head)):
            configuration.logger.debug("\(what) → \(head.status) \(head.httpVersion) in \(elapsed)")
        case .success(.redirect(let status, let location)):
            configuration.logger.debug("\(what) → \(status) to \(HTTPError.redact(location)) in \(elapsed)")
        case .failure(let error):
            configuration.logger.debug("\(what) failed after \(elapsed): \(error)")
        }
    }
}

extension HTTPRequestBody {
    var pipe: HTTPBodyPipe? {
        if case .stream(let source, _) = self { return source as? HTTPBodyPipe }
        return nil
    }
}
