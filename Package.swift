// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "pfsyncd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pfsyncd", targets: ["pfsyncd"]),
        .library(name: "PFSyncCore", targets: ["PFSyncCore"]),
        .library(name: "PFSyncWire", targets: ["PFSyncWire"]),
        .library(name: "PFSyncCapture", targets: ["PFSyncCapture"]),
        .library(name: "PFSyncTracker", targets: ["PFSyncTracker"]),
        .library(name: "PFSyncReplication", targets: ["PFSyncReplication"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
    ],
    targets: [
        // System libraries (apt: libpcap-dev, liblz4-dev).
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),

        // Cache prefetch hints (static inline C) for the table's batched lookups.
        .target(name: "CMemoryHints"),

        // The state model and the sharded table. No I/O.
        .target(name: "PFSyncCore", dependencies: ["CMemoryHints"], swiftSettings: strict),

        // pfsync codec and the pfsyncd sync frame (LZ4 + HMAC). No I/O.
        .target(
            name: "PFSyncWire",
            dependencies: [
                "PFSyncCore", "CLZ4",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),

        // libpcap packet sources and packet parsing.
        .target(name: "PFSyncCapture", dependencies: ["CPcap", "PFSyncCore"], swiftSettings: strict),

        // The daemon's configuration file (a strict TOML subset) and its validation.
        .target(name: "PFSyncConfig", swiftSettings: strict),

        // The pf-like connection tracker: packets in, state changes out. No I/O.
        .target(name: "PFSyncTracker", dependencies: ["PFSyncCore"], swiftSettings: strict),

        // Replication logic without I/O: reliable delivery windows, pfsync merge rules,
        // batching and bulk update.
        .target(name: "PFSyncReplication", dependencies: ["PFSyncCore", "PFSyncWire"], swiftSettings: strict),

        // CARP v2 without I/O: the advertisement codec (HMAC-SHA1 as OpenBSD and UCarp
        // compute it), the election state machine, demotion.
        .target(
            name: "PFSyncCARP",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),

        // The running daemon: sync transport (SwiftNIO), capture threads, control socket,
        // metrics, as swift-service-lifecycle services.
        .target(
            name: "PFSyncDaemon",
            dependencies: [
                "PFSyncCore", "PFSyncWire", "PFSyncCapture", "PFSyncTracker", "PFSyncConfig",
                "PFSyncReplication", "PFSyncCARP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),

        // The daemon and its subcommands.
        .executableTarget(
            name: "pfsyncd",
            dependencies: [
                "PFSyncCore", "PFSyncWire", "PFSyncCapture", "PFSyncTracker", "PFSyncConfig",
                "PFSyncDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // The load-test tool: replays a capture through a primary/backup pair, fails the
        // primary over, and reports updates/s and sessions lost.
        .executableTarget(
            name: "pfsync-replay",
            dependencies: [
                "PFSyncCore", "PFSyncCapture", "PFSyncTracker", "PFSyncDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/pfsync-replay",
            swiftSettings: strict
        ),

        .testTarget(name: "PFSyncCoreTests", dependencies: ["PFSyncCore"], swiftSettings: strict),
        .testTarget(name: "PFSyncWireTests", dependencies: ["PFSyncWire", "PFSyncCore"], swiftSettings: strict),
        .testTarget(name: "PFSyncCaptureTests", dependencies: ["PFSyncCapture", "PFSyncWire"], swiftSettings: strict),
        .testTarget(name: "PFSyncTrackerTests", dependencies: ["PFSyncTracker", "PFSyncCapture"], swiftSettings: strict),
        .testTarget(name: "PFSyncConfigTests", dependencies: ["PFSyncConfig"], swiftSettings: strict),
        .testTarget(name: "PFSyncReplicationTests", dependencies: ["PFSyncReplication"], swiftSettings: strict),
        .testTarget(
            name: "PFSyncDaemonTests",
            dependencies: [
                "PFSyncDaemon", "PFSyncReplication", "PFSyncCore", "PFSyncConfig", "PFSyncTracker",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            exclude: ["Golden"],
            swiftSettings: strict
        ),
        .testTarget(name: "PFSyncCARPTests", dependencies: ["PFSyncCARP"], swiftSettings: strict),
        // Runs the built pfsync-replay and pfsyncd (dependencies so that both are built).
        .testTarget(name: "PFSyncReplayTests", dependencies: ["pfsync-replay", "pfsyncd"], swiftSettings: strict),
        .testTarget(name: "pfsyncdTests", dependencies: ["pfsyncd", "PFSyncWire", "PFSyncCore"], swiftSettings: strict),
    ]
)
