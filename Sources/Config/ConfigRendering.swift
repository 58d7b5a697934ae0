import YAML

extension Config {
    /// The configuration as YAML, in the layout of the original tool's `writeConfig`
    /// (lowercase keys, sorted, sequences indented under their key), new keys included.
    /// Loading the result gives back an equal `Config`.
    public func renderYAML() -> String {
        YAMLEmitter.emit(yamlNode)
    }

    var yamlNode: YAMLNode {
        .mapping([
            "ecr": .mapping(["region": .scalar(ecr.region)]),
            "logging": logging.yamlNode,
            "redis": redis.yamlNode,
            "sync": sync.yamlNode,
            "telemetry": telemetry.yamlNode,
        ])
    }
}

/// Plain (unquoted) scalars for values that are not strings.
private func plain(_ value: some CustomStringConvertible) -> YAMLNode {
    .scalar(value.description, style: .plain)
}

private func strings(_ values: [String]) -> YAMLNode {
    .sequence(values.map { .scalar($0) })
}

private extension LoggingConfig {
    var yamlNode: YAMLNode {
        .mapping([
            "colors": plain(colors),
            "format": .scalar(format.rawValue),
            "level": .scalar(level.configValue),
            "output": .scalar(output.configValue),
            "timeformat": .scalar(timeFormat),
        ])
    }
}

private extension RedisConfig {
    var yamlNode: YAMLNode {
        .mapping([
            "deadletters": .mapping(["max": plain(deadLetters.max), "maxage": plain(deadLetters.maxAge)]),
            "leasettl": plain(leaseTTL),
            "prefix": .scalar(prefix),
            "url": .scalar(url),
        ])
    }
}

private extension SyncConfig {
    var yamlNode: YAMLNode {
        .mapping([
            "concurrency": .mapping([
                "blobs": plain(concurrency.blobs),
                "perregistry": plain(concurrency.perRegistry),
                "tags": plain(concurrency.tags),
            ]),
            "images": .sequence(images.map(\.yamlNode)),
            "interval": plain(interval),
            "maxerrors": plain(maxErrors),
            "registries": .sequence(registries.map(\.yamlNode)),
            "retry": .mapping([
                "attempts": plain(retry.attempts),
                "initialbackoff": plain(retry.initialBackoff),
                "maxbackoff": plain(retry.maxBackoff),
            ]),
        ])
    }
}

private extension ImageConfig {
    /// `source` and `targets` always; the tag lists and `purge` only when set.
    var yamlNode: YAMLNode {
        var pairs = [
            YAMLPair(key: .scalar("source"), value: .scalar(source)),
            YAMLPair(key: .scalar("targets"), value: strings(targets)),
        ]
        let optional: [(String, YAMLNode, Bool)] = [
            ("tags", strings(tags), !tags.isEmpty),
            ("mutabletags", strings(mutableTags), !mutableTags.isEmpty),
            ("ignoredtags", strings(ignoredTags), !ignoredTags.isEmpty),
            ("purge", plain(purge), purge),
        ]
        for (key, value, present) in optional where present {
            pairs.append(YAMLPair(key: .scalar(key), value: value))
        }
        return .mapping(pairs)
    }
}

private extension RegistryConfig {
    var yamlNode: YAMLNode {
        .mapping([
            "auth": .mapping([
                "helper": .scalar(auth.helper),
                "password": .scalar(auth.password),
                "token": .scalar(auth.token),
                "username": .scalar(auth.username),
            ]),
            "ca": .scalar(ca ?? ""),
            "endpoint": .scalar(endpoint ?? ""),
            "insecure": plain(insecure),
            "name": .scalar(name),
            "url": .scalar(url),
        ])
    }
}

private extension TelemetryConfig {
    var yamlNode: YAMLNode {
        .mapping([
            "enabled": plain(enabled),
            "metrics": .mapping([
                "exporter": .scalar(metrics.exporter.rawValue),
                "prometheus": .mapping([
                    "address": .scalar(metrics.prometheus.address),
                    "path": .scalar(metrics.prometheus.path),
                ]),
                "stdout": .mapping(["interval": plain(metrics.stdout.interval)]),
            ]),
        ])
    }
}
