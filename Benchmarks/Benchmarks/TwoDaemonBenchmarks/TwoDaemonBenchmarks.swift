import Benchmark
import Foundation

/// Replication between TWO `pfsyncd run` processes over loopback UDP. The measuring is done
/// by `Tools/bench-two-daemons.sh` (one scenario per sample; build the release binary
/// first: `swift build -c release --product pfsyncd`, or point PFSYNCD at it); this target
/// reports its figures as package-benchmark metrics, so both give the same numbers.

/// The checkout's root (this file is Benchmarks/Benchmarks/TwoDaemonBenchmarks/...).
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs one scenario of the script and returns its JSON object.
func runScenario(_ scenario: String, environment extra: [String: String] = [:]) -> [String: Any] {
    let process = Process()
    process.executableURL = repositoryRoot.appendingPathComponent("Tools/bench-two-daemons.sh")
    process.arguments = [scenario]
    var environment = ProcessInfo.processInfo.environment
    if environment["PFSYNCD"] == nil {
        environment["PFSYNCD"] = repositoryRoot.appendingPathComponent(".build/release/pfsyncd").path
    }
    for (key, value) in extra { environment[key] = value }
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    do {
        try process.run()
    } catch {
        fatalError("cannot run Tools/bench-two-daemons.sh: \(error)")
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else {
        fatalError("bench-two-daemons.sh \(scenario) failed (status \(process.terminationStatus))")
    }
    return object
}

func number(_ object: [String: Any], _ key: String) -> Double {
    (object[key] as? NSNumber)?.doubleValue ?? 0
}

let appliedPerSecond = BenchmarkMetric.custom("updates applied at the backup per s", polarity: .prefersLarger, useScalingFactor: false)
let cpuPerUpdate = BenchmarkMetric.custom("CPU ns per update, both daemons", polarity: .prefersSmaller, useScalingFactor: false)
let wirePerUpdate = BenchmarkMetric.custom("wire bytes per update (x10)", polarity: .prefersSmaller, useScalingFactor: false)
let bulkStatesPerSecond = BenchmarkMetric.custom("bulk states per s", polarity: .prefersLarger, useScalingFactor: false)
let bulkMilliseconds = BenchmarkMetric.custom("bulk duration ms", polarity: .prefersSmaller, useScalingFactor: false)
let wirePerState = BenchmarkMetric.custom("wire bytes per bulk state (x10)", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(120)
    Benchmark.defaultConfiguration.maxIterations = 1
    let mtus = ProcessInfo.processInfo.environment["MTUS"].map { $0.split(separator: ",").map(String.init) } ?? ["1500", "9000"]

    for mtu in mtus {
        Benchmark(
            "two daemons: synthetic updates, 100k states, MTU \(mtu)",
            configuration: .init(metrics: [appliedPerSecond, cpuPerUpdate, wirePerUpdate], maxIterations: 1)
        ) { benchmark in
            let result = runScenario("updates", environment: ["MTU": mtu])
            benchmark.measurement(appliedPerSecond, Int(number(result, "applied_per_s")))
            benchmark.measurement(cpuPerUpdate, Int(number(result, "cpu_us_per_update") * 1000))
            benchmark.measurement(wirePerUpdate, Int(number(result, "wire_bytes_per_update") * 10))
        }

        for (scenario, label) in [("bulk", "bulk of 1M states"), ("bulk-loss", "bulk of 1M states, 5% loss")] {
            Benchmark(
                "two daemons: \(label), MTU \(mtu)",
                configuration: .init(metrics: [bulkStatesPerSecond, bulkMilliseconds, wirePerState], maxIterations: 1)
            ) { benchmark in
                let result = runScenario(scenario, environment: ["MTU": mtu])
                precondition(result["completed"] as? Bool == true, "the bulk did not complete")
                benchmark.measurement(bulkStatesPerSecond, Int(number(result, "states_per_s")))
                benchmark.measurement(bulkMilliseconds, Int(number(result, "duration_ms")))
                benchmark.measurement(wirePerState, Int(number(result, "wire_bytes_per_state") * 10))
            }
        }
    }
}
