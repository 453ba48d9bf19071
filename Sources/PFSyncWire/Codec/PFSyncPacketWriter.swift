import PFSyncCore

/// Builds pfsync packets in a reusable buffer (no allocation per message).
///
/// Consecutive messages of the same action share one sub-header. ``maxLength`` bounds the
/// pfsync header plus payload (the caller subtracts the IP header from the MTU); version 5
/// packets end with an EOF sub-header whose 4 bytes are reserved up front, version 6 packets
/// have none.
///
/// What each version carries:
/// - Full states (`insert` / `update`) are written in the writer's ``encoding`` whatever
///   format they were decoded from (version 6: always OpenBSD's).
/// - `delete` (full state) exists only in version 6; version 5 refuses it.
/// - `tdb` is action 11 (48 bytes) in version 5 and action 15 (52 bytes) in version 6.
/// - `eof` is accepted by version 5 without writing anything (``finish()`` writes the EOF);
///   version 6 refuses it.
/// A refused message returns false from ``append(_:)`` like a message that does not fit;
/// ``canCarry(_:)`` tells the two apart.
public struct PFSyncPacketWriter {
    /// The packet version.
    public let version: PFSyncVersion
    /// The full-state format (version 5: 1301, 1400 or 1500; version 6: `.openBSD`).
    public let encoding: StateEncoding
    /// Upper bound of ``length`` (pfsync header + payload), at most 65,535.
    public let maxLength: Int

    private let checksum: (high: UInt64, low: UInt64)
    private var storage: [UInt8]
    /// End of the last message written.
    private var bodyEnd = PFSyncSize.header
    /// The open sub-header: its offset, action and message count.
    private var openOffset = 0
    private var openAction: UInt8 = 0
    private var openCount = 0
    private var hasOpenSubHeader = false

    /// The number of messages appended since the last reset.
    public private(set) var messageCount = 0
    /// Bytes written after the packet with ``editTrailer(reserving:_:)`` (pfsyncd's delta
    /// section); not part of the pfsync header's `len`.
    public private(set) var trailerLength = 0

    /// Creates a writer. `checksum` is the 16-byte ruleset MD5 for the header (shorter input
    /// is zero-padded). A version-5 writer given `.openBSD` uses `.freeBSD1400`; a version-6
    /// writer always uses `.openBSD`.
    public init(
        version: PFSyncVersion,
        encoding: StateEncoding = .freeBSD1400,
        maxLength: Int = 1480,
        checksum: [UInt8] = [UInt8](repeating: 0, count: 16)
    ) {
        self.version = version
        switch version {
        case .openBSD: self.encoding = .openBSD
        case .freeBSD: self.encoding = encoding == .openBSD ? .freeBSD1400 : encoding
        }
        self.maxLength = min(max(maxLength, 0), Int(UInt16.max))
        let words = IPAddress(bytes: checksum.prefix(16))
        self.checksum = (words.high, words.low)
        self.storage = [UInt8](repeating: 0, count: max(self.maxLength, PFSyncSize.header + PFSyncSize.subHeader))
    }

    /// True when no message has been appended.
    public var isEmpty: Bool { messageCount == 0 }

    /// The length ``finish()`` would produce now: header, sub-headers, messages and (v5) EOF.
    public var length: Int { bodyEnd + trailerSize }

    private var trailerSize: Int { version == .freeBSD ? PFSyncSize.subHeader : 0 }

    /// ``length`` plus the bytes after the packet: what ``finish(_:)`` hands over.
    public var totalLength: Int { length + trailerLength }

    /// Lets `body` write bytes after the packet (pfsync readers stop at the header's `len`
    /// and ignore them): `body` gets the address of the first byte after the packet and the
    /// trailer's length so far, which it advances by what it writes (at most `maximum` more
    /// bytes). Once a trailer exists no message can be appended until the writer is reset.
    /// Returns nil, calling nothing, when `maximum` more bytes do not fit the buffer.
    public mutating func editTrailer<R>(
        reserving maximum: Int, _ body: (UnsafeMutableRawPointer, inout Int) -> R
    ) -> R? {
        let start = length
        var trailer = trailerLength
        guard maximum >= 0, start + trailer + maximum <= storage.count else { return nil }
        let result = storage.withUnsafeMutableBytes { raw -> R? in
            guard let base = raw.baseAddress else { return nil }
            return body(base + start, &trailer)
        }
        trailerLength = min(max(trailer, trailerLength), storage.count - start)
        return result
    }

    /// Whether this writer's version can carry `message` at all (independent of space).
    public func canCarry(_ message: PFSyncMessage) -> Bool {
        switch message {
        case .eof: return version == .freeBSD
        default: return Self.kind(of: message, encoding: encoding).action(version: version) != nil
        }
    }

    /// Appends a message. Returns false, writing nothing, when it would not fit in
    /// ``maxLength`` or when the version cannot carry it (see the type's documentation).
    public mutating func append(_ message: PFSyncMessage) -> Bool {
        if case .eof = message { return version == .freeBSD }
        let version = self.version
        let encoding = self.encoding
        return appendMessage(kind: Self.kind(of: message, encoding: encoding)) { output, offset in
            Self.encode(message, version: version, encoding: encoding, output, at: offset)
        }
    }

    /// Appends a full state as INS (`insert`) or UPD in the writer's ``encoding`` straight
    /// from `state`, without boxing it in a ``PFSyncMessage`` (bulk updates). Times must
    /// already be in the wire reading. Returns false, writing nothing, when it does not fit.
    public mutating func appendFullState(_ state: PFState, insert: Bool) -> Bool {
        withUnsafePointer(to: state) { appendFullState(at: $0, insert: insert) }
    }

    /// ``appendFullState(_:insert:)`` of the state at `state`, read where it lies (a state
    /// passed by value is copied whole, 384 bytes, on its way in; a bulk update encodes
    /// hundreds of thousands of them).
    public mutating func appendFullState(at state: UnsafePointer<PFState>, insert: Bool) -> Bool {
        let encoding = self.encoding
        return appendMessage(kind: insert ? .insert(encoding) : .update(encoding)) { output, offset in
            if encoding == .openBSD {
                OpenBSDStateCodec.encode(state.pointee, into: output, at: offset)
            } else {
                FreeBSDStateCodec.encode(state, format: encoding, into: output, at: offset)
            }
        }
    }

    /// Places one message of `kind` (joining the open sub-header when it has the same
    /// action) and lets `encodeBody` write its bytes at the given offset.
    @inline(__always)
    private mutating func appendMessage(kind: MessageKind, _ encodeBody: (WireOutput, Int) -> Void) -> Bool {
        guard trailerLength == 0, let action = kind.action(version: version) else { return false }
        let size = kind.size(version: version)
        let joins = hasOpenSubHeader && openAction == action && openCount < Int(UInt16.max)
        let needed = size + (joins ? 0 : PFSyncSize.subHeader)
        guard bodyEnd + needed + trailerSize <= maxLength else { return false }

        let version = self.version
        let words = UInt8(truncatingIfNeeded: size / 4)
        var messageOffset = bodyEnd
        var subHeaderOffset = openOffset
        if !joins {
            subHeaderOffset = bodyEnd
            messageOffset = bodyEnd + PFSyncSize.subHeader
        }
        let count = UInt16(truncatingIfNeeded: joins ? openCount + 1 : 1)
        storage.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            let output = WireOutput(base: base)
            if !joins {
                output.u8(action, subHeaderOffset)
                output.u8(version == .openBSD ? words : 0, subHeaderOffset + 1)
            }
            output.u16(count, subHeaderOffset + 2)
            encodeBody(output, messageOffset)
        }
        openOffset = subHeaderOffset
        openAction = action
        openCount = Int(count)
        hasOpenSubHeader = true
        bodyEnd = messageOffset + size
        messageCount += 1
        return true
    }

    /// Completes the packet, passes its bytes to `body` (valid only during the call), then
    /// resets the writer. Does not allocate.
    public mutating func finish<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let total = sealHeader() + trailerLength
        defer { reset() }
        return try storage.withUnsafeBytes { raw in
            try body(UnsafeRawBufferPointer(rebasing: raw[0..<total]))
        }
    }

    /// Completes the packet, returns its bytes and resets the writer for reuse.
    public mutating func finish() -> [UInt8] {
        finish { Array($0) }
    }

    /// Drops everything appended; the buffer is kept.
    public mutating func reset() {
        let used = min(totalLength, storage.count)
        storage.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            base.initializeMemory(as: UInt8.self, repeating: 0, count: used)
        }
        bodyEnd = PFSyncSize.header
        hasOpenSubHeader = false
        openCount = 0
        messageCount = 0
        trailerLength = 0
    }

    /// Writes the header and (v5) the EOF sub-header; returns the packet length.
    private mutating func sealHeader() -> Int {
        let total = length
        let version = self.version
        let checksum = self.checksum
        let eofOffset = bodyEnd
        storage.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            let output = WireOutput(base: base)
            output.u8(version.rawValue, 0)
            output.u16(UInt16(truncatingIfNeeded: total), 2)
            output.u64(checksum.high, 4)
            output.u64(checksum.low, 12)
            if version == .freeBSD {
                output.u8(PFSyncAction.eof, eofOffset)
                output.u16(1, eofOffset + 2)
            }
        }
        return total
    }

    private static func kind(of message: PFSyncMessage, encoding: StateEncoding) -> MessageKind {
        switch message {
        case .clear: return .clear
        case .insert: return .insert(encoding)
        case .update: return .update(encoding)
        case .delete: return .delete
        case .insertAck: return .insertAck
        case .compressedUpdate(let update): return update.counters == nil ? .compressedUpdate : .counterUpdate
        case .updateRequest: return .updateRequest
        case .compressedDelete: return .compressedDelete
        case .bulkStatus: return .bulkStatus
        case .tdb: return .tdb
        case .eof: return .eof
        }
    }

    private static func encode(
        _ message: PFSyncMessage, version: PFSyncVersion, encoding: StateEncoding,
        _ output: WireOutput, at offset: Int
    ) {
        switch message {
        case .clear(let ifname, let creatorID):
            SmallMessageCodec.encodeClear(ifname: ifname, creatorID: creatorID, output, at: offset)
        case .insert(let state, _), .update(let state, _), .delete(let state):
            if encoding == .openBSD {
                OpenBSDStateCodec.encode(state, into: output, at: offset)
            } else {
                FreeBSDStateCodec.encode(state, format: encoding, into: output, at: offset)
            }
        case .insertAck(let identity), .updateRequest(let identity), .compressedDelete(let identity):
            SmallMessageCodec.encodeStateID(identity, output, at: offset)
        case .compressedUpdate(let update):
            SmallMessageCodec.encodeCompressedUpdate(update, version: version, output, at: offset)
            if let counters = update.counters {
                output.counters(counters.packets, offset + PFSyncSize.compressedUpdate)
                output.counters(counters.bytes, offset + PFSyncSize.compressedUpdate + 16)
            }
        case .bulkStatus(let status):
            SmallMessageCodec.encodeBulkStatus(status, output, at: offset)
        case .tdb(let tdb):
            SmallMessageCodec.encodeTDB(tdb, version: version, output, at: offset)
        case .eof:
            break
        }
    }
}
