/// A YAML document that could not be read, with libyaml's own words for the problem.
///
/// `description` reads like a compiler diagnostic:
/// `config.yaml:7:3: mapping values are not allowed in this context`.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is.
    public var mark: YAMLMark
    /// What is wrong, e.g. "mapping values are not allowed in this context".
    public var problem: String
    /// What the parser was doing, e.g. "while parsing a block mapping".
    public var context: String?
    /// Where the construct named by `context` started.
    public var contextMark: YAMLMark?

    public init(mark: YAMLMark, problem: String, context: String? = nil, contextMark: YAMLMark? = nil) {
        self.mark = mark
        self.problem = problem
        self.context = context
        self.contextMark = contextMark
    }

    public var description: String { "\(mark): \(message)" }

    /// The problem and its context, without the position.
    public var message: String {
        var text = problem
        if let context {
            if let contextMark, contextMark.hasPosition, contextMark != mark {
                text += " (\(context) that started at line \(contextMark.line), column \(contextMark.column))"
            } else {
                text += " (\(context))"
            }
        }
        return text
    }
}
