import PFSyncCore

/// A whole decoded pfsync packet (convenience over ``PFSyncPacketReader``; allocates).
public struct PFSyncPacket: Sendable, Hashable {
    /// The header's version.
    public var version: PFSyncVersion
    /// The header's ruleset checksum (16 bytes).
    public var checksum: [UInt8]
    /// Every message decoded, in order (including messages after a rejected one).
    public var messages: [PFSyncMessage]
    /// The error that ended decoding early (badlen, badact), if any; the messages before it
    /// are kept.
    public var error: PFSyncError?
    /// Messages pf would reject one by one (``PFSyncCounter/badval``); decoding went on.
    public var rejected: [PFSyncError]
    /// OpenBSD messages skipped because of an unknown action.
    public var skippedMessages: Int

    /// Creates a packet value.
    public init(
        version: PFSyncVersion, checksum: [UInt8] = [UInt8](repeating: 0, count: 16),
        messages: [PFSyncMessage], error: PFSyncError? = nil, rejected: [PFSyncError] = [],
        skippedMessages: Int = 0
    ) {
        self.version = version
        self.checksum = checksum
        self.messages = messages
        self.error = error
        self.rejected = rejected
        self.skippedMessages = skippedMessages
    }

    /// Decodes a pfsync packet (no IP header).
    ///
    /// Throws for header errors only (hdrops, badver, badlen of the header `len`): then there
    /// is no packet. Errors inside the packet are reported in ``error`` and ``rejected``.
    public static func decode(_ bytes: [UInt8]) throws(PFSyncError) -> PFSyncPacket {
        let outcome: Result<PFSyncPacket, PFSyncError> = bytes.withUnsafeBytes { raw in
            do throws(PFSyncError) {
                return .success(try decode(raw))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// Decodes a pfsync packet from raw bytes (see ``decode(_:)-swift.type.method``).
    public static func decode(_ raw: UnsafeRawBufferPointer) throws(PFSyncError) -> PFSyncPacket {
        var reader = try PFSyncPacketReader(raw)
        var packet = PFSyncPacket(version: reader.version, checksum: checksumBytes(reader.checksum), messages: [])
        while true {
            do throws(PFSyncError) {
                guard let message = try reader.next() else { break }
                packet.messages.append(message)
            } catch {
                if error.isRecoverable {
                    packet.rejected.append(error)
                } else {
                    packet.error = error
                    break
                }
            }
        }
        packet.skippedMessages = reader.skippedMessages
        return packet
    }

    private static func checksumBytes(_ words: (high: UInt64, low: UInt64)) -> [UInt8] {
        IPAddress(high: words.high, low: words.low).bytes
    }
}
