/// Reads YAML text into a `YAMLNode` tree through libyaml's event API.
///
/// Anchors and aliases are resolved by copying the anchored node (an alias to an
/// undefined anchor is an error). A stream holds at most one document.
public enum YAMLParser {
    /// Nesting deeper than this is refused rather than risking the stack.
    public static let maxDepth = 256
    /// Alias expansion may not grow a document past this many nodes ("billion laughs").
    public static let maxNodes = 1_000_000

    /// Parses `text`; `file` names it in marks and errors. Returns nil for an empty stream.
    public static func parse(_ text: String, file: String) throws -> YAMLNode? {
        var builder = try TreeBuilder(reader: YAMLEventReader(text: text, file: file))
        return try builder.document()
    }
}

private struct TreeBuilder {
    let reader: YAMLEventReader
    var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    var nodeCount = 0

    init(reader: YAMLEventReader) {
        self.reader = reader
    }

    mutating func document() throws -> YAMLNode? {
        guard case .streamStart = try reader.next().event else { return nil }
        var (event, mark) = try reader.next()
        guard case .documentStart = event else { return nil }  // empty stream
        let root = try node(try reader.next(), depth: 0)
        _ = try reader.next()  // documentEnd
        (event, mark) = try reader.next()
        guard case .streamEnd = event else {
            throw YAMLError(mark: mark, problem: "expected a single YAML document, found another one")
        }
        return root
    }

    private mutating func node(_ start: (event: YAMLEvent, mark: YAMLMark), depth: Int) throws -> YAMLNode {
        guard depth < YAMLParser.maxDepth else {
            throw YAMLError(mark: start.mark, problem: "nesting deeper than \(YAMLParser.maxDepth) levels")
        }
        let before = nodeCount
        nodeCount += 1
        let built: YAMLNode
        let anchor: String?
        switch start.event {
        case .alias(let name):
            return try resolve(alias: name, at: start.mark)
        case .scalar(let a, let tag, let value, let style):
            anchor = a
            built = YAMLNode(.scalar(YAMLScalar(value, style: style)), mark: start.mark, tag: tag)
        case .sequenceStart(let a, let tag):
            anchor = a
            built = YAMLNode(.sequence(try sequenceItems(depth: depth)), mark: start.mark, tag: tag)
        case .mappingStart(let a, let tag):
            anchor = a
            built = YAMLNode(.mapping(try mappingPairs(depth: depth)), mark: start.mark, tag: tag)
        default:
            throw YAMLError(mark: start.mark, problem: "unexpected YAML event")
        }
        if let anchor { anchors[anchor] = (built, nodeCount - before) }
        return built
    }

    private mutating func sequenceItems(depth: Int) throws -> [YAMLNode] {
        var items: [YAMLNode] = []
        while true {
            let next = try reader.next()
            if case .sequenceEnd = next.event { return items }
            items.append(try node(next, depth: depth + 1))
        }
    }

    private mutating func mappingPairs(depth: Int) throws -> [YAMLPair] {
        var pairs: [YAMLPair] = []
        while true {
            let next = try reader.next()
            if case .mappingEnd = next.event { return pairs }
            let key = try node(next, depth: depth + 1)
            let value = try node(try reader.next(), depth: depth + 1)
            pairs.append(YAMLPair(key: key, value: value))
        }
    }

    private mutating func resolve(alias name: String, at mark: YAMLMark) throws -> YAMLNode {
        guard let (anchored, size) = anchors[name] else {
            throw YAMLError(mark: mark, problem: "alias *\(name) refers to an undefined anchor &\(name)")
        }
        nodeCount += size
        guard nodeCount <= YAMLParser.maxNodes else {
            throw YAMLError(mark: mark, problem: "aliases expand the document past \(YAMLParser.maxNodes) nodes")
        }
        var copy = anchored
        copy.mark = mark
        return copy
    }
}
