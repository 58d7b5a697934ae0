import Redis

/// Reads every key of a Redis database and every value under it, whatever its type: for checks
/// such as "no credential is ever written to Redis".
public enum KeyspaceScan {
    /// Every key (SCAN, so the server is not blocked), sorted.
    public static func keys(in redis: some RedisCommandSender, matching pattern: String = "*") async throws -> [String] {
        var cursor = "0"
        var keys: [String] = []
        repeat {
            let reply = try await redis.send(RedisCommand(["SCAN", cursor, "MATCH", pattern, "COUNT", 1000], idempotent: true))
            cursor = reply[0]?.string ?? "0"
            keys += (reply[1]?.array ?? []).compactMap(\.string)
        } while cursor != "0"
        return Array(Set(keys)).sorted()
    }

    /// Keys whose name or any value under them (string, hash fields and values, list, set, sorted
    /// set members, stream fields) contains `needle`, byte for byte.
    public static func keys(containing needle: String, in redis: some RedisCommandSender) async throws -> [String] {
        let wanted = Array(needle.utf8)
        var found: [String] = []
        for key in try await keys(in: redis) {
            let contents = try await values(of: key, in: redis)
            if contains(Array(key.utf8), wanted) || contents.contains(where: { contains($0, wanted) }) { found.append(key) }
        }
        return found
    }

    /// Every byte string stored under `key`.
    public static func values(of key: String, in redis: some RedisCommandSender) async throws -> [[UInt8]] {
        let type = try await redis.send(RedisCommand(["TYPE", key], idempotent: true)).string ?? "none"
        let read: RedisCommand
        switch type {
        case "string": read = ["GET", key]
        case "hash": read = ["HGETALL", key]
        case "list": read = ["LRANGE", key, 0, -1]
        case "set": read = ["SMEMBERS", key]
        case "zset": read = ["ZRANGE", key, 0, -1]
        case "stream": read = ["XRANGE", key, "-", "+"]
        default: return []
        }
        return flatten(try await redis.send(read.idempotent()))
    }

    private static func flatten(_ value: RedisValue) -> [[UInt8]] {
        if let elements = value.array { return elements.flatMap(flatten) }
        return value.bytes.map { [$0] } ?? []
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
