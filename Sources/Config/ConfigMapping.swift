import YAML

/// One mapping of a config file, read the way viper reads it: keys match in any case
/// (`maxErrors` is `maxerrors`), `<<: *anchor` merges are applied, and a key that is
/// present but null counts as absent. Every key asked for becomes a known key; the rest
/// are reported by `unknownKeyWarnings()` with the closest known key as a suggestion.
struct ConfigMapping {
    /// Dotted path of this mapping (`sync.retry`); empty at the top of the file.
    let path: String
    let mark: YAMLMark
    private var entries: [String: YAMLPair] = [:]
    private var order: [String] = []
    private var known: [String] = []

    init(_ node: YAMLNode, path: String) throws {
        self.path = path
        mark = node.mark
        guard let pairs = node.pairs else {
            throw ConfigError(mark: node.mark, keyPath: path, message: "expected a mapping of keys to values, got \(node.kindDescription)")
        }
        var merges: [YAMLNode] = []
        for pair in pairs {
            guard let name = pair.key.string else {
                throw ConfigError(mark: pair.key.mark, keyPath: path, message: "expected a key name, got \(pair.key.kindDescription)")
            }
            if name == "<<" && pair.key.scalar?.style == .plain {
                merges.append(pair.value)
                continue
            }
            try add(name, pair)
        }
        try merge(merges)
    }

    private mutating func add(_ name: String, _ pair: YAMLPair) throws {
        let lowered = name.lowercased()
        if let existing = entries[lowered] {
            let first = existing.key.mark
            throw ConfigError(mark: pair.key.mark, keyPath: childPath(lowered),
                              message: "duplicate key '\(name)' (first set as '\(existing.key.string ?? "")' at line \(first.line), column \(first.column))")
        }
        entries[lowered] = pair
        order.append(lowered)
    }

    /// YAML merge keys: entries of the merged mappings fill in keys not set explicitly.
    private mutating func merge(_ sources: [YAMLNode]) throws {
        for source in sources.flatMap({ $0.items ?? [$0] }) {
            guard let pairs = source.pairs else {
                throw ConfigError(mark: source.mark, keyPath: path, message: "'<<' merges mappings, got \(source.kindDescription)")
            }
            for pair in pairs {
                guard let name = pair.key.string?.lowercased(), entries[name] == nil else { continue }
                entries[name] = pair
                order.append(name)
            }
        }
    }

    func childPath(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The value of `key` (any case), or nil when it is absent or null.
    mutating func node(_ key: String) -> YAMLNode? {
        if !known.contains(key) { known.append(key) }
        guard let value = entries[key.lowercased()]?.value, !value.isNull else { return nil }
        return value
    }

    mutating func string(_ key: String) throws -> String? {
        try node(key).map { try ConfigValue.string($0, at: childPath(key)) }
    }

    mutating func bool(_ key: String) throws -> Bool? {
        try node(key).map { try ConfigValue.bool($0, at: childPath(key)) }
    }

    mutating func int(_ key: String, atLeast minimum: Int) throws -> Int? {
        try node(key).map { try ConfigValue.int($0, at: childPath(key), atLeast: minimum) }
    }

    mutating func duration(_ key: String) throws -> GoDuration? {
        try node(key).map { try ConfigValue.duration($0, at: childPath(key)) }
    }

    mutating func stringList(_ key: String) throws -> [String]? {
        try node(key).map { try ConfigValue.stringList($0, at: childPath(key)) }
    }

    mutating func choice<T>(_ key: String, _ parse: (String) -> T?, expected: String) throws -> T? {
        try node(key).map { try ConfigValue.choice($0, at: childPath(key), parse, expected: expected) }
    }

    mutating func mapping(_ key: String) throws -> ConfigMapping? {
        try node(key).map { try ConfigMapping($0, path: childPath(key)) }
    }

    mutating func list(_ key: String) throws -> [YAMLNode]? {
        guard let value = node(key) else { return nil }
        guard let items = value.items else {
            throw ConfigError(mark: value.mark, keyPath: childPath(key), message: "expected a list, got \(value.kindDescription)")
        }
        return items
    }

    /// A warning for each key that no reader asked for.
    func unknownKeyWarnings() -> [ConfigWarning] {
        let knownLowered = Set(known.map { $0.lowercased() })
        return order.filter { !knownLowered.contains($0) }.compactMap { lowered in
            guard let key = entries[lowered]?.key else { return nil }
            let name = key.string ?? lowered
            let place = path.isEmpty ? "at the top level" : "in '\(path)'"
            var message = "unknown key '\(name)' \(place), ignored"
            if let suggestion = KeySuggestion.closest(to: name, among: known) {
                message += " — did you mean '\(suggestion)'?"
            } else if !known.isEmpty {
                message += " (known keys: \(known.joined(separator: ", ")))"
            }
            return ConfigWarning(mark: key.mark, message: message)
        }
    }
}
