import CoreMetrics
import PFSyncReplication
import Synchronization

/// Copies published ``ReplicationCounters`` into swift-metrics counters and gauges (through
/// the factory given, e.g. a Prometheus registry's). Counters advance by the difference
/// since the last copy, so the metrics backend sees monotonic counters.
public final class MetricsFeeder: Sendable {
    private struct Instruments {
        var counters: [CoreMetrics.Counter]
        var gauges: [CoreMetrics.Gauge]
        var actionsIn: [CoreMetrics.Counter]
        var actionsOut: [CoreMetrics.Counter]
        var tableStates: CoreMetrics.Gauge
        var last = ReplicationCounters()
    }

    private let instruments: Mutex<Instruments>

    /// Metric name of a counter: `pfsyncd_<snake_name>_total`.
    public static func name(of counter: ReplicationCounters.Counter) -> String { "pfsyncd_\(counter.name)_total" }
    /// Metric name of a gauge: `pfsyncd_<snake_name>`.
    public static func name(of gauge: ReplicationCounters.Gauge) -> String { "pfsyncd_\(gauge.name)" }

    /// Creates the instruments with `factory`.
    public init(factory: any MetricsFactory) {
        let counters = ReplicationCounters.Counter.allCases.map {
            CoreMetrics.Counter(label: Self.name(of: $0), factory: factory)
        }
        let gauges = ReplicationCounters.Gauge.allCases.map {
            CoreMetrics.Gauge(label: Self.name(of: $0), factory: factory)
        }
        let actionsIn = ReplicationCounters.actionNames.map {
            CoreMetrics.Counter(label: "pfsyncd_actions_total", dimensions: [("action", $0), ("direction", "in")], factory: factory)
        }
        let actionsOut = ReplicationCounters.actionNames.map {
            CoreMetrics.Counter(label: "pfsyncd_actions_total", dimensions: [("action", $0), ("direction", "out")], factory: factory)
        }
        let tableStates = CoreMetrics.Gauge(label: "pfsyncd_table_states", factory: factory)
        instruments = Mutex(
            Instruments(
                counters: counters, gauges: gauges, actionsIn: actionsIn, actionsOut: actionsOut,
                tableStates: tableStates))
    }

    /// Brings the metrics up to `counters` and the table size.
    public func update(_ counters: ReplicationCounters, tableStates: Int) {
        instruments.withLock { it in
            for counter in ReplicationCounters.Counter.allCases {
                let delta = counters[counter] &- it.last[counter]
                if counters[counter] >= it.last[counter], delta > 0 {
                    it.counters[counter.rawValue].increment(by: Int64(clamping: delta))
                }
            }
            for gauge in ReplicationCounters.Gauge.allCases {
                it.gauges[gauge.rawValue].record(Int64(clamping: counters[gauge]))
            }
            for index in ReplicationCounters.actionNames.indices {
                if counters.actionsIn[index] > it.last.actionsIn[index] {
                    it.actionsIn[index].increment(by: Int64(clamping: counters.actionsIn[index] - it.last.actionsIn[index]))
                }
                if counters.actionsOut[index] > it.last.actionsOut[index] {
                    it.actionsOut[index].increment(
                        by: Int64(clamping: counters.actionsOut[index] - it.last.actionsOut[index]))
                }
            }
            it.tableStates.record(Int64(tableStates))
            it.last = counters
        }
    }
}
