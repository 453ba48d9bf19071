#if canImport(Glibc)
import Glibc
#endif
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
