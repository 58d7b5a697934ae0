import CHiredis

extension RedisValue {
    /// Copies a hiredis reply tree into values (the caller frees the tree).
    init(reply: UnsafePointer<redisReply>) {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_INTEGER:
            self = .integer(node.integer)
        case REDIS_REPLY_STRING:
            self = .bulk(Self.bytes(node))
        case REDIS_REPLY_STATUS:
            self = .status(String(decoding: Self.bytes(node), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            self = .error(String(decoding: Self.bytes(node), as: UTF8.self))
        case REDIS_REPLY_ARRAY:
            self = .array((0..<node.elements).map { RedisValue(reply: node.element[$0]!) })
        default:
            self = .null
        }
    }

    private static func bytes(_ node: redisReply) -> [UInt8] {
        guard let str = node.str, node.len > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: str, count: node.len))
    }
}
