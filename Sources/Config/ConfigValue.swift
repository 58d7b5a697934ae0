import YAML

/// Typed reading of config scalars, leniently as viper does (a quoted `"true"` is a bool,
/// a plain `5` is a string where a string is wanted), with errors that say what was expected.
enum ConfigValue {
    static func string(_ node: YAMLNode, at path: String) throws -> String {
        guard let value = node.string else {
            throw ConfigError(mark: node.mark, keyPath: path, message: "expected a string, got \(node.kindDescription)")
        }
        return value
    }

    static func bool(_ node: YAMLNode, at path: String) throws -> Bool {
        switch node.string?.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw mismatch(node, at: path, expected: "true or false")
        }
    }

    static func int(_ node: YAMLNode, at path: String, atLeast minimum: Int) throws -> Int {
        guard let text = node.string, let value = Int(text.replacingUnderscores()) else {
            throw mismatch(node, at: path, expected: "a whole number")
        }
        guard value >= minimum else {
            throw mismatch(node, at: path, expected: minimum == 0 ? "zero or more" : "a number of at least \(minimum)")
        }
        return value
    }

    /// A Go duration (`5m`, `1h30m`, `10s`), greater than zero.
    static func duration(_ node: YAMLNode, at path: String) throws -> GoDuration {
        let expected = "a duration like 5m or 1h30m"
        guard let text = node.string else { throw mismatch(node, at: path, expected: expected) }
        let trimmed = text.trimmingSpaces()
        guard let duration = GoDuration(parsing: trimmed) else {
            let hint = Int(trimmed) != nil ? " (add a unit: ns, us, ms, s, m or h)" : ""
            throw ConfigError(mark: node.mark, keyPath: path, message: "expected \(expected), got \(text.debugDescription)\(hint)")
        }
        guard duration.nanoseconds > 0 else { throw mismatch(node, at: path, expected: "a duration greater than zero") }
        return duration
    }

    static func stringList(_ node: YAMLNode, at path: String) throws -> [String] {
        guard let items = node.items else {
            throw ConfigError(mark: node.mark, keyPath: path, message: "expected a list of strings, got \(describe(node))")
        }
        return try items.enumerated().map { index, item in
            guard let value = item.string, !item.isNull else {
                throw ConfigError(mark: item.mark, keyPath: "\(path)[\(index)]",
                                  message: "expected a list of strings, but this item is \(item.kindDescription)")
            }
            return value
        }
    }

    /// One of a fixed set of words, e.g. `text` or `json`; `expected` lists them for the error.
    static func choice<T>(_ node: YAMLNode, at path: String, _ parse: (String) -> T?, expected: String) throws -> T {
        guard let text = node.string, let value = parse(text.trimmingSpaces()) else {
            throw mismatch(node, at: path, expected: expected)
        }
        return value
    }

    static func mismatch(_ node: YAMLNode, at path: String, expected: String) -> ConfigError {
        ConfigError(mark: node.mark, keyPath: path, message: "expected \(expected), got \(describe(node))")
    }

    /// `"5 minutes"` for scalars (quoted, so empty and spaced values show), else "a list" / "a mapping".
    static func describe(_ node: YAMLNode) -> String {
        guard let value = node.string else { return node.kindDescription }
        return value.debugDescription
    }
}

extension String {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    fileprivate func replacingUnderscores() -> String {
        filter { $0 != "_" }
    }
}
