#if canImport(Glibc)
import Glibc
#endif
import PFSyncCore
import PFSyncWire

/// `PFSYNCD_FUZZ_WRITE_SEEDS=DIR FuzzSyncFrame` writes the seed corpus to DIR and exits:
/// valid frames of every kind (compressed and not, sealed with the fuzz key) and plain
/// pfsync packets.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    guard let directory = getenv("PFSYNCD_FUZZ_WRITE_SEEDS").map({ String(cString: $0) }) else {
        return 0
    }
    var seeds: [(String, [UInt8])] = []
    for (name, packet) in SeedPackets.all {
        seeds.append(("pfsync-\(name)", packet))
        for compression in [SyncFrameCompression.never, .whenSmaller] {
            var seedSealer = SyncFrameSealer(
                key: fuzzKey(), senderID: 7, epoch: 3, maxDatagramSize: 9_000,
                compression: compression)
            if let frame = try? seedSealer.seal(kind: .data, sequence: 1, payload: packet) {
                seeds.append(("frame-data-\(name)-\(compression)", Array(frame)))
            }
        }
    }
    if let (name, packet) = SeedPackets.all.first {
        var deltaSealer = SyncFrameSealer(key: fuzzKey(), senderID: 7, epoch: 3, maxDatagramSize: 9_000)
        let withDeltas = packet + deltaSection()
        seeds.append(("pfsync-\(name)-deltas", withDeltas))
        if let frame = try? deltaSealer.seal(kind: .data, sequence: 1, payload: withDeltas) {
            seeds.append(("frame-data-\(name)-deltas", Array(frame)))
        }
    }
    var payload: [UInt8] = []
    var controlSealer = SyncFrameSealer(key: fuzzKey(), senderID: 7, epoch: 3)
    SyncSequenceRanges.encode([1...3, 7...7, 10...20], into: &payload)
    for kind in [SyncFrameKind.ack, .nack] {
        if let frame = try? controlSealer.seal(kind: kind, sequence: 20, payload: payload) {
            seeds.append(("frame-\(kind)", Array(frame)))
        }
    }
    SyncKeepalive(intervalMilliseconds: 1_000).encode(into: &payload)
    if let frame = try? controlSealer.seal(kind: .keepalive, sequence: 20, payload: payload) {
        seeds.append(("frame-keepalive", Array(frame)))
    }
    SyncHello(options: [.bulkRequest], maxDatagramSize: 1_472, keepaliveMilliseconds: 1_000)
        .encode(into: &payload)
    if let frame = try? controlSealer.seal(kind: .hello, sequence: 0, payload: payload) {
        seeds.append(("frame-hello", Array(frame)))
    }
    for (name, bytes) in seeds {
        let path = directory + "/" + name
        guard let file = fopen(path, "wb") else { fatalError("cannot write \(path)") }
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
    }
    print("wrote \(seeds.count) seeds to \(directory)")
    exit(0)
}

/// A delta section of three records: sequence numbers and counters; every field; a record
/// of another creator.
func deltaSection() -> [UInt8] {
    var first = DeltaUpdate(identity: StateID(id: 0x1000, creatorID: 7), version: 2)
    first.fields = [.srcSeqLo, .dstSeqHi, .packets, .bytes, .expire]
    (first.srcSeqLo, first.dstSeqHi, first.expire) = (1_448, 0xFFFF_F000, 86_400)
    first.packets = CounterPair(1, 2)
    first.bytes = CounterPair(1_500, 60)
    var second = DeltaUpdate(identity: StateID(id: 0x0F00, creatorID: 7), version: 200)
    second.fields = DeltaFields.known.subtracting(.creator)
    second.srcOther.state = 4
    second.dstOther.wscale = 0x8A
    second.srcMaxWin = 65_535
    second.timeout = 2
    var third = DeltaUpdate(identity: StateID(id: 1, creatorID: 9), version: 0)
    third.fields = [.timeout]
    let updates = [first, second, third]
    var bytes = [UInt8](repeating: 0, count: DeltaSection.headerSize + updates.count * DeltaSection.maxRecordSize)
    var context = DeltaContext()
    let end = bytes.withUnsafeMutableBytes { buffer -> Int in
        guard let base = buffer.baseAddress else { return 0 }
        DeltaSection.writeHeader(count: updates.count, into: base, at: 0)
        var offset = DeltaSection.headerSize
        for update in updates { offset = DeltaSection.encode(update, context: &context, into: base, at: offset) }
        return offset
    }
    return Array(bytes[..<end])
}
