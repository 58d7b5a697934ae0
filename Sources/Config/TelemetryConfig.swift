/// `telemetry`: metrics export.
public struct TelemetryConfig: Sendable, Equatable {
    public var enabled = false
    public var metrics = MetricsConfig()

    public init() {}
}

/// `telemetry.metrics`.
public struct MetricsConfig: Sendable, Equatable {
    public var exporter = MetricsExporter.prometheus
    public var prometheus = PrometheusExporterConfig()
    public var stdout = StdoutExporterConfig()

    public init() {}
}

/// `telemetry.metrics.exporter`.
public enum MetricsExporter: String, Sendable, CaseIterable {
    case prometheus, stdout
}

/// `telemetry.metrics.prometheus`: where the scrape endpoint listens.
public struct PrometheusExporterConfig: Sendable, Equatable {
    /// `host:port` to listen on.
    public var address = "127.0.0.1:9090"
    public var path = "/metrics"

    public init() {}
}

/// `telemetry.metrics.stdout`: periodic dumps of the metrics to stdout.
public struct StdoutExporterConfig: Sendable, Equatable {
    public var interval = GoDuration.seconds(5)

    public init() {}
}
