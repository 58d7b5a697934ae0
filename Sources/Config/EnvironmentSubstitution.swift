import Foundation
import YAML

/// Replaces `${NAME}` in every scalar of a config tree with the environment variable NAME,
/// so secrets can stay out of the file (`password: ${DOCKERHUB_TOKEN}`). Only the braced
/// form is recognised; a `$` not followed by `{` is kept as is. An unset variable is an error.
enum EnvironmentSubstitution {
    static func apply(to node: YAMLNode, environment: [String: String]) throws -> YAMLNode {
        var result = node
        switch node.content {
        case .scalar(var scalar):
            guard scalar.value.contains("${") else { return node }
            scalar.value = try substitute(scalar.value, at: node.mark, environment: environment)
            result.content = .scalar(scalar)
        case .sequence(let items):
            result.content = .sequence(try items.map { try apply(to: $0, environment: environment) })
        case .mapping(let pairs):
            result.content = .mapping(try pairs.map {
                YAMLPair(key: try apply(to: $0.key, environment: environment),
                         value: try apply(to: $0.value, environment: environment))
            })
        }
        return result
    }

    static func substitute(_ text: String, at mark: YAMLMark, environment: [String: String]) throws -> String {
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            let afterBrace = rest[start.upperBound...]
            guard let close = afterBrace.firstIndex(of: "}") else {
                throw ConfigError(mark: mark, message: "unterminated '${' in \(text.debugDescription); write ${NAME}")
            }
            let name = String(afterBrace[..<close])
            guard isVariableName(name) else {
                throw ConfigError(mark: mark, message: "'${\(name)}' is not a valid environment variable reference; write ${NAME} with letters, digits and _")
            }
            guard let value = environment[name] else {
                throw ConfigError(mark: mark, message: "environment variable \(name) is not set (referenced as ${\(name)})")
            }
            output += value
            rest = afterBrace[afterBrace.index(after: close)...]
        }
        return output + rest
    }

    private static func isVariableName(_ name: String) -> Bool {
        guard let first = name.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
        return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
}
