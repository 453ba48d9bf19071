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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // System libraries (apt: libpcap-dev, liblz4-dev).
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),

        // The state model and the sharded table. No I/O.
        .target(name: "PFSyncCore", swiftSettings: strict),

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

        // The daemon and its subcommands.
        .executableTarget(
            name: "pfsyncd",
            dependencies: [
                "PFSyncCore", "PFSyncWire", "PFSyncCapture", "PFSyncTracker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        .testTarget(name: "PFSyncCoreTests", dependencies: ["PFSyncCore"], swiftSettings: strict),
        .testTarget(name: "PFSyncWireTests", dependencies: ["PFSyncWire", "PFSyncCore"], swiftSettings: strict),
        .testTarget(name: "PFSyncCaptureTests", dependencies: ["PFSyncCapture", "PFSyncWire"], swiftSettings: strict),
        .testTarget(name: "PFSyncTrackerTests", dependencies: ["PFSyncTracker", "PFSyncCapture"], swiftSettings: strict),
        .testTarget(name: "PFSyncConfigTests", dependencies: ["PFSyncConfig"], swiftSettings: strict),
        .testTarget(name: "PFSyncReplicationTests", dependencies: ["PFSyncReplication"], swiftSettings: strict),
        .testTarget(name: "pfsyncdTests", dependencies: ["pfsyncd"], swiftSettings: strict),
    ]
)
