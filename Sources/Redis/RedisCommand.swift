/// A command and its arguments, plus whether it is safe to send again after the connection broke
/// with the command already written (see `RedisConnection` for the resend rule).
///
/// Written as an array literal in pipelines: `[["SET", key, bytes], ["GET", key]]`.
public struct RedisCommand: Sendable, Hashable, ExpressibleByArrayLiteral {
    public var arguments: [RedisArgument]
    /// Running the command twice has the effect of running it once (GET, SET k v, SCRIPT LOAD):
    /// the connection may resend it when it broke before the reply arrived.
    public var isIdempotent: Bool

    public init(_ arguments: [RedisArgument], idempotent: Bool = false) {
        self.arguments = arguments
        self.isIdempotent = idempotent
    }

    public init(_ arguments: [any RedisArgumentConvertible], idempotent: Bool = false) {
        self.init(arguments.map(\.redisArgument), idempotent: idempotent)
    }

    public init(arrayLiteral elements: any RedisArgumentConvertible...) {
        self.init(elements)
    }

    /// This command, marked safe to resend.
    public func idempotent() -> RedisCommand {
        RedisCommand(arguments, idempotent: true)
    }

    /// The command's name for messages, with the subcommand of container commands
    /// (`SCRIPT LOAD`, `XGROUP CREATE`); never any other argument, so no key, value or password.
    public var name: String {
        guard let first = arguments.first else { return "(empty command)" }
        let name = first.text.uppercased()
        guard Self.containers.contains(name), arguments.count > 1 else { return name }
        return name + " " + arguments[1].text.uppercased()
    }

    private static let containers: Set<String> = [
        "ACL", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "FUNCTION", "LATENCY", "MEMORY",
        "MODULE", "OBJECT", "PUBSUB", "SCRIPT", "SLOWLOG", "XGROUP", "XINFO",
    ]
}

extension Array where Element == RedisCommand {
    /// The name of a pipeline in messages: the command's name when there is one.
    var pipelineName: String {
        if count == 1 { return self[0].name }
        let names = prefix(3).map(\.name).joined(separator: ", ")
        return "pipeline of \(count) commands (\(names)\(count > 3 ? ", ..." : ""))"
    }
}
