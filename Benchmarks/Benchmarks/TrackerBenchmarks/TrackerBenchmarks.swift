import Benchmark
import PFSyncCapture
import PFSyncCore
import PFSyncTracker

/// The capture replayed: the shared corpus' HTTP capture, or the project's own fixture
/// when /work/shared is absent.
let capturePath: String = {
    let shared = "/work/shared/pcaps/netns__http-2k.pcap"
    if (try? PcapFileSource(path: shared)) != nil { return shared }
    let sources = String(#filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(4).joined(separator: "/"))
    return sources + "/Tests/Fixtures/captures/netns-mixed.pcap"
}()

/// Every packet of the capture, parsed up front: the benchmark times only the tracker.
let packets: [ParsedPacket] = {
    guard let source = try? PcapFileSource(path: capturePath) else {
        fatalError("TrackerBenchmarks: cannot open \(capturePath)")
    }
    let parser = PacketParser(linkType: source.linkType)
    var parsed: [ParsedPacket] = []
    var packet = ParsedPacket()
    source.forEach { header, bytes in
        parser.parse(bytes, header: header, into: &packet)
        parsed.append(packet)
    }
    return parsed
}()

/// A fresh table sized for the capture's flows (no growth during the timed loop) and a
/// tracker starting at the first packet's time, following packet time as file replay does.
func freshTracker(sloppy: Bool) -> Tracker {
    let table = StateTable(initialCapacityPerShard: 4096)
    return Tracker(table: table, config: TrackerConfig(sloppy: sloppy), startTime: packets.first?.seconds ?? 0)
}

/// Runs every packet through `tracker`; returns a checksum so the work cannot be elided.
@inline(never)
func replay(_ tracker: inout Tracker) -> Int {
    var created = 0
    for packet in packets where tracker.process(packet) == .created {
        created &+= 1
    }
    return created
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(5)
    Benchmark.defaultConfiguration.maxIterations = 200
    let name = capturePath.split(separator: "/").last.map(String.init) ?? capturePath
    print("TrackerBenchmarks: \(packets.count) packets from \(capturePath); packets/s = \(packets.count) x throughput (replays/s)")

    for sloppy in [false, true] {
        Benchmark(
            "Tracker.process, one replay of \(name) (\(packets.count) packets), \(sloppy ? "sloppy" : "strict"), 1 thread",
            configuration: .init(metrics: [.throughput, .wallClock, .mallocCountTotal])
        ) { benchmark in
            var tracker = freshTracker(sloppy: sloppy)
            benchmark.startMeasurement()
            blackHole(replay(&tracker))
            benchmark.stopMeasurement()
            blackHole(tracker.summary)
        }
    }
}
