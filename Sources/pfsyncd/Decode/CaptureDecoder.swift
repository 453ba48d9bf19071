#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PFSyncCapture
import PFSyncCore
import PFSyncWire

/// Finds pfsync packets (IP protocol 240) and pfsyncd sync frames (UDP, any port, recognised
/// by their magic) in captured frames and writes every message, as text or JSON lines.
struct CaptureDecoder {
    /// Output form.
    enum Format {
        /// One readable line per message, tcpdump style.
        case text
        /// One JSON object per message per line.
        case json
    }

    /// What was seen, for the summary and the exit code.
    struct Counts {
        var frames = 0
        var pfsyncPackets = 0
        var syncFrames = 0
        var messages = 0
        var errors = 0
    }

    private let parser: PacketParser
    private let format: Format
    private var opener: SyncFrameOpener
    private var output: OutputBuffer
    private var line = JSONLine()
    private(set) var counts = Counts()

    /// A decoder for frames of `linkType`; sync frames are authenticated when `key` is given.
    init(linkType: LinkType, format: Format, key: SyncKey?, output: OutputBuffer) {
        self.parser = PacketParser(linkType: linkType)
        self.format = format
        self.opener = SyncFrameOpener(key: key)
        self.output = output
    }

    /// Decodes the frame numbered `number` (1-based, in capture order).
    mutating func decode(_ frame: UnsafeRawBufferPointer, header: CapturedPacketHeader, number: Int) {
        counts.frames += 1
        let location = parser.locatePayload(frame)
        guard location.status == .ok else { return }
        let payload = parser.payload(of: location, in: frame)
        if location.proto == 240 {
            counts.pfsyncPackets += 1
            let prefix = textPrefix(header, location, ports: false) + "pfsync"
                + (location.ttl == 255 ? "" : " (ttl \(location.ttl), pf would drop it)")
            if location.isFragment {
                report("IP fragment of a pfsync packet (not reassembled)", frame: number, prefix: prefix)
                return
            }
            decodePFSync(payload, frame: number, prefix: prefix)
        } else if location.proto == 17, !location.isFragment, payload.count >= 4,
                  payload.loadUnaligned(fromByteOffset: 0, as: UInt32.self).bigEndian == SyncFrameLayout.magic {
            counts.syncFrames += 1
            decodeSyncFrame(payload, header: header, location: location, frame: number)
        }
    }

    /// Writes what is still buffered.
    mutating func finish() {
        output.flush()
    }

    // MARK: - pfsync

    private mutating func decodePFSync(_ bytes: UnsafeRawBufferPointer, frame: Int, prefix: String) {
        let packet: PFSyncPacket
        do {
            packet = try PFSyncPacket.decode(bytes)
        } catch {
            report("pfsync: \(error)", frame: frame, prefix: prefix)
            return
        }
        for message in packet.messages {
            counts.messages += 1
            switch format {
            case .json:
                line.reset()
                line.message(message, version: packet.version)
                emitLine()
            case .text:
                output.append("\(prefix) v\(packet.version.rawValue) \(MessageText.describe(message))\n")
            }
        }
        for rejected in packet.rejected {
            report("pfsync message rejected: \(rejected)", frame: frame, prefix: prefix)
        }
        if packet.skippedMessages > 0, format == .text {
            output.append("\(prefix) v\(packet.version.rawValue) (\(packet.skippedMessages) messages of unknown actions skipped)\n")
        }
        if let error = packet.error {
            report("pfsync: \(error)", frame: frame, prefix: prefix)
        }
    }

    // MARK: - sync frames

    private mutating func decodeSyncFrame(
        _ bytes: UnsafeRawBufferPointer, header: CapturedPacketHeader, location: PayloadLocation, frame: Int
    ) {
        let prefix = textPrefix(header, location, ports: true) + "pfsyncd"
        let opened: SyncOpenedFrame
        do {
            opened = try opener.open(bytes)
        } catch {
            report("sync frame: \(error)", frame: frame, prefix: prefix)
            return
        }
        let frameHeader = opened.header
        let auth = opened.authentication == .verified ? "verified" : "not checked"
        let framePrefix = "\(prefix) \(frameHeader.kind) seq \(frameHeader.sequence) sender \(Hex.u32(frameHeader.senderID))"
            + " epoch \(frameHeader.epoch) (tag \(auth)):"
        guard frameHeader.kind == .data else {
            if format == .text {
                output.append("\(framePrefix) \(frameHeader.rawLength) payload bytes\n")
            }
            return
        }
        let payload = Array(opened.payload)
        payload.withUnsafeBytes { decodePFSync($0, frame: frame, prefix: framePrefix + " pfsync") }
        payload.withUnsafeBytes { decodeDeltaSection($0, frame: frame, prefix: framePrefix + " delta") }
    }

    /// The delta updates after the pfsync packet of a DATA payload (PROTOCOL.md, "Delta
    /// updates"), if there are any.
    private mutating func decodeDeltaSection(_ bytes: UnsafeRawBufferPointer, frame: Int, prefix: String) {
        do throws(PFSyncError) {
            guard var reader = try DeltaSectionReader(payload: bytes) else { return }
            while let update = try reader.next() {
                counts.messages += 1
                switch format {
                case .json:
                    line.reset()
                    line.delta(update, pfsyncVersion: bytes[0])
                    emitLine()
                case .text:
                    output.append("\(prefix) \(DeltaText.describe(update))\n")
                }
            }
        } catch {
            report("delta section: \(error)", frame: frame, prefix: prefix)
        }
    }

    // MARK: - output

    private mutating func report(_ text: String, frame: Int, prefix: String) {
        counts.errors += 1
        switch format {
        case .json:
            line.reset()
            line.error(text, frame: frame)
            emitLine()
        case .text:
            output.append("\(prefix) error in frame \(frame): \(text)\n")
        }
    }

    private mutating func emitLine() {
        output.append(line.bytes)
        output.append([0x0a])
    }

    /// `2023-11-14 22:13:20.000000 10.0.0.1 > 224.0.0.240: ` (UTC).
    private func textPrefix(_ header: CapturedPacketHeader, _ location: PayloadLocation, ports: Bool) -> String {
        guard format == .text else { return "" }
        var src = location.srcAddr.formatted(location.af)
        var dst = location.dstAddr.formatted(location.af)
        if ports {
            src += ".\(location.srcPort)"
            dst += ".\(location.dstPort)"
        }
        return "\(Self.timestamp(header)) \(src) > \(dst): "
    }

    /// UTC date and time with microseconds.
    static func timestamp(_ header: CapturedPacketHeader) -> String {
        var seconds = time_t(header.seconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + " \(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(header.microseconds, 6))"
    }
}
