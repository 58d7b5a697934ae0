import Foundation
import HTTP
import TestSupport
import XCTest

final class ResponseTests: XCTestCase {
    var nginx: NginxServer!

    override func setUpWithError() throws {
        nginx = try NginxServer(prepare: { dir in
            try FileManager.default.createDirectory(atPath: "\(dir)/www", withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: "\(dir)/www/big", contents: Data(repeating: 7, count: 4 << 20))
        }) { dir, ports in
            """
            server {
                listen 127.0.0.1:\(ports[0]);
                root \(dir)/www;
                location = /multi {
                    add_header X-Multi one;
                    add_header X-Multi two;
                    add_header Link "</v2/a/tags/list?last=b>; rel=\\"next\\"";
                    return 200 "multi";
                }
                location = /slow/big { alias \(dir)/www/big; limit_rate 64k; }
                location = /empty { return 204; }
                location = /framing { return 200 "te=[$http_transfer_encoding] cl=[$http_content_length]"; }
            }
            """
        }
    }

    override func tearDown() { nginx?.stop() }

    func testRepeatedHeadersAreAllKeptInOrderWithTheirNamesAsSent() async throws {
        let response = try await HTTPClient().send(HTTPRequest(url: nginx.url() + "/multi"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers.values(for: "x-multi"), ["one", "two"])
        XCTAssertEqual(response.headers.fields.filter { $0.name == "X-Multi" }.count, 2)
        XCTAssertEqual(response.headers["Link"], "</v2/a/tags/list?last=b>; rel=\"next\"")
        XCTAssertEqual(response.head.httpVersion, "HTTP/1.1")
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "multi")
    }

    func testTheSinkGetsTheHeadOnceBeforeAnyBodyByte() async throws {
        final class RecordingSink: HTTPBodySink, @unchecked Sendable {
            var events: [String] = []
            func receive(head: HTTPResponseHead) throws { events.append("head \(head.status)") }
            func write(_ bytes: UnsafeRawBufferPointer) throws { if events.last != "body" { events.append("body") } }
        }
        let sink = RecordingSink()
        let head = try await HTTPClient().send(HTTPRequest(url: nginx.url() + "/big"), into: sink)
        XCTAssertEqual(head.headers["Content-Length"], String(4 << 20))
        XCTAssertEqual(sink.events, ["head 200", "body"])
    }

    func testHeadRequestsAndEmptyResponsesHaveNoBody() async throws {
        let client = HTTPClient()
        let head = try await client.send(HTTPRequest(method: "HEAD", url: nginx.url() + "/big"), maxBodyBytes: 10)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.headers["Content-Length"], String(4 << 20))
        XCTAssertEqual(head.body, [])
        let empty = try await client.send(HTTPRequest(method: "DELETE", url: nginx.url() + "/empty"))
        XCTAssertEqual(empty.status, 204)
        XCTAssertEqual(empty.body, [])
    }

    func testABodyOverTheLimitIsAnError() async throws {
        do {
            _ = try await HTTPClient().send(HTTPRequest(url: nginx.url() + "/big"), maxBodyBytes: 1 << 20)
            XCTFail("4 MiB is over a 1 MiB limit")
        } catch let error as HTTPError {
            XCTAssertEqual(error.kind, .bodyTooLarge)
            XCTAssertFalse(error.isRetryable)
            XCTAssertTrue(error.description.contains("/big"), error.description)
        }
    }

    func testTheRequestBodyDecidesContentLengthOrChunkedFraming() async throws {
        let client = HTTPClient()
        func framing(_ method: String, _ body: HTTPRequestBody) async throws -> String {
            let response = try await client.send(HTTPRequest(method: method, url: nginx.url() + "/framing", body: body))
            return String(decoding: response.body, as: UTF8.self)
        }
        let known = try await framing("PUT", .stream(PatternSource(count: 10_000), length: 10_000))
        XCTAssertEqual(known, "te=[] cl=[10000]")
        let unknown = try await framing("PATCH", .stream(PatternSource(count: 10_000), length: nil))
        XCTAssertEqual(unknown, "te=[chunked] cl=[]")
        let bytes = try await framing("PUT", .bytes([1, 2, 3]))
        XCTAssertEqual(bytes, "te=[] cl=[3]")
        let empty = try await framing("POST", .none)
        XCTAssertEqual(empty, "te=[] cl=[0]")
    }

    func testAStalledTransferIsAbortedAsARetryableTimeout() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.lowSpeedLimit = 1 << 20  // the server sends 64 KiB/s
        configuration.lowSpeedTime = .seconds(1)
        do {
            _ = try await HTTPClient(configuration: configuration).send(HTTPRequest(url: nginx.url() + "/slow/big"))
            XCTFail("a transfer below the low-speed limit must be aborted")
        } catch let error as HTTPError {
            XCTAssertEqual(error.kind, .timeout, "\(error)")
            XCTAssertTrue(error.isRetryable)
        }
    }

    func testRequestsBeyondTheThreadLimitWaitTheirTurn() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.maxTransferThreads = 1
        let client = HTTPClient(configuration: configuration)
        let url = nginx.url() + "/multi"
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { try await client.send(HTTPRequest(url: url)).status } }
            for try await status in group { XCTAssertEqual(status, 200) }
        }
        XCTAssertEqual(client.statistics.connectionsOpened, 1, "one thread, one transfer at a time, one connection")
    }

    func testCancellingTheAwaitingTaskAbortsTheTransfer() async throws {
        final class FirstBytes: HTTPBodySink, @unchecked Sendable {
            let arrived: AsyncStream<Void>
            private let continuation: AsyncStream<Void>.Continuation
            var received = 0
            init() { (arrived, continuation) = AsyncStream.makeStream() }
            func receive(head: HTTPResponseHead) throws {}
            func write(_ bytes: UnsafeRawBufferPointer) throws { received += bytes.count; continuation.yield() }
        }
        let client = HTTPClient()
        let sink = FirstBytes()
        let url = nginx.url() + "/slow/big"
        let transfer = Task { try await client.send(HTTPRequest(url: url), into: sink) }
        var iterator = sink.arrived.makeAsyncIterator()
        _ = await iterator.next()
        let cancelledAt = ContinuousClock.now
        transfer.cancel()
        do {
            _ = try await transfer.value
            XCTFail("a cancelled transfer must not complete")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        XCTAssertLessThan(ContinuousClock.now - cancelledAt, .seconds(5))
        XCTAssertLessThan(sink.received, 4 << 20, "at 64 KiB/s the 4 MiB body was far from done")
        let after = try await client.send(HTTPRequest(url: nginx.url() + "/multi"))
        XCTAssertEqual(after.status, 200, "the client still works")
    }

    func testAnAlreadyCancelledTaskSendsNothing() async throws {
        let client = HTTPClient()
        let url = nginx.url() + "/multi"
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.send(HTTPRequest(url: url))
        }
        do {
            _ = try await task.value
            XCTFail("expected CancellationError")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        XCTAssertEqual(client.statistics.requests, 0)
    }
}
