import Logging

extension HTTPClient {
    /// How the client connects, times out and trusts servers. The defaults suit registries on the
    /// internet: TLS verified, no total timeout (a 10 GiB layer may take an hour), but a transfer
    /// slower than `lowSpeedLimit` for `lowSpeedTime` is aborted as stalled.
    public struct Configuration: Sendable {
        /// Time allowed for DNS, TCP and TLS handshakes of a new connection.
        public var connectTimeout: Duration = .seconds(30)
        /// A transfer below this many bytes per second for `lowSpeedTime` is aborted (retryable).
        public var lowSpeedLimit: Int = 1024
        public var lowSpeedTime: Duration = .seconds(60)
        /// Redirects followed per request; more is an error.
        public var maxRedirects: Int = 10
        /// Threads that run blocking libcurl transfers; requests beyond this wait for a free one.
        /// A GET streamed through an `HTTPBodyPipe` into a PUT holds two of them.
        public var maxTransferThreads: Int = 64
        /// Idle connections (one per idle easy handle) kept per origin for reuse.
        public var maxIdleConnectionsPerOrigin: Int = 8
        /// Per-host TLS and plain-HTTP options, keyed `"host:port"` or `"host"` (the first wins).
        public var hosts: [String: HostOptions] = [:]
        /// `CURLOPT_RESOLVE` entries, `"host:port:address"`: pins a name to an address (tests map
        /// registry names to 127.0.0.1).
        public var resolve: [String] = []
        /// A CA bundle used for every host without its own `caBundlePath`; nil means the system's.
        public var caBundlePath: String? = nil
        public var userAgent: String = "docker-sync/\(dockerSyncVersion)"
        public var logger: Logger = Logger(label: "docker-sync.http")

        public init() {}

        func options(host: String, port: Int) -> HostOptions {
            hosts["\(host):\(port)"] ?? hosts[host] ?? HostOptions()
        }
    }
}

/// Options for one registry or endpoint host.
public struct HostOptions: Sendable, Equatable {
    /// Verify the server's certificate and name. Turning it off is for test and lab registries only.
    public var verifyTLS: Bool
    /// A PEM bundle of the CAs trusted for this host (a private registry's CA).
    public var caBundlePath: String?
    /// Allow `http://` to this host (an "insecure registry"); loopback hosts are always allowed.
    public var plainHTTP: Bool

    public init(verifyTLS: Bool = true, caBundlePath: String? = nil, plainHTTP: Bool = false) {
        self.verifyTLS = verifyTLS; self.caBundlePath = caBundlePath; self.plainHTTP = plainHTTP
    }
}

extension Duration {
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
