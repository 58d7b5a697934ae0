import HTTP
import TestSupport
import XCTest

final class ConnectionReuseTests: XCTestCase {
    func testFiftySequentialRequestsToOneHostShareOneConnection() async throws {
        let registry = try RegistryServer.start()
        defer { registry.stop() }
        let client = HTTPClient()
        for _ in 0..<50 {
            let response = try await client.send(HTTPRequest(url: "http://\(registry.host)/v2/"))
            XCTAssertEqual(response.status, 200)
        }
        let stats = client.statistics
        XCTAssertEqual(stats.requests, 50)
        XCTAssertEqual(stats.connectionsOpened, 1, "every request after the first reuses the connection")
    }

    func testConcurrentRequestsOpenOnlyAsManyConnectionsAsRunAtOnce() async throws {
        let registry = try RegistryServer.start()
        defer { registry.stop() }
        let client = HTTPClient()
        for _ in 0..<5 {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 { group.addTask { try await client.send(HTTPRequest(url: "http://\(registry.host)/v2/")).status } }
                for try await status in group { XCTAssertEqual(status, 200) }
            }
        }
        XCTAssertEqual(client.statistics.requests, 20)
        XCTAssertLessThanOrEqual(client.statistics.connectionsOpened, 4)
    }
}
