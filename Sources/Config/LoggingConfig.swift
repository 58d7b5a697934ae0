/// `logging`: how and where log lines are written.
public struct LoggingConfig: Sendable, Equatable {
    /// Colour the level names in text output.
    public var colors = true
    public var format = LogFormat.text
    public var level = LogLevel.info
    public var output = LogOutput.stdout
    /// A Go time layout, e.g. `15:04:05`; use `timeLayout` to format with it.
    public var timeFormat = "15:04:05"

    public init() {}

    public var timeLayout: GoTimeLayout { GoTimeLayout(timeFormat) }
}

/// `logging.format`.
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// `logging.level`: the original's zerolog levels. Read in any case; `warning` means `warn`.
public enum LogLevel: String, Sendable, CaseIterable, Comparable {
    case trace, debug, info, warn, error, fatal, panic, disabled

    public init?(configValue: String) {
        let lowered = configValue.lowercased()
        self.init(rawValue: lowered == "warning" ? "warn" : lowered)
    }

    /// The spelling written to config files: `INFO`, as the original writes it.
    public var configValue: String { rawValue.uppercased() }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// `logging.output`: `stdout`, `stderr`, or a file path to append to.
public enum LogOutput: Sendable, Equatable {
    case stdout, stderr
    case file(String)

    /// `stdout` / `stderr` in any case; anything else is a path. Empty means stdout.
    public init(configValue: String) {
        switch configValue.lowercased() {
        case "stdout", "": self = .stdout
        case "stderr": self = .stderr
        default: self = .file(configValue)
        }
    }

    public var configValue: String {
        switch self {
        case .stdout: return "stdout"
        case .stderr: return "stderr"
        case .file(let path): return path
        }
    }
}
