import Foundation
import Redis

/// A job as the scripts store it: fields of its hash rather than one JSON document, so that a
/// take reads it without decoding JSON and the payload (itself JSON) stays readable in Redis.
enum StoredJob {
    /// Fields the scripts answer per job: id, then `JOB_FIELDS` of the Lua library.
    static let fieldCount = 8

    /// The 7 arguments `enqueue` takes per job.
    static func arguments(_ job: Job) -> [RedisArgument] {
        [RedisArgument(job.id), RedisArgument(job.kind.rawValue), RedisArgument(job.cycle),
         RedisArgument(job.uniqueKey ?? ""), RedisArgument(job.group ?? ""), RedisArgument(job.attempts),
         RedisArgument([UInt8](job.payload))]
    }

    /// The job (and the group failure it carries) from `fieldCount` values starting at `start`.
    static func leased(_ values: [RedisValue], at start: Int) throws -> LeasedJob {
        let id = values[start].string ?? ""
        guard let kind = values[start + 1].string.flatMap(JobKind.init(rawValue:)) else {
            throw RedisQueueError.malformedJob(id: id, reason: "unknown kind \(values[start + 1])")
        }
        guard let cycle = values[start + 2].string, let attempts = values[start + 5].int else {
            throw RedisQueueError.malformedJob(id: id, reason: "no cycle or attempts")
        }
        var job = Job(kind: kind, payload: Data(values[start + 6].data), cycle: cycle,
                      uniqueKey: values[start + 3].nonEmptyString, group: values[start + 4].nonEmptyString, id: id)
        job.attempts = attempts
        var groupFailure: JobFailure?
        if let failure = values[start + 7].bytes, !failure.isEmpty {
            groupFailure = try JSONDecoder().decode(JobFailure.self, from: Data(failure))
        }
        return LeasedJob(job: job, groupFailure: groupFailure)
    }

    /// Every job in `values` from `start` on, each followed by `extra` values handed to `body`.
    static func each<T>(_ values: [RedisValue], from start: Int, extra: Int,
                        _ body: (LeasedJob, ArraySlice<RedisValue>) throws -> T) throws -> [T] {
        let stride = fieldCount + extra
        guard (values.count - start) % stride == 0 else {
            throw RedisQueueError.unexpectedReply(script: "job list", reply: "\(values.count - start) values, not a multiple of \(stride)")
        }
        return try Swift.stride(from: start, to: values.count, by: stride).map { index in
            try body(try leased(values, at: index), values[(index + fieldCount)..<(index + stride)])
        }
    }
}
