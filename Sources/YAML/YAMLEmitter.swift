/// Writes a `YAMLNode` tree as block-style YAML, two spaces per level, with sequences
/// indented under their key (the layout `gopkg.in/yaml.v3` and viper write):
///
/// ```yaml
/// sync:
///   images:
///     - source: docker.io/library/ubuntu
/// ```
///
/// Marks and tags are not written. Scalars are written plain when that reads back as the
/// same string, otherwise double-quoted (see `YAMLEmitter.render(_:)`).
public enum YAMLEmitter {
    public static func emit(_ node: YAMLNode) -> String {
        var out = ""
        switch node.content {
        case .scalar(let scalar): out = render(scalar) + "\n"
        case .sequence(let items): items.isEmpty ? (out = "[]\n") : emitSequence(items, indent: 0, into: &out)
        case .mapping(let pairs): pairs.isEmpty ? (out = "{}\n") : emitMapping(pairs, indent: 0, into: &out)
        }
        return out
    }

    private static func emitMapping(_ pairs: [YAMLPair], indent: Int, into out: inout String, firstInline: Bool = false) {
        for (index, pair) in pairs.enumerated() {
            if !(firstInline && index == 0) { out += String(repeating: " ", count: indent) }
            out += renderKey(pair.key) + ":"
            emitValue(pair.value, indent: indent, into: &out)
        }
    }

    /// The part after `key:` — inline for scalars and empty collections, else on the next lines.
    private static func emitValue(_ value: YAMLNode, indent: Int, into out: inout String) {
        switch value.content {
        case .scalar(let scalar):
            out += " " + render(scalar) + "\n"
        case .sequence(let items) where items.isEmpty:
            out += " []\n"
        case .mapping(let pairs) where pairs.isEmpty:
            out += " {}\n"
        case .sequence(let items):
            out += "\n"
            emitSequence(items, indent: indent + 2, into: &out)
        case .mapping(let pairs):
            out += "\n"
            emitMapping(pairs, indent: indent + 2, into: &out)
        }
    }

    private static func emitSequence(_ items: [YAMLNode], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for item in items {
            out += pad + "-"
            switch item.content {
            case .scalar(let scalar):
                out += " " + render(scalar) + "\n"
            case .mapping(let pairs) where !pairs.isEmpty:
                out += " "
                emitMapping(pairs, indent: indent + 2, into: &out, firstInline: true)
            case .sequence(let nested) where !nested.isEmpty:
                out += "\n"
                emitSequence(nested, indent: indent + 2, into: &out)
            case .mapping:
                out += " {}\n"
            case .sequence:
                out += " []\n"
            }
        }
    }

    private static func renderKey(_ key: YAMLNode) -> String {
        // Config keys are always scalars; a collection key gets a flow-free placeholder.
        guard let scalar = key.scalar else { return "\"?\"" }
        return render(scalar)
    }

    /// A scalar as it should appear in the document.
    ///
    /// `.plain` is written as is when YAML allows it plain (so `true` stays a bool);
    /// `.any` is also quoted when plain it would read back as a non-string
    /// (`"15:04:05"` is a base-60 number in YAML 1.1, `"true"`, `"5"`, `""`);
    /// quoted and block styles are written double-quoted unless single quotes suffice.
    public static func render(_ scalar: YAMLScalar) -> String {
        let value = scalar.value
        switch scalar.style {
        case .plain:
            return YAMLScalarSyntax.canBePlain(value) ? value : doubleQuoted(value)
        case .any:
            let plain = YAMLScalarSyntax.canBePlain(value) && !YAMLScalarSyntax.resolvesToNonString(value)
            return plain ? value : doubleQuoted(value)
        case .singleQuoted:
            let printable = value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
            return printable ? "'" + value.replacingOccurrences(of: "'", with: "''") + "'" : doubleQuoted(value)
        case .doubleQuoted, .literal, .folded:
            return doubleQuoted(value)
        }
    }

    /// `value` in double quotes with YAML escapes for quotes, backslashes and control characters.
    public static func doubleQuoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16, uppercase: true)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

private extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
