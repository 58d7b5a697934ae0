/// A position in a YAML source: the file it came from and a 1-based line and column.
///
/// Line 0 means "no position" (a node built in code, or an error about the whole file);
/// its description is then just the file name.
public struct YAMLMark: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The mark of a node that was not read from a file.
    public static let none = YAMLMark(file: "", line: 0, column: 0)

    /// Whether this mark points at a real line and column.
    public var hasPosition: Bool { line > 0 }

    /// `file:line:column`, or just `file` when there is no position.
    public var description: String {
        guard hasPosition else { return file }
        return "\(file):\(line):\(column)"
    }
}
