import Foundation

/// An independent reading of a classic pcap file's record structure, used as the oracle for
/// truncation: how many records are complete and whether the file ends inside a record.
struct ClassicPcapWalker {
    /// Complete records.
    var completeRecords = 0
    /// True when bytes remain after the last complete record (a cut header or body).
    var endsInsideRecord = false

    /// Walks `bytes`; nil when they are not a classic pcap (pcapng, other).
    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 24 else { return nil }
        let magic = Array(bytes[0..<4])
        let littleEndian: Bool
        switch magic {
        case [0xd4, 0xc3, 0xb2, 0xa1], [0x4d, 0x3c, 0xb2, 0xa1]: littleEndian = true
        case [0xa1, 0xb2, 0xc3, 0xd4], [0xa1, 0xb2, 0x3c, 0x4d]: littleEndian = false
        default: return nil
        }
        func u32(_ offset: Int) -> Int {
            let b = bytes[offset..<(offset + 4)].map(Int.init)
            return littleEndian ? b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24 : b[3] | b[2] << 8 | b[1] << 16 | b[0] << 24
        }
        var offset = 24
        while offset < bytes.count {
            guard bytes.count - offset >= 16 else { endsInsideRecord = true; break }
            let captured = u32(offset + 8)
            guard bytes.count - offset - 16 >= captured else { endsInsideRecord = true; break }
            offset += 16 + captured
            completeRecords += 1
        }
    }
}
