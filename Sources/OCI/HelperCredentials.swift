import Foundation

/// The credentials of one registry's `CredentialHelper`, fetched on first use and kept until their
/// `renewAt`; concurrent requests share one fetch. When the registry refuses them, they are
/// fetched once more — unless they are only just fetched (then the helper's answer is wrong, not
/// stale, and asking again for every refused request would flood it). One instance per registry,
/// shared by every client of it, so a sync of many tags asks the helper once. A renewal that fails
/// keeps the credentials in hand (`renewAt` comes a margin before they expire; a registry that no
/// longer takes them gets them renewed as refused ones) and is tried again after `minimumRefetchInterval`.
public actor HelperCredentials: Hashable {
    public nonisolated let helper: any CredentialHelper
    /// Credentials younger than this are not refetched when refused.
    nonisolated let minimumRefetchInterval: TimeInterval
    private let now: @Sendable () -> Date
    private var current: (credentials: IssuedCredentials, fetchedAt: Date)?
    private var inFlight: Task<IssuedCredentials, Error>?
    /// After a failed renewal: the credentials in hand are sent until then, without asking the helper.
    private var renewalRetryAt: Date?
    /// How many times the helper was asked (tests, diagnostics).
    public private(set) var fetches = 0

    public init(helper: any CredentialHelper, minimumRefetchInterval: TimeInterval = 10,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.helper = helper
        self.minimumRefetchInterval = minimumRefetchInterval
        self.now = now
    }

    /// The `Authorization: Basic …` value to send.
    func basicAuthorization() async throws -> String {
        if let current, current.credentials.renewAt > now() { return current.credentials.basicAuthorization }
        if let current, let renewalRetryAt, now() < renewalRetryAt { return current.credentials.basicAuthorization }
        do {
            return try await fetch().basicAuthorization
        } catch {
            // Without this, every request of every job would fail, each asking the helper again.
            guard let current else { throw error }
            renewalRetryAt = now().addingTimeInterval(minimumRefetchInterval)
            return current.credentials.basicAuthorization
        }
    }

    /// After the registry refused `rejected` (an `Authorization` value): the value to retry with,
    /// which is `rejected` itself when there is nothing newer.
    func basicAuthorization(replacing rejected: String?) async throws -> String {
        guard let rejected, let current, current.credentials.basicAuthorization == rejected else {
            return try await basicAuthorization()
        }
        guard now().timeIntervalSince(current.fetchedAt) >= minimumRefetchInterval else { return rejected }
        self.current = nil
        return try await fetch().basicAuthorization
    }

    private func fetch() async throws -> IssuedCredentials {
        if let inFlight { return try await inFlight.value }
        let task = Task { [helper] in try await helper.issueCredentials() }
        inFlight = task
        fetches += 1
        defer { inFlight = nil }
        let credentials = try await task.value
        current = (credentials, now())
        renewalRetryAt = nil
        return credentials
    }

    public static func == (a: HelperCredentials, b: HelperCredentials) -> Bool { a === b }

    public nonisolated func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
