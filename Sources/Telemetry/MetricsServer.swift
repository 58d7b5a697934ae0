import FlyingFox
import Foundation

/// Serves the metrics at `telemetry.metrics.prometheus.address` + `.path` for Prometheus to scrape.
public final class MetricsServer: Sendable {
    let server: HTTPServer
    let route: HTTPRoute
    let metrics: FleetMetrics

    /// `address` is `host:port` (IPv4); `path` e.g. `/metrics`.
    public init(address: String, path: String, metrics: FleetMetrics) throws {
        let parts = address.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = UInt16(parts[1]) else {
            throw MetricsServerError(message: "telemetry.metrics.prometheus.address: expected host:port, got \"\(address)\"")
        }
        let host = parts[0].isEmpty || parts[0] == "localhost" ? "127.0.0.1" : String(parts[0])
        server = HTTPServer(address: try .inet(ip4: host, port: port), logger: .disabled)
        route = HTTPRoute(stringLiteral: "GET \(path)")
        self.metrics = metrics
    }

    /// Listens until `stop()` (or the task is cancelled).
    public func run() async throws {
        await server.appendRoute(route) { [metrics] _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                         body: Data(metrics.exposition().utf8))
        }
        try await server.run()
    }

    public func waitUntilListening() async throws { try await server.waitUntilListening() }

    public func stop() async { await server.stop() }
}

public struct MetricsServerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
