import Foundation
import YAML

/// A configuration that cannot be used, said like a compiler diagnostic:
/// `config.yaml:12:17: sync.interval: expected a duration like 5m or 1h30m, got "5 minutes"`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// Where: file, line and column (line 0 for errors about a whole file); nil when no file is involved.
    public var mark: YAMLMark?
    /// The dotted key the error is about, e.g. `sync.images[0].targets`.
    public var keyPath: String?
    public var message: String

    public init(mark: YAMLMark?, keyPath: String? = nil, message: String) {
        self.mark = mark
        self.keyPath = keyPath
        self.message = message
    }

    /// A YAML syntax error, with libyaml's wording and position.
    public init(_ error: YAMLError) {
        self.init(mark: error.mark, message: error.message)
    }

    public var description: String {
        var parts: [String] = []
        if let mark, !mark.description.isEmpty { parts.append(mark.description) }
        if let keyPath, !keyPath.isEmpty { parts.append(keyPath) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }

    public var errorDescription: String? { description }
}

/// Something in a configuration that was ignored but probably meant something, like a
/// misspelt key: `config.yaml:3:3: unknown key 'maxerror' in 'sync' — did you mean 'maxerrors'?`.
public struct ConfigWarning: Sendable, Equatable, CustomStringConvertible {
    public var mark: YAMLMark
    public var message: String

    public init(mark: YAMLMark, message: String) {
        self.mark = mark
        self.message = message
    }

    public var description: String { "\(mark): \(message)" }
}
