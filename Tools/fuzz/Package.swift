// swift-tools-version:6.1
// libFuzzer targets for pfsyncd, kept out of the main build. See run.sh.
import PackageDescription

let package = Package(
    name: "pfsyncd-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "pfsyncd", path: "../..")],
    targets: [
        .executableTarget(
            name: "FuzzSyncFrame",
            dependencies: [.product(name: "PFSyncWire", package: "pfsyncd"), .product(name: "PFSyncCore", package: "pfsyncd")],
            swiftSettings: [
                .swiftLanguageMode(.v6),
                // libFuzzer supplies main(); the entry point is LLVMFuzzerTestOneInput.
                .unsafeFlags(["-parse-as-library"]),
            ]
        ),
        .executableTarget(
            name: "FuzzPacket",
            dependencies: [
                .product(name: "PFSyncCapture", package: "pfsyncd"), .product(name: "PFSyncCore", package: "pfsyncd"),
                .product(name: "PFSyncTracker", package: "pfsyncd"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6), .unsafeFlags(["-parse-as-library"])]
        ),
        .executableTarget(
            name: "FuzzEngine",
            dependencies: [
                .product(name: "PFSyncCore", package: "pfsyncd"), .product(name: "PFSyncWire", package: "pfsyncd"),
                .product(name: "PFSyncReplication", package: "pfsyncd"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6), .unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
