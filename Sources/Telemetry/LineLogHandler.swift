import Foundation
import Logging

/// A swift-log handler writing one line per message as text (optionally coloured) or JSON,
/// in the style of the original's zerolog output.
public struct LineLogHandler: LogHandler {
    public enum Format: String, Sendable { case text, json }

    /// The process-wide level (`LoggingSetup.setLevel` changes it for every logger at once) unless
    /// this logger was given its own.
    public var logLevel: Logger.Level {
        get { ownLevel ?? sharedLevel?.value ?? .info }
        set { ownLevel = newValue }
    }
    private var ownLevel: Logger.Level?
    let sharedLevel: SharedLogLevel?
    public var metadata: Logger.Metadata = [:]
    let label: String
    let format: Format
    let colors: Bool
    let output: LogDestination
    let timestamp: @Sendable (Date) -> String

    public init(label: String, level: Logger.Level, format: Format, colors: Bool, output: LogDestination,
                timestamp: @escaping @Sendable (Date) -> String) {
        self.init(label: label, level: SharedLogLevel(level), format: format, colors: colors, output: output, timestamp: timestamp)
    }

    init(label: String, level: SharedLogLevel, format: Format, colors: Bool, output: LogDestination,
         timestamp: @escaping @Sendable (Date) -> String) {
        self.label = label; self.sharedLevel = level; self.format = format
        self.colors = colors && output.isTerminal; self.output = output; self.timestamp = timestamp
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let fields = event.metadata.map { metadata.merging($0) { $1 } } ?? metadata
        let now = Date()
        switch format {
        case .json: output.write(jsonLine(level: event.level, message: "\(event.message)", fields: fields, now: now))
        case .text: output.write(textLine(level: event.level, message: "\(event.message)", fields: fields, now: now))
        }
    }

    func textLine(level: Logger.Level, message: String, fields: Logger.Metadata, now: Date) -> String {
        var line = "\(paint(timestamp(now), 90)) \(paint(Self.short(level), Self.color(level))) \(message)"
        for key in fields.keys.sorted() {
            line += " \(paint(key + "=", 36))\(fields[key]!)"
        }
        return line
    }

    func jsonLine(level: Logger.Level, message: String, fields: Logger.Metadata, now: Date) -> String {
        var object: [String: String] = ["level": Self.name(level), "time": timestamp(now), "message": message]
        for (key, value) in fields where object[key] == nil { object[key] = "\(value)" }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private func paint(_ text: String, _ code: Int) -> String { colors ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    static func name(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "info"
        case .warning: "warn"
        case .error: "error"
        case .critical: "fatal"
        }
    }

    static func short(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "TRC"
        case .debug: "DBG"
        case .info, .notice: "INF"
        case .warning: "WRN"
        case .error: "ERR"
        case .critical: "FTL"
        }
    }

    static func color(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 35
        case .info, .notice: 32
        case .warning: 33
        case .error, .critical: 31
        }
    }
}

/// A log level that every handler made by `LoggingSetup` reads, so a config reload can change it.
final class SharedLogLevel: @unchecked Sendable {
    private let lock = NSLock()
    private var level: Logger.Level
    init(_ level: Logger.Level) { self.level = level }
    var value: Logger.Level {
        get { lock.withLock { level } }
        set { lock.withLock { level = newValue } }
    }
}
