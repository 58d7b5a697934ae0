import Config
import Foundation
import Logging

/// Installs the configured log handler for the whole process (once, before any logger is made).
public enum LoggingSetup {
    public static func bootstrap(_ config: LoggingConfig, levelOverride: Logger.Level? = nil) throws {
        let destination: LogDestination
        switch config.output {
        case .stdout: destination = .stdout
        case .stderr: destination = .stderr
        case .file(let path): destination = try LogDestination.named(path)
        }
        let layout = config.timeLayout
        let level = levelOverride ?? loggerLevel(config.level)
        let format: LineLogHandler.Format = config.format == .json ? .json : .text
        shared.value = level
        LoggingSystem.bootstrap { label in
            LineLogHandler(label: label, level: shared, format: format, colors: config.colors, output: destination,
                           timestamp: { layout.format($0) })
        }
    }

    /// Changes the level of every logger made since `bootstrap` (a reloaded `logging.level`).
    public static func setLevel(_ level: LogLevel) {
        shared.value = loggerLevel(level)
    }

    private static let shared = SharedLogLevel(.info)

    /// zerolog's levels on swift-log's: fatal and panic are critical; `disabled` keeps only critical.
    public static func loggerLevel(_ level: LogLevel) -> Logger.Level {
        switch level {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .warn: .warning
        case .error: .error
        case .fatal, .panic, .disabled: .critical
        }
    }
}
