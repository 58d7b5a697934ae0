// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "docker-sync",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "docker-sync", targets: ["docker-sync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        // C libraries, each wrapped once by the Swift module named after it.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),

        .target(name: "HTTP", dependencies: ["CCurl", .product(name: "Logging", package: "swift-log")]),
        .target(name: "YAML", dependencies: ["CYAML"]),
        .target(name: "Redis", dependencies: ["CHiredis", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Config", dependencies: ["YAML"]),
        .target(name: "OCI", dependencies: [
            "HTTP",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "AWS", dependencies: ["HTTP", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Buckets", dependencies: [
            "HTTP", "AWS", "OCI",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Queue", dependencies: ["Redis", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Telemetry", dependencies: [
            "Config", "Queue",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "FlyingFox", package: "FlyingFox"),
        ]),
        .target(name: "Sync", dependencies: [
            "OCI", "Queue", "Config", "Telemetry",
            "Buckets", "AWS",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Fleet", dependencies: [
            "Sync", "Queue", "Config", "Telemetry",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "docker-sync", dependencies: [
            "Sync", "Fleet", "Config", "Telemetry", "Queue",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .executableTarget(name: "queue-bench", dependencies: ["Queue", "Redis"]),

        // Starts real services (redis-server, docker-registry, moto, nginx) for the tests.
        .target(name: "TestSupport", dependencies: [], exclude: ["Scripts"]),

        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport"]),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"]),
        .testTarget(name: "RedisTests", dependencies: ["Redis", "TestSupport"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config"]),
        .testTarget(name: "AWSTests", dependencies: ["AWS", "HTTP", "TestSupport"]),
        .testTarget(name: "OCITests", dependencies: ["OCI", "TestSupport"]),
        .testTarget(name: "BucketsTests", dependencies: ["Buckets", "AWS", "HTTP", "OCI", "TestSupport"]),
        .testTarget(name: "QueueTests", dependencies: ["Queue", "TestSupport"]),
        .testTarget(name: "SyncTests", dependencies: ["Sync", "OCI", "HTTP", "TestSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport"]),
        .testTarget(name: "FleetTests", dependencies: ["TestSupport", "Queue", "Redis"]),
        .testTarget(name: "TestSupportTests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
