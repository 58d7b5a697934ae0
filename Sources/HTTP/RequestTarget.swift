import CCurl

/// A request URL parsed (by libcurl's own URL parser, so it agrees with the transfer) into the
/// origin that connection reuse, TLS options and the Authorization rule are decided by.
struct RequestTarget: Sendable, Equatable {
    let url: String
    let scheme: String
    /// Lowercased; IPv6 addresses in brackets, as in URLs.
    let host: String
    let port: Int

    /// `scheme://host:port`: two URLs with the same origin may share a connection and credentials.
    var origin: String { "\(scheme)://\(host):\(port)" }

    var isLoopback: Bool {
        host == "localhost" || host.hasSuffix(".localhost") || host.hasPrefix("127.") || host == "[::1]"
    }

    init(url: String, method: String) throws {
        func fail(_ message: String) -> HTTPError {
            HTTPError(kind: .badURL, method: method, url: url, message: message)
        }
        _ = Curl.initialized
        guard let handle = curl_url() else { throw fail("out of memory parsing the URL") }
        defer { curl_url_cleanup(handle) }
        let code = curl_url_set(handle, CURLUPART_URL, url, 0)
        guard code == CURLUE_OK else {
            throw fail("not a valid URL: \(String(cString: curl_url_strerror(code)))")
        }
        let scheme = Self.part(handle, CURLUPART_SCHEME)?.lowercased() ?? ""
        guard scheme == "http" || scheme == "https" else {
            throw fail("unsupported scheme \"\(scheme)\": only http and https URLs are supported")
        }
        guard let host = Self.part(handle, CURLUPART_HOST), !host.isEmpty,
              let port = Self.part(handle, CURLUPART_PORT, flags: UInt32(CURLU_DEFAULT_PORT)).flatMap({ Int($0) }) else {
            throw fail("the URL has no host")
        }
        self.url = url
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
    }

    /// Refuses plain `http://` except to loopback hosts and hosts explicitly marked `plainHTTP`:
    /// registry credentials must not cross the network in the clear by accident.
    func checkTransportSecurity(_ options: HostOptions, method: String) throws {
        guard scheme == "http", !isLoopback, !options.plainHTTP else { return }
        throw HTTPError(kind: .insecureURL, method: method, url: url, message:
            "plain http:// to \(host) is refused; use https://, or mark \"\(host):\(port)\" (or \"\(host)\") as plainHTTP in its host options if this registry really is insecure")
    }

    private static func part(_ handle: OpaquePointer, _ part: CURLUPart, flags: UInt32 = 0) -> String? {
        var value: UnsafeMutablePointer<CChar>? = nil
        guard curl_url_get(handle, part, &value, flags) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }
}
