import Foundation
import HTTP
import XCTest

final class HTTPBodyPipeTests: XCTestCase {
    struct WriterBroke: Error {}
    struct ReaderBroke: Error {}

    func testBytesPassInOrderThroughASmallBuffer() throws {
        let pipe = HTTPBodyPipe(capacity: 1000)
        let total = 1 << 20
        let writer = Thread {
            var chunk = [UInt8](repeating: 0, count: 777)
            var sent = 0
            while sent < total {
                let n = min(chunk.count, total - sent)
                for i in 0..<n { chunk[i] = UInt8((sent + i) % 251) }
                try? chunk.withUnsafeBytes { try pipe.write(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
                sent += n
            }
            pipe.finish()
        }
        writer.start()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var received = 0
        while true {
            let n = try buffer.withUnsafeMutableBytes { try pipe.read(into: $0) }
            if n == 0 { break }
            for i in 0..<n where buffer[i] != UInt8((received + i) % 251) {
                return XCTFail("byte \(received + i) is wrong")
            }
            received += n
        }
        XCTAssertEqual(received, total)
    }

    func testTheReaderSeesTheWritersError() throws {
        let pipe = HTTPBodyPipe(capacity: 16)
        try [UInt8](repeating: 1, count: 8).withUnsafeBytes { try pipe.write($0) }
        pipe.fail(WriterBroke())
        var buffer = [UInt8](repeating: 0, count: 8)
        XCTAssertThrowsError(try buffer.withUnsafeMutableBytes { try pipe.read(into: $0) }) { XCTAssertTrue($0 is WriterBroke) }
    }

    func testABlockedWriterSeesTheReadersError() throws {
        let pipe = HTTPBodyPipe(capacity: 16)
        let done = expectation(description: "writer unblocked")
        let writer = Thread {
            do {
                try [UInt8](repeating: 1, count: 64).withUnsafeBytes { try pipe.write($0) }
            } catch {
                XCTAssertTrue(error is ReaderBroke)
                done.fulfill()
            }
        }
        writer.start()
        var buffer = [UInt8](repeating: 0, count: 4)
        XCTAssertEqual(try buffer.withUnsafeMutableBytes { try pipe.read(into: $0) }, 4)
        pipe.fail(ReaderBroke())
        wait(for: [done], timeout: 10)
    }

    func testTheHeadCheckRefusesAResponseAndFailsThePipe() throws {
        let pipe = HTTPBodyPipe { head in if head.status != 200 { throw WriterBroke() } }
        XCTAssertThrowsError(try pipe.receive(head: HTTPResponseHead(status: 404, headers: [:], url: "http://x/")))
        var buffer = [UInt8](repeating: 0, count: 4)
        XCTAssertThrowsError(try buffer.withUnsafeMutableBytes { try pipe.read(into: $0) }) { XCTAssertTrue($0 is WriterBroke) }
    }
}
