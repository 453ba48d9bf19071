import Foundation
import PFSyncReplication
import Prometheus
import Testing
@testable import PFSyncDaemon

/// The Prometheus text for a fixed counter set, byte for byte against a golden file
/// (families and samples sorted: the registry's own order is not defined).
@Suite struct MetricsExpositionTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/metrics.prom")

    static func fixedCounters(scale: UInt64) -> ReplicationCounters {
        var counters = ReplicationCounters()
        for counter in ReplicationCounters.Counter.allCases { counters[counter] = UInt64(counter.rawValue + 1) * scale }
        counters[.queueDepth] = 5
        counters[.lagMicroseconds] = 120
        counters.countAction(1, incoming: true, 3 * scale)
        counters.countAction(4, incoming: false, 11 * scale)
        return counters
    }

    /// Families sorted by name, samples sorted within each.
    static func normalized(_ text: String) -> String {
        var families: [(String, [String])] = []
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("# TYPE") {
                families.append((line, []))
            } else if !line.hasPrefix("#"), !families.isEmpty {
                families[families.count - 1].1.append(line)
            }
        }
        return families.sorted { $0.0 < $1.0 }.map { ([$0.0] + $0.1.sorted()).joined(separator: "\n") }
            .joined(separator: "\n") + "\n"
    }

    @Test func expositionMatchesTheGoldenText() throws {
        let registry = PrometheusCollectorRegistry()
        let feeder = MetricsFeeder(factory: PrometheusMetricsFactory(registry: registry))
        // Two updates: counters must advance by the difference, to the second value.
        feeder.update(Self.fixedCounters(scale: 1), tableStates: 7)
        feeder.update(Self.fixedCounters(scale: 2), tableStates: 42)
        let text = Self.normalized(registry.emitToString())
        if ProcessInfo.processInfo.environment["PFSYNCD_UPDATE_GOLDEN"] == "1" {
            try text.write(to: Self.golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: Self.golden, encoding: .utf8)
        #expect(text == expected)
    }

    @Test func namesFollowPrometheusConventions() {
        #expect(MetricsFeeder.name(of: .badauth) == "pfsyncd_badauth_total")
        #expect(MetricsFeeder.name(of: .framesSent) == "pfsyncd_frames_sent_total")
        #expect(MetricsFeeder.name(of: .queueDepth) == "pfsyncd_queue_depth")
    }
}
