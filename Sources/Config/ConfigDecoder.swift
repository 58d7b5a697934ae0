import YAML

/// Builds a `Config` from a parsed config file. Absent keys keep `Config()`'s defaults;
/// unknown keys are collected in `warnings`; wrong values throw a `ConfigError` at their
/// file:line:column.
struct ConfigDecoder {
    private(set) var warnings: [ConfigWarning] = []

    mutating func decode(_ root: YAMLNode?) throws -> Config {
        var config = Config()
        guard let root, !root.isNull else { return config }
        var top = try ConfigMapping(root, path: "")
        if let node = try top.mapping("ecr") { config.ecr = try decodeECR(node) }
        if let node = try top.mapping("logging") { config.logging = try decodeLogging(node) }
        if let node = try top.mapping("redis") { config.redis = try decodeRedis(node) }
        if let node = try top.mapping("sync") { config.sync = try decodeSync(node) }
        if let node = try top.mapping("telemetry") { config.telemetry = try decodeTelemetry(node) }
        finish(top)
        return config
    }

    mutating func finish(_ mapping: ConfigMapping) {
        warnings += mapping.unknownKeyWarnings()
    }

    private mutating func decodeECR(_ m: ConfigMapping) throws -> ECRConfig {
        var m = m
        var ecr = ECRConfig()
        ecr.region = try m.string("region") ?? ecr.region
        finish(m)
        return ecr
    }

    private mutating func decodeLogging(_ m: ConfigMapping) throws -> LoggingConfig {
        var m = m
        var logging = LoggingConfig()
        logging.colors = try m.bool("colors") ?? logging.colors
        logging.format = try m.choice("format", { LogFormat(rawValue: $0.lowercased()) }, expected: "text or json") ?? logging.format
        let levels = LogLevel.allCases.map(\.rawValue).joined(separator: ", ")
        logging.level = try m.choice("level", LogLevel.init(configValue:), expected: "one of \(levels)") ?? logging.level
        logging.output = try m.string("output").map(LogOutput.init(configValue:)) ?? logging.output
        logging.timeFormat = try m.string("timeformat") ?? logging.timeFormat
        finish(m)
        return logging
    }

    private mutating func decodeRedis(_ m: ConfigMapping) throws -> RedisConfig {
        var m = m
        var redis = RedisConfig()
        redis.url = try m.string("url") ?? redis.url
        redis.prefix = try m.string("prefix") ?? redis.prefix
        redis.leaseTTL = try m.duration("leasettl") ?? redis.leaseTTL
        if var letters = try m.mapping("deadletters") {
            redis.deadLetters.max = try letters.int("max", atLeast: 0) ?? redis.deadLetters.max
            redis.deadLetters.maxAge = try letters.duration("maxage") ?? redis.deadLetters.maxAge
            finish(letters)
        }
        finish(m)
        return redis
    }

    private mutating func decodeTelemetry(_ m: ConfigMapping) throws -> TelemetryConfig {
        var m = m
        var telemetry = TelemetryConfig()
        telemetry.enabled = try m.bool("enabled") ?? telemetry.enabled
        if var metrics = try m.mapping("metrics") {
            let exporter = try metrics.choice("exporter", { MetricsExporter(rawValue: $0.lowercased()) }, expected: "prometheus or stdout")
            telemetry.metrics.exporter = exporter ?? telemetry.metrics.exporter
            if var prometheus = try metrics.mapping("prometheus") {
                telemetry.metrics.prometheus.address = try prometheus.string("address") ?? telemetry.metrics.prometheus.address
                telemetry.metrics.prometheus.path = try prometheus.string("path") ?? telemetry.metrics.prometheus.path
                finish(prometheus)
            }
            if var stdout = try metrics.mapping("stdout") {
                telemetry.metrics.stdout.interval = try stdout.duration("interval") ?? telemetry.metrics.stdout.interval
                finish(stdout)
            }
            finish(metrics)
        }
        finish(m)
        return telemetry
    }
}
