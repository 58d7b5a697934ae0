/// How a scalar was written. Lets readers tell `"true"` (a string) from `true`,
/// and lets the emitter know which scalars it may choose to quote.
public enum YAMLScalarStyle: Sendable, Hashable {
    /// Built in code: the emitter quotes it when it would otherwise read back as
    /// something other than this exact string (a number, a bool, null, ...).
    case any
    case plain
    case singleQuoted
    case doubleQuoted
    case literal
    case folded

    /// Whether the scalar was written in quotes (or as a block scalar), i.e. is surely a string.
    public var isQuoted: Bool { self != .any && self != .plain }
}

/// A scalar value as written, after YAML escapes and folding are applied.
public struct YAMLScalar: Sendable, Hashable {
    public var value: String
    public var style: YAMLScalarStyle

    public init(_ value: String, style: YAMLScalarStyle = .any) {
        self.value = value
        self.style = style
    }
}

/// One `key: value` entry of a mapping, in document order.
public struct YAMLPair: Sendable, Equatable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// A node of a YAML document: scalar, sequence or mapping, with where it was written.
/// Aliases are already resolved (an alias becomes a copy of its anchored node).
public struct YAMLNode: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var content: Content
    /// Where the node starts.
    public var mark: YAMLMark
    /// The explicit tag, if one was written (`!!str` arrives as `tag:yaml.org,2002:str`).
    public var tag: String?

    public init(_ content: Content, mark: YAMLMark = .none, tag: String? = nil) {
        self.content = content
        self.mark = mark
        self.tag = tag
    }

    /// A scalar node; `.any` style lets the emitter decide on quoting.
    public static func scalar(_ value: String, style: YAMLScalarStyle = .any, mark: YAMLMark = .none) -> YAMLNode {
        YAMLNode(.scalar(YAMLScalar(value, style: style)), mark: mark)
    }

    public static func sequence(_ items: [YAMLNode], mark: YAMLMark = .none) -> YAMLNode {
        YAMLNode(.sequence(items), mark: mark)
    }

    public static func mapping(_ pairs: [YAMLPair], mark: YAMLMark = .none) -> YAMLNode {
        YAMLNode(.mapping(pairs), mark: mark)
    }

    /// A mapping from string keys, in the given order.
    public static func mapping(_ pairs: KeyValuePairs<String, YAMLNode>, mark: YAMLMark = .none) -> YAMLNode {
        .mapping(pairs.map { YAMLPair(key: .scalar($0.key), value: $0.value) }, mark: mark)
    }

    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    public var items: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    public var pairs: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The text of a scalar node; nil for sequences and mappings.
    public var string: String? { scalar?.value }

    /// Whether this is YAML's null: an empty or `~`/`null` plain scalar, or tagged `!!null`.
    public var isNull: Bool {
        guard let scalar else { return false }
        if tag == "tag:yaml.org,2002:null" { return true }
        guard tag == nil, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.value)
    }

    /// "a string", "a list" or "a mapping": for messages like "expected a list, got a mapping".
    public var kindDescription: String {
        switch content {
        case .scalar: return isNull ? "nothing (null)" : "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}
