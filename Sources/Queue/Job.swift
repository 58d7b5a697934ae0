import Foundation

/// The four steps of the pipeline: image → tags → (tag × target) blobs → commit.
public enum JobKind: String, Codable, Sendable, CaseIterable {
    case image, tag, blob, commit
}

/// One unit of work on the queue. The payload is the kind's own Codable value, encoded as JSON;
/// it names registries and repositories, never credentials.
public struct Job: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var kind: JobKind
    public var payload: Data
    /// The sync cycle the job belongs to; outcomes and completion are counted per cycle.
    public var cycle: String
    /// Failed attempts so far.
    public var attempts: Int
    /// Jobs with the same unique key are enqueued once (a brief double leader does no harm).
    public var uniqueKey: String?
    /// The group the job belongs to: when every member has finished, the group's continuation runs.
    public var group: String?

    public init(kind: JobKind, payload: Data, cycle: String, uniqueKey: String? = nil, group: String? = nil,
                id: String = UUID().uuidString.lowercased()) {
        self.id = id
        self.kind = kind
        self.payload = payload
        self.cycle = cycle
        self.attempts = 0
        self.uniqueKey = uniqueKey
        self.group = group
    }

    public init<P: Encodable>(kind: JobKind, _ payload: P, cycle: String, uniqueKey: String? = nil, group: String? = nil) throws {
        self.init(kind: kind, payload: try JSONEncoder.sorted.encode(payload), cycle: cycle, uniqueKey: uniqueKey, group: group)
    }

    public func decode<P: Decodable>(_ type: P.Type) throws -> P {
        try JSONDecoder().decode(type, from: payload)
    }
}

/// Children whose completion releases one continuation job, which learns whether any child ended dead.
public struct JobGroup: Sendable {
    public var id: String
    public var children: [Job]
    public var continuation: Job

    public init(children: [Job], continuation: Job, id: String = UUID().uuidString.lowercased()) {
        self.id = id
        self.continuation = continuation
        self.children = children.map { var job = $0; job.group = id; return job }
    }
}

extension JSONEncoder {
    public static let sorted: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
