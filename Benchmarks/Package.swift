// swift-tools-version:6.1
// Benchmarks live in their own package so that the main build stays lean (as swift-nio does).
// Run: cd Benchmarks && swift package --disable-sandbox benchmark
import PackageDescription

let package = Package(
    name: "pfsyncd-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "pfsyncd", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "TableBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PFSyncCore", package: "pfsyncd"),
            ],
            path: "Benchmarks/TableBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "CodecBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PFSyncCore", package: "pfsyncd"),
                .product(name: "PFSyncWire", package: "pfsyncd"),
            ],
            path: "Benchmarks/CodecBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "TrackerBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PFSyncCore", package: "pfsyncd"),
                .product(name: "PFSyncCapture", package: "pfsyncd"),
                .product(name: "PFSyncTracker", package: "pfsyncd"),
            ],
            path: "Benchmarks/TrackerBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ReplicationBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PFSyncCore", package: "pfsyncd"),
                .product(name: "PFSyncWire", package: "pfsyncd"),
                .product(name: "PFSyncReplication", package: "pfsyncd"),
            ],
            path: "Benchmarks/ReplicationBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "TwoDaemonBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/TwoDaemonBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
