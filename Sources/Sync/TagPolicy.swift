import Foundation

/// Which source tags an image syncs, and which of them are re-checked every cycle.
///
/// Patterns, in `tags`, `mutableTags` and `ignoredTags` alike: a literal tag; a glob with `*`,
/// `?` and `[...]` (as the original's `filepath.Match`); `@semver` for every tag that parses as a
/// semantic version (as the original, leading `v` and missing minor/patch allowed); `regex:…`
/// for a regular expression that must match the whole tag.
public struct TagPolicy: Codable, Sendable, Equatable {
    public var tags: [String]
    public var mutableTags: [String]
    public var ignoredTags: [String]

    public init(tags: [String] = [], mutableTags: [String] = [], ignoredTags: [String] = []) {
        self.tags = tags; self.mutableTags = mutableTags; self.ignoredTags = ignoredTags
    }

    /// True when the tags to sync can be named without listing the source repository.
    public var isLiteral: Bool { !tags.isEmpty && tags.allSatisfy(TagPattern.isLiteral) }

    /// The tags to sync out of `available` (nil when the source was not listed: literal tags only), sorted, unique.
    public func select(from available: [String]?) throws -> [String] {
        let patterns = try tags.map { try TagPattern.compiled($0) }
        let ignored = try ignoredTags.map { try TagPattern.compiled($0) }
        var chosen = Set<String>()
        if let available {
            for tag in available where patterns.isEmpty || patterns.contains(where: { $0.matches(tag) }) {
                chosen.insert(tag)
            }
            // Literal tags are asked for even when the listing missed them (eventual consistency of tag lists).
            for pattern in patterns where pattern.isLiteral { chosen.insert(pattern.text) }
        } else {
            chosen = Set(patterns.map(\.text))
        }
        return chosen.filter { tag in !ignored.contains { $0.matches(tag) } }.sorted()
    }

    public func isMutable(_ tag: String) -> Bool {
        mutableTags.contains { (try? TagPattern.compiled($0).matches(tag)) ?? false }
    }

    /// Checks every pattern compiles; the error names the bad one.
    public func validate() throws {
        for pattern in tags + mutableTags + ignoredTags { _ = try TagPattern.compiled(pattern) }
    }
}

public struct TagPatternError: Error, CustomStringConvertible {
    public let pattern: String
    public let reason: String
    public var description: String { "invalid tag pattern \"\(pattern)\": \(reason)" }
}

struct TagPattern: Sendable {
    enum Kind: Sendable { case literal, glob, semver, regex(NSRegularExpression) }
    let text: String
    let kind: Kind

    /// True for a plain tag name (no glob, `@semver` or `regex:`).
    static func isLiteral(_ text: String) -> Bool {
        text != "@semver" && !text.hasPrefix("regex:") && !text.contains(where: { "*?[".contains($0) })
    }

    var isLiteral: Bool { if case .literal = kind { return true } else { return false } }

    static func compiled(_ text: String) throws -> TagPattern {
        if text == "@semver" { return TagPattern(text: text, kind: .semver) }
        guard text.hasPrefix("regex:") else { return TagPattern(text: text, kind: isLiteral(text) ? .literal : .glob) }
        let source = String(text.dropFirst("regex:".count))
        do {
            return TagPattern(text: text, kind: .regex(try NSRegularExpression(pattern: "^(?:\(source))$")))
        } catch {
            throw TagPatternError(pattern: text, reason: "not a valid regular expression")
        }
    }

    private init(text: String, kind: Kind) { self.text = text; self.kind = kind }

    func matches(_ tag: String) -> Bool {
        switch kind {
        case .literal: return tag == text
        case .glob: return Glob.matches(pattern: Array(text.utf8), Array(tag.utf8))
        case .semver: return SemanticVersion.isVersion(tag)
        case .regex(let regex):
            return regex.firstMatch(in: tag, range: NSRange(tag.startIndex..., in: tag)) != nil
        }
    }
}

/// `filepath.Match` semantics for tags (which never contain `/`): `*`, `?`, `[a-z]`, `[!x]`, `\` escapes.
enum Glob {
    static func matches(pattern: [UInt8], _ name: [UInt8]) -> Bool {
        var p = 0, n = 0, starP = -1, starN = 0
        while n < name.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                starP = p; starN = n; p += 1
            } else if p < pattern.count, let next = matchOne(pattern, p, name[n]) {
                p = next; n += 1
            } else if starP >= 0 {
                starN += 1; n = starN; p = starP + 1
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }

    /// Matches one character at pattern index `p`; returns the index after the pattern element.
    private static func matchOne(_ pattern: [UInt8], _ p: Int, _ c: UInt8) -> Int? {
        switch pattern[p] {
        case UInt8(ascii: "?"): return p + 1
        case UInt8(ascii: "\\") where p + 1 < pattern.count: return pattern[p + 1] == c ? p + 2 : nil
        case UInt8(ascii: "["): return matchClass(pattern, p + 1, c)
        default: return pattern[p] == c ? p + 1 : nil
        }
    }

    private static func matchClass(_ pattern: [UInt8], _ start: Int, _ c: UInt8) -> Int? {
        var i = start
        let negated = i < pattern.count && (pattern[i] == UInt8(ascii: "!") || pattern[i] == UInt8(ascii: "^"))
        if negated { i += 1 }
        var matched = false
        var first = true
        while i < pattern.count, first || pattern[i] != UInt8(ascii: "]") {
            first = false
            let low = pattern[i]
            if i + 2 < pattern.count, pattern[i + 1] == UInt8(ascii: "-"), pattern[i + 2] != UInt8(ascii: "]") {
                if low <= c && c <= pattern[i + 2] { matched = true }
                i += 3
            } else {
                if low == c { matched = true }
                i += 1
            }
        }
        guard i < pattern.count else { return nil }  // unterminated class matches nothing
        return matched != negated ? i + 1 : nil
    }
}

/// The lenient semantic-version grammar of Masterminds/semver's NewVersion, which the original uses for `@semver`.
enum SemanticVersion {
    static let pattern = try! NSRegularExpression(pattern:
        #"^v?[0-9]+(\.[0-9]+)?(\.[0-9]+)?(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$"#)

    static func isVersion(_ tag: String) -> Bool {
        pattern.firstMatch(in: tag, range: NSRange(tag.startIndex..., in: tag)) != nil
    }
}
