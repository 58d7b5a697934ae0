/// An image reference — `registry/repository[:tag][@digest]` — normalised the way `docker pull`
/// reads it: `ubuntu` is `docker.io/library/ubuntu`, `user/img` is `docker.io/user/img`.
///
/// Grammar: https://github.com/distribution/reference/blob/main/reference.go
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// Host, with `:port` when given; Docker Hub's aliases are all `docker.io`.
    public let registry: String
    /// Path inside the registry, e.g. `library/ubuntu`.
    public let repository: String
    public let tag: String?
    public let digest: Digest?

    public static let dockerHub = "docker.io"
    /// Where Docker Hub's distribution API actually answers.
    public static let dockerHubAPIHost = "registry-1.docker.io"
    static let dockerHubAliases: Set<String> = ["docker.io", "index.docker.io", "registry-1.docker.io"]
    static let maxNameLength = 255

    /// Parses `string`, e.g. `ubuntu`, `ghcr.io/org/app:1.2`, `localhost:5000/a/b@sha256:…`.
    public init(_ string: String) throws {
        let fail = { (reason: ReferenceError.Reason) in ReferenceError(reference: string, reason: reason) }
        guard !string.isEmpty else { throw fail(.empty) }
        var rest = Substring(string)
        var digest: Digest?
        if let at = rest.firstIndex(of: "@") {
            let digestString = String(rest[rest.index(after: at)...])
            do { digest = try Digest(parsing: digestString) } catch { throw fail(.invalidDigest(digestString)) }
            rest = rest[..<at]
        }
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        let (registry, path) = Self.splitRegistry(rest)
        try self.init(registry: registry, repository: path, tag: tag, digest: digest, input: string)
    }

    /// Builds a reference from its parts, validating each; `registry` defaults to Docker Hub.
    public init(registry: String = dockerHub, repository: String, tag: String? = nil, digest: Digest? = nil) throws {
        let shown = "\(registry)/\(repository)" + (tag.map { ":\($0)" } ?? "") + (digest.map { "@\($0)" } ?? "")
        try self.init(registry: registry, repository: repository, tag: tag, digest: digest, input: shown)
    }

    private init(registry: String, repository: String, tag: String?, digest: Digest?, input: String) throws {
        let fail = { (reason: ReferenceError.Reason) in ReferenceError(reference: input, reason: reason) }
        let host = Self.dockerHubAliases.contains(registry.lowercased()) ? Self.dockerHub : registry
        guard Self.isValidRegistry(host) else { throw fail(.invalidRegistry(registry)) }
        guard !repository.isEmpty else { throw fail(.missingRepository) }
        // `docker pull <64 hex>` would be ambiguous with an image ID.
        if repository.utf8.count == 64, repository.utf8.allSatisfy(Digest.isLowerHex) { throw fail(.hexRepository) }
        var path = repository
        if host == Self.dockerHub, !path.contains("/") { path = "library/" + path }
        if path.lowercased() != path { throw fail(.uppercaseRepository) }
        for component in path.split(separator: "/", omittingEmptySubsequences: false)
        where !Self.isValidPathComponent(component) {
            throw fail(.invalidPathComponent(String(component)))
        }
        let nameLength = host.utf8.count + 1 + path.utf8.count
        guard nameLength <= Self.maxNameLength else { throw fail(.nameTooLong(nameLength)) }
        if let tag, !Self.isValidTag(tag) { throw fail(.invalidTag(tag)) }
        self.registry = host
        self.repository = path
        self.tag = tag
        self.digest = digest
    }

    /// `registry/repository`, without tag or digest.
    public var name: String { "\(registry)/\(repository)" }

    public var description: String {
        name + (tag.map { ":\($0)" } ?? "") + (digest.map { "@\($0)" } ?? "")
    }

    /// What to ask the registry for: the digest when pinned, else the tag, else `latest`.
    public var manifestReference: String { digest?.description ?? tag ?? "latest" }

    /// The host the distribution API is served from (Docker Hub's differs from its name).
    public var apiHost: String { registry == Self.dockerHub ? Self.dockerHubAPIHost : registry }

    /// The registry's host without its port (IPv6 without brackets).
    public var host: String { Self.hostPart(of: registry) }

    /// True for `localhost`, 127.0.0.0/8 and `::1` — registries spoken to over plain HTTP by default.
    public var isLoopback: Bool { Self.isLoopbackHost(registry) }

    /// The same repository at `tag` (the digest is dropped: it pins other content).
    public func withTag(_ tag: String) throws -> ImageReference {
        try ImageReference(registry: registry, repository: repository, tag: tag, digest: nil)
    }

    /// The same repository pinned to `digest` (the tag, if any, is kept for display).
    public func withDigest(_ digest: Digest) -> ImageReference {
        // Cannot fail: every part was validated when `self` was made.
        try! ImageReference(registry: registry, repository: repository, tag: tag, digest: digest)
    }

    /// The same repository without tag or digest.
    public var repositoryOnly: ImageReference {
        try! ImageReference(registry: registry, repository: repository)
    }
}

extension ImageReference {
    /// Splits off the first path component when it names a host: it has a `.` or a `:`, or is `localhost`.
    static func splitRegistry(_ name: Substring) -> (String, String) {
        guard let slash = name.firstIndex(of: "/") else { return (dockerHub, String(name)) }
        let first = name[..<slash]
        let isHost = first.contains(".") || first.contains(":") || first == "localhost" || first.hasPrefix("[")
        guard isHost else { return (dockerHub, String(name)) }
        return (String(first), String(name[name.index(after: slash)...]))
    }

    static func hostPart(of registry: String) -> String {
        if registry.hasPrefix("["), let close = registry.firstIndex(of: "]") {
            return String(registry[registry.index(after: registry.startIndex)..<close])
        }
        return registry.split(separator: ":", maxSplits: 1).first.map(String.init) ?? registry
    }

    static func isLoopbackHost(_ registry: String) -> Bool {
        let host = hostPart(of: registry).lowercased()
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// `domain-component ('.' domain-component)* (':' port)?`, or `[ipv6](:port)?`.
    static func isValidRegistry(_ registry: String) -> Bool {
        var host = Substring(registry)
        var port: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let inside = host[host.index(after: host.startIndex)..<close]
            guard !inside.isEmpty, inside.allSatisfy({ $0 == ":" || $0.isHexDigit }) else { return false }
            let after = host[host.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { return false }
            if !after.isEmpty { port = after.dropFirst() }
            host = ""
        } else if let colon = host.firstIndex(of: ":") {
            port = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        if let port, port.isEmpty || !port.allSatisfy(\.isASCIIDigit) { return false }
        if registry.hasPrefix("[") { return true }
        return !host.isEmpty && host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(isValidDomainComponent)
    }

    static func isValidDomainComponent(_ c: Substring) -> Bool {
        guard let first = c.first, let last = c.last, first.isASCIIAlphanumeric, last.isASCIIAlphanumeric else { return false }
        return c.allSatisfy { $0.isASCIIAlphanumeric || $0 == "-" }
    }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    static func isValidPathComponent(_ c: Substring) -> Bool {
        var separator = ""
        var sawAlnum = false
        for ch in c {
            if ch.isASCIIDigit || ("a"..."z").contains(ch) {
                guard separator.isEmpty || sawAlnum else { return false }
                if !separator.isEmpty, !isAllowedSeparator(separator) { return false }
                separator = ""
                sawAlnum = true
            } else if ch == "." || ch == "_" || ch == "-" {
                guard sawAlnum else { return false }
                separator.append(ch)
            } else {
                return false
            }
        }
        return sawAlnum && separator.isEmpty
    }

    static func isAllowedSeparator(_ s: String) -> Bool {
        s == "." || s == "_" || s == "__" || s.allSatisfy { $0 == "-" }
    }

    /// `[\w][\w.-]{0,127}`
    static func isValidTag(_ tag: String) -> Bool {
        guard let first = tag.first, tag.count <= 128, first.isWordCharacter else { return false }
        return tag.allSatisfy { $0.isWordCharacter || $0 == "." || $0 == "-" }
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    var isASCIIAlphanumeric: Bool { isASCIIDigit || ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isWordCharacter: Bool { isASCIIAlphanumeric || self == "_" }
}

/// Why a string is not an image reference; the message names the input and the rule it breaks.
public struct ReferenceError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case empty
        case missingRepository
        case uppercaseRepository
        case invalidPathComponent(String)
        case hexRepository
        case invalidRegistry(String)
        case invalidTag(String)
        case invalidDigest(String)
        case nameTooLong(Int)
    }

    public let reference: String
    public let reason: Reason

    public var description: String { "invalid reference \"\(reference)\": \(explanation)" }

    var explanation: String {
        switch reason {
        case .empty: return "reference is empty"
        case .missingRepository: return "repository name is missing"
        case .uppercaseRepository: return "repository name must be lowercase"
        case let .invalidPathComponent(c):
            return "repository path component \"\(c)\" must be lowercase letters and digits, separated by '.', '_', '__' or '-'"
        case .hexRepository: return "repository name cannot be a 64-character hex string (use @sha256:… for a digest)"
        case let .invalidRegistry(r): return "registry \"\(r)\" is not a valid host[:port]"
        case let .invalidTag(t): return "tag \"\(t)\" must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
        case let .invalidDigest(d): return "digest \"\(d)\" must be sha256:<64 lowercase hex> (or sha512:<128>)"
        case let .nameTooLong(n): return "name is \(n) characters long, the limit is \(ImageReference.maxNameLength)"
        }
    }
}
