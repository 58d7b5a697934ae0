/// Which strings YAML lets stand unquoted, and which would be read back as something else.
enum YAMLScalarSyntax {
    private static let flowIndicators: Set<Character> = ["[", "]", "{", "}", ","]
    private static let leadingIndicators: Set<Character> = ["#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`"]

    /// Whether `value` can be written as a plain scalar in block context and read back unchanged.
    static func canBePlain(_ value: String) -> Bool {
        guard let first = value.first, let last = value.last else { return false }
        if first == " " || last == " " || last == ":" { return false }
        if leadingIndicators.contains(first) || flowIndicators.contains(first) { return false }
        if "-?:".contains(first) {
            let second = value.dropFirst().first
            if second == nil || second == " " { return false }
        }
        if value.hasPrefix("---") || value.hasPrefix("...") { return false }
        if value.contains(": ") || value.contains(" #") { return false }
        return value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F && $0.value != 0xFEFF }
    }

    /// Whether a plain `value` resolves to null, a bool, an int or a float under YAML 1.1 or
    /// 1.2 — the readers of our files (yaml.v3, viper, PyYAML) disagree, so quote for all.
    static func resolvesToNonString(_ value: String) -> Bool {
        if ["", "~", "null", "Null", "NULL"].contains(value) { return true }
        let words = ["true", "false", "yes", "no", "on", "off", "y", "n"]
        if words.contains(where: { [$0, $0.capitalized, $0.uppercased()].contains(value) }) { return true }
        return numberPatterns.contains { value.wholeMatch(of: $0) != nil }
    }

    private static var numberPatterns: [Regex<AnyRegexOutput>] {
        [
            #"[-+]?[0-9][0-9_]*"#,                                    // decimal, YAML 1.1 octal
            #"[-+]?0[xX][0-9a-fA-F_]+"#,
            #"[-+]?0[oO][0-7_]+"#,
            #"[-+]?0[bB][01_]+"#,
            #"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?"#,          // base 60: 15:04:05
            #"[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?"#,
            #"[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"#,
            #"[-+]?\.(inf|Inf|INF)"#,
            #"\.(nan|NaN|NAN)"#,
        ].map { try! Regex($0) }
    }
}

private extension String {
    var capitalized: String { prefix(1).uppercased() + dropFirst() }
}
