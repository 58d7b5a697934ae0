import Foundation

/// Bearer tokens by (realm, service, scopes), kept until shortly before they expire. Concurrent
/// requests for the same key share one token fetch.
actor TokenCache {
    struct Key: Hashable, Sendable {
        let realm: String
        let service: String?
        /// Sorted, so that the same set of scopes is one key.
        let scopes: [String]

        init(realm: String, service: String?, scopes: [String]) {
            self.realm = realm
            self.service = service
            self.scopes = Array(Set(scopes)).sorted()
        }
    }

    /// A token and how long the server said it lives.
    struct Grant: Sendable {
        let token: String
        let expiresIn: Double
    }

    typealias Fetch = @Sendable () async throws -> Grant

    private struct Entry {
        let token: String
        let validUntil: Date
    }

    private var entries: [Key: Entry] = [:]
    private var inFlight: [Key: Task<Grant, Error>] = [:]
    private let now: @Sendable () -> Date

    init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    /// The cached token for `key`, or a fresh one from `fetch`. A cached token equal to `rejected`
    /// (one the registry just refused) is dropped first.
    func token(for key: Key, rejecting rejected: String? = nil, fetch: @escaping Fetch) async throws -> String {
        if let entry = entries[key] {
            if entry.token == rejected || entry.validUntil <= now() {
                entries[key] = nil
            } else {
                return entry.token
            }
        }
        if let running = inFlight[key] { return try await running.value.token }
        let task = Task { try await fetch() }
        inFlight[key] = task
        defer { inFlight[key] = nil }
        let grant = try await task.value
        entries[key] = Entry(token: grant.token, validUntil: now().addingTimeInterval(Self.lifetime(grant.expiresIn)))
        return grant.token
    }

    func removeAll() {
        entries.removeAll()
    }

    /// How long to use a token: its lifetime minus a margin (a quarter of it, at most 30 s) so
    /// that a request never starts with a token about to expire.
    static func lifetime(_ expiresIn: Double) -> Double {
        max(0, expiresIn - min(30, expiresIn / 4))
    }
}
