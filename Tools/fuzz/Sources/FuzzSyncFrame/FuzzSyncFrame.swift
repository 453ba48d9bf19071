import PFSyncCore
import PFSyncWire

/// The fixed key the keyed opener and the round-trip sealer use (seeds are sealed with it).
let fuzzKeyBytes: [UInt8] = Array("pfsyncd-fuzz-key-0123456789abcdef".utf8)

// libFuzzer calls the entry point from one thread; these hold reusable buffers across runs.
nonisolated(unsafe) var keyedOpener = SyncFrameOpener(key: fuzzKey())
nonisolated(unsafe) var keylessOpener = SyncFrameOpener(key: nil)
nonisolated(unsafe) var sealer = SyncFrameSealer(
    key: fuzzKey(), senderID: 0x5046_5344, epoch: 1, maxDatagramSize: 9_000)
nonisolated(unsafe) var ranges: [ClosedRange<UInt64>] = []

func fuzzKey() -> SyncKey {
    do {
        return try SyncKey(bytes: fuzzKeyBytes)
    } catch {
        fatalError("fuzz key rejected: \(error)")
    }
}

/// One input, four ways in:
/// 1. as a pfsync packet (the codec's decoder);
/// 2. as a datagram for the keyed opener;
/// 3. as a datagram for the keyless opener, whose payloads then go to the pfsync decoder
///    or the control-payload decoders (so fuzzing reaches LZ4 and the payload parsers);
/// 4. as a raw payload sealed and reopened, which must give the same bytes back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSyncFrame(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)

    decodePFSync(input)

    _ = try? keyedOpener.open(input)

    if let frame = try? keylessOpener.open(input) {
        frame.payload.withUnsafeBytes { payload in
            decodePayload(payload, kind: frame.header.kind)
        }
    }

    roundTrip(input)
    return 0
}

func decodePayload(_ payload: UnsafeRawBufferPointer, kind: SyncFrameKind) {
    switch kind {
    case .data:
        decodePFSync(payload)
        decodeDeltas(payload)
    case .ack, .nack:
        try? SyncSequenceRanges.decode(payload, kind: kind, into: &ranges)
    case .keepalive:
        _ = try? SyncKeepalive(decoding: payload)
    case .hello:
        _ = try? SyncHello(decoding: payload)
    }
}

/// Walks the packet with the allocation-free reader, then decodes it whole.
func decodePFSync(_ bytes: UnsafeRawBufferPointer) {
    if var reader = try? PFSyncPacketReader(bytes) {
        var count = 0
        while count < 10_000, let message = try? reader.next() {
            _ = message.actionName
            count += 1
        }
    }
    if let packet = try? PFSyncPacket.decode(bytes) {
        _ = packet.messages.count
    }
}

/// Reads the delta section that may follow the pfsync packet of a DATA payload.
func decodeDeltas(_ payload: UnsafeRawBufferPointer) {
    guard var reader = try? DeltaSectionReader(payload: payload) else { return }
    var update = DeltaUpdate(identity: StateID(id: 0, creatorID: 0), version: 0)
    var count = 0
    while count < 70_000, (try? reader.next(into: &update)) == true { count += 1 }
}

func roundTrip(_ payload: UnsafeRawBufferPointer) {
    guard let sealed = try? sealer.seal(kind: .data, sequence: UInt64(payload.count), payload: payload)
    else { return }
    let datagram = Array(sealed)
    guard let opened = try? keyedOpener.open(datagram) else {
        fatalError("a sealed frame did not open")
    }
    let same = opened.payload.withUnsafeBytes { $0.elementsEqual(payload) }
    if !same || opened.header.sequence != UInt64(payload.count) {
        fatalError("round trip changed the payload")
    }
}
