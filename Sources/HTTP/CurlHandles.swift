import CCurl
import Foundation

enum Curl {
    /// `curl_global_init` once per process, before the first handle.
    static let initialized: Void = {
        let code = curl_global_init(Int(CURL_GLOBAL_ALL))
        precondition(code == CURLE_OK, "curl_global_init failed: \(code)")
    }()
}

/// The DNS cache and TLS sessions shared by every easy handle of one client. Connections are not
/// shared through it: libcurl does not support sharing connections between concurrent threads,
/// so each idle connection stays with its easy handle (see `ConnectionCache`).
final class CurlShare: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    private let locks: UnsafeMutablePointer<pthread_mutex_t>
    private static let lockCount = Int(CURL_LOCK_DATA_LAST.rawValue) + 1

    init() {
        _ = Curl.initialized
        guard let share = curl_share_init() else { fatalError("curl_share_init failed: out of memory") }
        raw = share
        locks = .allocate(capacity: Self.lockCount)
        for i in 0..<Self.lockCount { pthread_mutex_init(locks + i, nil) }
        _ = dsync_share_setopt_ptr(raw, CURLSHOPT_USERDATA, UnsafeMutableRawPointer(locks))
        _ = dsync_share_setopt_lockfunc(raw) { _, data, _, user in
            pthread_mutex_lock(user!.assumingMemoryBound(to: pthread_mutex_t.self) + Int(data.rawValue))
        }
        _ = dsync_share_setopt_unlockfunc(raw) { _, data, user in
            pthread_mutex_unlock(user!.assumingMemoryBound(to: pthread_mutex_t.self) + Int(data.rawValue))
        }
        _ = dsync_share_setopt_long(raw, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_DNS.rawValue))
        _ = dsync_share_setopt_long(raw, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_SSL_SESSION.rawValue))
    }

    deinit {
        curl_share_cleanup(raw)
        for i in 0..<Self.lockCount { pthread_mutex_destroy(locks + i) }
        locks.deallocate()
    }
}

/// One libcurl easy handle and the connection it keeps open between transfers.
final class EasyHandle {
    let raw: UnsafeMutableRawPointer
    /// Holds the share alive for as long as a handle uses it.
    let share: CurlShare
    var lastUsed = ContinuousClock.now

    init(share: CurlShare) {
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        raw = handle
        self.share = share
    }

    deinit { curl_easy_cleanup(raw) }

    /// Back to default options; the open connection, DNS and TLS session caches survive.
    func reset() {
        curl_easy_reset(raw)
        _ = dsync_easy_setopt_ptr(raw, CURLOPT_SHARE, share.raw)
    }

    func set(_ option: CURLoption, _ value: Int) { _ = dsync_easy_setopt_long(raw, option, value) }
    func set(_ option: CURLoption, _ value: Bool) { set(option, value ? 1 : 0) }
    func set(_ option: CURLoption, _ value: String) { _ = dsync_easy_setopt_string(raw, option, value) }
    func set(_ option: CURLoption, _ value: Int64) { _ = dsync_easy_setopt_off(raw, option, curl_off_t(value)) }
    func set(_ option: CURLoption, _ value: UnsafeMutableRawPointer?) { _ = dsync_easy_setopt_ptr(raw, option, value) }
    func set(_ option: CURLoption, _ list: CurlStringList) { _ = dsync_easy_setopt_slist(raw, option, list.raw) }

    func info(_ item: CURLINFO) -> Int {
        var value = 0
        _ = dsync_easy_getinfo_long(raw, item, &value)
        return value
    }

    func info(_ item: CURLINFO) -> Int64 {
        var value: curl_off_t = 0
        _ = dsync_easy_getinfo_off(raw, item, &value)
        return Int64(value)
    }

    func info(_ item: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>? = nil
        _ = dsync_easy_getinfo_string(raw, item, &value)
        return value.map { String(cString: $0) }
    }
}

/// A `curl_slist` owned by Swift; it must outlive the transfer that uses it.
final class CurlStringList {
    private(set) var raw: UnsafeMutablePointer<curl_slist>? = nil

    init(_ strings: [String] = []) { strings.forEach(append) }

    func append(_ string: String) { raw = curl_slist_append(raw, string) }

    deinit { curl_slist_free_all(raw) }
}
