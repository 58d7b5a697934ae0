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

    public func whileRunning<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        guard config.enabled else { return try await body() }
        switch config.metrics.exporter {
        case .prometheus:
            let server = try MetricsServer(address: config.metrics.prometheus.address, path: config.metrics.prometheus.path, metrics: metrics)
            let stopping = StoppingFlag()
            let serving = Task {
                do {
                    try await server.run()
                } catch where !stopping.isSet {
                    logger.error("metrics endpoint failed: \(error)")
                }
            }
            logger.info("serving metrics at http://\(config.metrics.prometheus.address)\(config.metrics.prometheus.path)")
            defer { serving.cancel() }
            do {
                let result = try await body()
                stopping.set()
                await server.stop()
                return result
            } catch {
                stopping.set()
                await server.stop()
                throw error
            }
        case .stdout:
            let interval = config.metrics.stdout.interval.duration
            let printing = Task { [metrics] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    if !Task.isCancelled { print(metrics.exposition(), terminator: "") }
                }
            }
            defer { printing.cancel() }
            return try await body()
        }
    }
}

private final class StoppingFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
