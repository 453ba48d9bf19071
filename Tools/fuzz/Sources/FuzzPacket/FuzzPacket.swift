import PFSyncCapture
@testable import PFSyncCore
import PFSyncTracker

/// The link types a capture may have; the input's first byte picks one.
let linkTypes: [LinkType] = [
    .ethernet, .linktypeRaw, .raw, .null, .loop, .linuxCooked, .linuxCooked2, .ipv4, .ipv6, .rawOpenBSD,
]

// libFuzzer calls the entry point from one thread; the table and trackers live across runs,
// so that a handshake in one input meets its data in a later one.
nonisolated(unsafe) var table = StateTable(shardCount: 2, initialCapacityPerShard: 64, hashSeed: 1)
nonisolated(unsafe) var strict = Tracker(table: table, startTime: 1_000)
nonisolated(unsafe) var sloppy = Tracker(table: table, config: TrackerConfig(sloppy: true), startTime: 1_000)
nonisolated(unsafe) var packet = ParsedPacket()
nonisolated(unsafe) var runs = 0

/// One input: a selector byte (link type; bit 7: sloppy tracking), then frames, each
/// preceded by its length (u16, big-endian; the last one takes what is left). Every frame
/// is parsed and tracked; the parser must never trap, and the table's invariants must hold
/// afterwards (checked every 16th input).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPacket(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let selector = data[0]
    let parser = PacketParser(linkType: linkTypes[Int(selector & 0x7F) % linkTypes.count])
    var offset = 1
    var frames = 0
    while offset < size, frames < 64 {
        var length = size - offset
        if size - offset >= 2 {
            let declared = Int(data[offset]) << 8 | Int(data[offset + 1])
            if declared > 0, declared <= size - offset - 2 {
                length = declared
                offset += 2
            }
        }
        let frame = UnsafeRawBufferPointer(start: data + offset, count: length)
        let header = CapturedPacketHeader(
            seconds: Int64(1_000 + frames), microseconds: 0, captureLength: UInt32(length), wireLength: UInt32(length))
        parser.parse(frame, header: header, into: &packet)
        if selector & 0x80 != 0 {
            _ = sloppy.process(packet)
        } else {
            _ = strict.process(packet)
        }
        offset += length
        frames += 1
    }
    if table.count > 4_096 {
        table = StateTable(shardCount: 2, initialCapacityPerShard: 64, hashSeed: 1)
        strict = Tracker(table: table, startTime: 1_000)
        sloppy = Tracker(table: table, config: TrackerConfig(sloppy: true), startTime: 1_000)
    }
    // A full scan of the table: every 16th input, so that the fuzzer keeps its pace.
    runs &+= 1
    if runs % 16 == 0 {
        let broken = table.invariantViolations()
        if !broken.isEmpty { fatalError("table invariants broken: \(broken)") }
    }
    return 0
}
