import YAML

extension ConfigDecoder {
    mutating func decodeSync(_ m: ConfigMapping) throws -> SyncConfig {
        var m = m
        var sync = SyncConfig()
        if let images = try m.list("images") {
            sync.images = try images.enumerated().map { try decodeImage($1, path: m.childPath("images") + "[\($0)]") }
        }
        sync.interval = try m.duration("interval") ?? sync.interval
        sync.maxErrors = try m.int("maxerrors", atLeast: 0) ?? sync.maxErrors
        if let registries = try m.list("registries") {
            sync.registries = try registries.enumerated().map {
                try decodeRegistry($1, path: m.childPath("registries") + "[\($0)]")
            }
        }
        if let retry = try m.mapping("retry") { sync.retry = try decodeRetry(retry) }
        if let concurrency = try m.mapping("concurrency") { sync.concurrency = try decodeConcurrency(concurrency) }
        finish(m)
        return sync
    }

    private mutating func decodeImage(_ node: YAMLNode, path: String) throws -> ImageConfig {
        var m = try ConfigMapping(node, path: path)
        let source = try m.string("source") ?? ""
        guard !source.trimmingSpaces().isEmpty else {
            throw ConfigError(mark: node.mark, keyPath: path, message: "each image needs a source (the repository to copy from)")
        }
        let targets = try m.stringList("targets") ?? []
        guard !targets.isEmpty else {
            throw ConfigError(mark: node.mark, keyPath: path, message: "image \(source) needs at least one target under 'targets:'")
        }
        var image = ImageConfig(source: source, targets: targets)
        image.tags = try m.stringList("tags") ?? []
        image.mutableTags = try m.stringList("mutabletags") ?? []
        image.ignoredTags = try m.stringList("ignoredtags") ?? []
        image.purge = try m.bool("purge") ?? false
        finish(m)
        return image
    }

    private mutating func decodeRegistry(_ node: YAMLNode, path: String) throws -> RegistryConfig {
        var m = try ConfigMapping(node, path: path)
        let url = try m.string("url") ?? ""
        guard !url.trimmingSpaces().isEmpty else {
            throw ConfigError(mark: node.mark, keyPath: path, message: "each registry needs a url, e.g. docker.io, ghcr.io/org or r2:<account>:<bucket>")
        }
        var registry = RegistryConfig(name: try m.string("name") ?? "", url: url)
        if var auth = try m.mapping("auth") {
            registry.auth.username = try auth.string("username") ?? ""
            registry.auth.password = try auth.string("password") ?? ""
            registry.auth.token = try auth.string("token") ?? ""
            registry.auth.helper = try auth.string("helper") ?? ""
            finish(auth)
        }
        registry.insecure = try m.bool("insecure") ?? false
        registry.ca = try m.string("ca").flatMap { $0.isEmpty ? nil : $0 }
        registry.endpoint = try m.string("endpoint").flatMap { $0.isEmpty ? nil : $0 }
        finish(m)
        return registry
    }

    private mutating func decodeRetry(_ m: ConfigMapping) throws -> RetryConfig {
        var m = m
        var retry = RetryConfig()
        retry.attempts = try m.int("attempts", atLeast: 1) ?? retry.attempts
        retry.initialBackoff = try m.duration("initialbackoff") ?? retry.initialBackoff
        retry.maxBackoff = try m.duration("maxbackoff") ?? retry.maxBackoff
        if retry.maxBackoff < retry.initialBackoff, let node = m.node("maxbackoff") ?? m.node("initialbackoff") {
            throw ConfigError(mark: node.mark, keyPath: m.childPath("maxbackoff"),
                              message: "maxbackoff (\(retry.maxBackoff)) must not be shorter than initialbackoff (\(retry.initialBackoff))")
        }
        finish(m)
        return retry
    }

    private mutating func decodeConcurrency(_ m: ConfigMapping) throws -> ConcurrencyConfig {
        var m = m
        var concurrency = ConcurrencyConfig()
        concurrency.tags = try m.int("tags", atLeast: 1) ?? concurrency.tags
        concurrency.blobs = try m.int("blobs", atLeast: 1) ?? concurrency.blobs
        concurrency.perRegistry = try m.int("perregistry", atLeast: 1) ?? concurrency.perRegistry
        finish(m)
        return concurrency
    }
}
