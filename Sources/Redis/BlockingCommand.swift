/// How long a blocking command may hold its reply back, read from its arguments, so that the
/// read timeout can be raised for it: hiredis's timeout must exceed any block time, or a
/// legitimately blocked command would look like a dead server.
enum BlockTime: Equatable {
    case seconds(Double)
    /// Timeout 0: block until data arrives.
    case forever

    /// The block time of `command`, or nil when it does not block (or its timeout is malformed,
    /// which the server will report).
    init?(of command: RedisCommand) {
        let arguments = command.arguments
        guard let first = arguments.first else { return nil }
        switch first.text.uppercased() {
        case "BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BZPOPMIN", "BZPOPMAX":
            self.init(arguments.last, unit: 1)
        case "BLMPOP", "BZMPOP":
            self.init(arguments.count > 1 ? arguments[1] : nil, unit: 1)
        case "XREAD", "XREADGROUP":
            self.init(Self.option("BLOCK", in: arguments, before: "STREAMS"), unit: 0.001)
        case "WAIT":
            self.init(arguments.count == 3 ? arguments[2] : nil, unit: 0.001)
        default:
            return nil
        }
    }

    private init?(_ argument: RedisArgument?, unit: Double) {
        guard let argument, let value = Double(argument.text), value >= 0 else { return nil }
        self = value == 0 ? .forever : .seconds(value * unit)
    }

    /// The argument after keyword `name`, looked for before `end` (where keys begin).
    private static func option(_ name: String, in arguments: [RedisArgument], before end: String) -> RedisArgument? {
        var index = 1
        while index < arguments.count - 1 {
            let word = arguments[index].text.uppercased()
            if word == end { return nil }
            if word == name { return arguments[index + 1] }
            index += 1
        }
        return nil
    }
}

extension Array where Element == RedisCommand {
    /// The read timeout for this pipeline: `base` plus the block time of each blocking command,
    /// as the server runs them one after another. Blocking forever is refused: a dead server
    /// could then never be told from an empty list.
    func readTimeout(base: Duration) throws -> Duration {
        var total = base
        for command in self {
            switch BlockTime(of: command) {
            case nil:
                continue
            case .forever:
                throw RedisError.invalidCommand(
                    command: command.name,
                    reason: "a block time of 0 blocks forever; give a finite block time and loop")
            case .seconds(let seconds):
                total += .milliseconds(Int64((seconds * 1000).rounded(.up)))
            }
        }
        return total
    }
}
