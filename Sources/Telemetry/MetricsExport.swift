import Config
import Foundation
import Logging

/// Exports the fleet metrics as `telemetry.*` says while a role runs: a Prometheus endpoint, or
/// the exposition text on stdout every `telemetry.metrics.stdout.interval`. Off when not enabled.
public struct MetricsExport: Sendable {
    let config: TelemetryConfig
    let metrics: FleetMetrics
    let logger: Logger

    public init(_ config: TelemetryConfig, metrics: FleetMetrics, logger: Logger) {
        self.config = config; self.metrics = metrics; self.logger = logger
    }

    public func whileRunning(_ body: @Sendable () async throws -> Void) async throws {
        guard config.enabled else { return try await body() }
        switch config.metrics.exporter {
        case .prometheus:
            let server = try MetricsServer(address: config.metrics.prometheus.address, path: config.metrics.prometheus.path, metrics: metrics)
            let serving = Task {
                do { try await server.run() } catch { logger.error("metrics endpoint failed: \(error)") }
            }
            logger.info("serving metrics at http://\(config.metrics.prometheus.address)\(config.metrics.prometheus.path)")
            defer { serving.cancel() }
            try await body()
            await server.stop()
        case .stdout:
            let interval = config.metrics.stdout.interval.duration
            let printing = Task { [metrics] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    if !Task.isCancelled { print(metrics.exposition(), terminator: "") }
                }
            }
            defer { printing.cancel() }
            try await body()
        }
    }
}
