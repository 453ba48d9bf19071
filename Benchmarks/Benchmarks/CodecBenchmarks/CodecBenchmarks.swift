import Benchmark
import PFSyncCore
import PFSyncWire

/// Messages per benchmark packet: a 64 KiB pfsync packet, decoded or encoded whole.
let packetLength = 65_000

func sampleState(_ index: Int) -> PFState {
    let key = StateKey(
        addr0: IPAddress(ipv4: 0x0A00_0000 | UInt32(index & 0xFFFF)), addr1: IPAddress(ipv4: 0xC000_0201),
        port0: UInt16(truncatingIfNeeded: 1024 + index), port1: 443)
    var state = PFState(identity: StateID(id: UInt64(index) << 8 | 0x5A, creatorID: 0x0A00_0001), proto: 6, wireKey: key)
    state.src = StatePeer(seqLo: UInt32(truncatingIfNeeded: index &* 7919), seqHi: 1_000_000, maxWin: 65535, mss: 1460, state: 4, wscale: 7)
    state.dst = StatePeer(seqLo: UInt32(truncatingIfNeeded: index &* 104_729), seqHi: 2_000_000, maxWin: 65535, mss: 1460, state: 4, wscale: 7)
    state.packets = CounterPair(UInt64(index), UInt64(index) * 2)
    state.bytes = CounterPair(UInt64(index) * 1400, UInt64(index) * 90)
    state.expire = 86_400
    state.timeout = 2
    state.ifname = InterfaceName("vtnet0")
    return state
}

func message(_ kind: String, _ index: Int) -> PFSyncMessage {
    let state = sampleState(index)
    switch kind {
    case "UPD_C":
        return .compressedUpdate(CompressedUpdate(identity: state.identity, src: state.src, dst: state.dst, expire: 86_400, timeout: 2))
    case "DEL_C":
        return .compressedDelete(state.identity)
    case "INS_1400":
        return .insert(state, .freeBSD1400)
    case "UPD_1301":
        return .update(state, .freeBSD1301)
    case "UPD_1500":
        return .update(state, .freeBSD1500)
    default:
        return .insert(state, .openBSD)
    }
}

/// One packet full of `kind` messages, and how many it holds.
func packet(_ kind: String, version: PFSyncVersion = .freeBSD, encoding: StateEncoding = .freeBSD1400) -> ([UInt8], Int) {
    var writer = PFSyncPacketWriter(version: version, encoding: encoding, maxLength: packetLength)
    var count = 0
    while writer.append(message(kind, count)) { count += 1 }
    return (writer.finish(), count)
}

let kinds: [(String, PFSyncVersion, StateEncoding)] = [
    ("UPD_C", .freeBSD, .freeBSD1400), ("DEL_C", .freeBSD, .freeBSD1400), ("INS_1400", .freeBSD, .freeBSD1400),
    ("UPD_1301", .freeBSD, .freeBSD1301), ("UPD_1500", .freeBSD, .freeBSD1500), ("INS_v6", .openBSD, .openBSD),
]

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(2)

    for (kind, version, encoding) in kinds {
        Benchmark(
            "decode \(kind) (messages)",
            configuration: .init(metrics: [.throughput, .mallocCountTotal], scalingFactor: .kilo)
        ) { benchmark, input in
            let bytes = input.0
            let wanted = benchmark.scaledIterations.count
            var decoded = 0
            benchmark.startMeasurement()
            bytes.withUnsafeBytes { raw in
                do throws(PFSyncError) {
                    while decoded < wanted {
                        var reader = try PFSyncPacketReader(raw)
                        while decoded < wanted, let message = try reader.next() {
                            decoded += 1
                            blackHole(message)
                        }
                    }
                } catch {
                    fatalError("benchmark input does not decode: \(error)")
                }
            }
            benchmark.stopMeasurement()
            blackHole(decoded)
        } setup: {
            packet(kind, version: version, encoding: encoding)
        }

        Benchmark(
            "encode \(kind) (messages)",
            configuration: .init(metrics: [.throughput, .mallocCountTotal], scalingFactor: .kilo)
        ) { benchmark, messages in
            var writer = PFSyncPacketWriter(version: version, encoding: encoding, maxLength: packetLength)
            var index = 0
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                if !writer.append(messages[index]) {
                    writer.finish { blackHole($0.count) }
                    _ = writer.append(messages[index])
                }
                index = index + 1 == messages.count ? 0 : index + 1
            }
        } setup: {
            (0..<1024).map { message(kind, $0) }
        }
    }

    // A 1472-byte datagram's worth of UPD_C after compression, sealed and opened.
    Benchmark(
        "frame seal (LZ4 + HMAC-SHA256) of UPD_C batches (frames)",
        configuration: .init(metrics: [.throughput, .mallocCountTotal], scalingFactor: .kilo)
    ) { benchmark, payload in
        var sealer = SyncFrameSealer(key: try! SyncKey(bytes: [UInt8](repeating: 7, count: 32)), senderID: 1, epoch: 1)
        var sequence: UInt64 = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            sequence += 1
            let frame = try? payload.withUnsafeBytes { try sealer.seal(kind: .data, sequence: sequence, payload: $0) }
            blackHole(frame?.count)
        }
    } setup: {
        framePayload()
    }

    Benchmark(
        "frame open (HMAC verify + LZ4) of UPD_C batches (frames)",
        configuration: .init(metrics: [.throughput, .mallocCountTotal], scalingFactor: .kilo)
    ) { (benchmark: Benchmark, frame: [UInt8]) in
        var opener = SyncFrameOpener(key: try! SyncKey(bytes: [UInt8](repeating: 7, count: 32)))
        benchmark.startMeasurement()
        frame.withUnsafeBytes { raw in
            for _ in benchmark.scaledIterations {
                blackHole(try? opener.open(raw).header.rawLength)
            }
        }
    } setup: { () -> [UInt8] in
        var sealer = SyncFrameSealer(key: try! SyncKey(bytes: [UInt8](repeating: 7, count: 32)), senderID: 1, epoch: 1)
        let payload = framePayload()
        return Array(try! payload.withUnsafeBytes { try sealer.seal(kind: .data, sequence: 1, payload: $0) })
    }
}

/// The largest UPD_C batch whose compressed frame still fits the default datagram.
func framePayload() -> [UInt8] {
    var sealer = SyncFrameSealer(key: try! SyncKey(bytes: [UInt8](repeating: 7, count: 32)), senderID: 1, epoch: 1)
    var best: [UInt8] = []
    var count = 8
    while true {
        var writer = PFSyncPacketWriter(version: .freeBSD, maxLength: 65_000)
        for index in 0..<count { _ = writer.append(message("UPD_C", index)) }
        let bytes = writer.finish()
        guard (try? bytes.withUnsafeBytes({ try sealer.seal(kind: .data, sequence: 1, payload: $0) })) != nil else { return best }
        best = bytes
        count += 4
    }
}
