import PFSyncCore

/// A non-allocating streaming decoder over one pfsync packet: the 20-byte header and the
/// sub-headers with their messages (no IP header).
///
/// The reader keeps a pointer into the bytes it was created with: they must stay alive and
/// unchanged while it is used (typically inside `withUnsafeBytes`). It never reads outside
/// them, whatever their content.
///
/// Errors are typed and name the pfsync counter they increment. After a
/// ``PFSyncCounter/badval`` error the reader has stepped over the offending message and
/// ``next()`` may be called again (pf counts it and goes on); after any other error the
/// rest of the packet is dropped and ``next()`` returns nil.
///
/// Rules: FreeBSD (v5) stops at an unknown action (badact) and after EOF. OpenBSD (v6) skips
/// unknown actions using the sub-header `len` (size of one message in 32-bit words; len 0
/// with messages to skip is badlen); for a known action a larger `len` is honoured (the extra
/// bytes are ignored) and a smaller one is badlen. Bytes after the header's `len` and fewer
/// than 4 bytes left after the last message are ignored.
public struct PFSyncPacketReader {
    private let input: WireInput
    /// End of the pfsync data (the header's `len`).
    private let end: Int
    /// The packet's version.
    public let version: PFSyncVersion
    /// The ruleset MD5 from the header (`pfcksum`), bytes 0..<8 and 8..<16 read big-endian.
    public let checksum: (high: UInt64, low: UInt64)
    /// Number of OpenBSD messages skipped because their action is unknown.
    public private(set) var skippedMessages: Int = 0

    private var offset: Int
    private var remaining: Int = 0
    private var stride: Int = 0
    private var kind: MessageKind = .eof
    private var finished = false

    /// Validates the header: fewer than 20 bytes is hdrops; a version other than 5 or 6 is
    /// badver; a header `len` below 20 or beyond `bytes.count` is badlen.
    public init(_ bytes: UnsafeRawBufferPointer) throws(PFSyncError) {
        guard bytes.count >= PFSyncSize.header, let base = bytes.baseAddress else {
            throw PFSyncError(
                counter: .hdrops, offset: 0,
                reason: "packet of \(bytes.count) bytes is shorter than the 20-byte header")
        }
        let input = WireInput(base: base)
        guard let version = PFSyncVersion(rawValue: input.u8(0)) else {
            throw PFSyncError(counter: .badver, offset: 0, reason: "version \(input.u8(0)) is neither 5 nor 6")
        }
        let length = Int(input.u16(2))
        guard length >= PFSyncSize.header, length <= bytes.count else {
            throw PFSyncError(
                counter: .badlen, offset: 2,
                reason: "header len \(length) outside 20...\(bytes.count) (bytes received)")
        }
        self.input = input
        self.end = length
        self.version = version
        self.checksum = (input.u64(4), input.u64(12))
        self.offset = PFSyncSize.header
    }

    /// The next message, or nil at the end of the packet.
    public mutating func next() throws(PFSyncError) -> PFSyncMessage? {
        while remaining == 0 {
            if finished { return nil }
            if let eof = try openSubHeader() { return eof }
        }
        let at = offset
        offset &+= stride
        remaining &-= 1
        return try decode(kind, at: at)
    }

    /// Like ``next()``, but a full state (INS, UPD, OpenBSD's DEL) is decoded into `state`
    /// and returned as ``PFSyncReadItem/fullState(_:_:)`` instead of being boxed in a
    /// ``PFSyncMessage``: no allocation per message of any kind. Errors are those of
    /// ``next()``; on an error `state` may hold a partly decoded state.
    public mutating func next(unboxing state: inout PFState) throws(PFSyncError) -> PFSyncReadItem? {
        while remaining == 0 {
            if finished { return nil }
            if let eof = try openSubHeader() { return .message(eof) }
        }
        let at = offset
        offset &+= stride
        remaining &-= 1
        switch kind {
        case .insert(let encoding):
            try decodeState(encoding, at: at, into: &state)
            return .fullState(.insert, encoding)
        case .update(let encoding):
            try decodeState(encoding, at: at, into: &state)
            return .fullState(.update, encoding)
        case .delete:
            try decodeState(.openBSD, at: at, into: &state)
            return .fullState(.delete, .openBSD)
        default:
            return .message(try decode(kind, at: at))
        }
    }

    /// Reads the sub-header at `offset` and sets up its messages. Returns `.eof` when the
    /// sub-header ends the packet.
    @inline(never)
    private mutating func openSubHeader() throws(PFSyncError) -> PFSyncMessage? {
        guard end - offset >= PFSyncSize.subHeader else {
            finished = true
            return nil
        }
        let at = offset
        let action = input.u8(at)
        let words = Int(input.u8(at + 1))
        let count = Int(input.u16(at + 2))
        offset = at + PFSyncSize.subHeader
        let available = end - offset

        guard let kind = MessageKind.decoding(action, version: version) else {
            if version == .freeBSD {
                throw fail(.badact, at, "sub-header at \(at): unknown action \(action)")
            }
            if count == 0 { return nil }
            guard words > 0 else {
                throw fail(.badlen, at, "sub-header at \(at): unknown action \(action) with len 0 and count \(count)")
            }
            let skip = count * words * 4
            guard skip <= available else {
                throw fail(.badlen, at, "sub-header at \(at): skipping \(count) x \(words * 4) bytes exceeds packet (\(end) bytes)")
            }
            offset += skip
            skippedMessages += count
            return nil
        }

        var size = kind.size(version: version)
        if version == .openBSD && count > 0 {
            let wireSize = words * 4
            guard wireSize >= size else {
                throw fail(.badlen, at, "sub-header at \(at): len \(wireSize) bytes is smaller than \(size) for action \(action)")
            }
            size = wireSize
        }
        if kind == .eof {
            finished = true
            return .eof
        }
        guard count * size <= available else {
            throw fail(.badlen, at, "sub-header at \(at): count \(count) x \(size) bytes exceeds packet (\(end) bytes)")
        }
        self.kind = kind
        self.stride = size
        self.remaining = count
        return nil
    }

    /// Ends the packet and builds the error.
    private mutating func fail(_ counter: PFSyncCounter, _ at: Int, _ reason: String) -> PFSyncError {
        finished = true
        remaining = 0
        return PFSyncError(counter: counter, offset: at, reason: reason)
    }

    @inline(__always)
    private func decode(_ kind: MessageKind, at offset: Int) throws(PFSyncError) -> PFSyncMessage {
        switch kind {
        case .compressedUpdate:
            return .compressedUpdate(
                try SmallMessageCodec.decodeCompressedUpdate(input, at: offset, version: version))
        case .counterUpdate:
            var update = try SmallMessageCodec.decodeCompressedUpdate(input, at: offset, version: version)
            update.counters = StateCounters(
                packets: input.counters(offset + PFSyncSize.compressedUpdate),
                bytes: input.counters(offset + PFSyncSize.compressedUpdate + 16))
            return .compressedUpdate(update)
        case .compressedDelete:
            return .compressedDelete(SmallMessageCodec.decodeStateID(input, at: offset))
        case .insertAck:
            return .insertAck(SmallMessageCodec.decodeStateID(input, at: offset))
        case .updateRequest:
            return .updateRequest(SmallMessageCodec.decodeStateID(input, at: offset))
        case .insert(let encoding):
            return .insert(try decodeState(encoding, at: offset), encoding)
        case .update(let encoding):
            return .update(try decodeState(encoding, at: offset), encoding)
        case .delete:
            return .delete(try decodeState(.openBSD, at: offset))
        case .clear:
            return SmallMessageCodec.decodeClear(input, at: offset)
        case .bulkStatus:
            return .bulkStatus(try SmallMessageCodec.decodeBulkStatus(input, at: offset))
        case .tdb:
            return .tdb(SmallMessageCodec.decodeTDB(input, at: offset, version: version))
        case .eof:
            return .eof
        }
    }

    /// Kept out of line so that the compressed messages' path stays small.
    @inline(never)
    private func decodeState(_ encoding: StateEncoding, at offset: Int) throws(PFSyncError) -> PFState {
        var state = PFState(identity: StateID(id: 0, creatorID: 0))
        try decodeState(encoding, at: offset, into: &state)
        return state
    }

    /// ``decodeState(_:at:)`` into the caller's state (FreeBSD's formats without a copy).
    private func decodeState(_ encoding: StateEncoding, at offset: Int, into state: inout PFState) throws(PFSyncError) {
        if encoding == .openBSD {
            state = try OpenBSDStateCodec.decode(input, at: offset)
        } else {
            try FreeBSDStateCodec.decode(input, at: offset, format: encoding, into: &state)
        }
    }
}

/// The action of a full-state message read by ``PFSyncPacketReader/next(unboxing:)``.
public enum FullStateAction: Sendable, Hashable {
    /// INS.
    case insert
    /// UPD.
    case update
    /// OpenBSD's DEL.
    case delete
}

/// One item of ``PFSyncPacketReader/next(unboxing:)``: a message, or a full state that was
/// decoded into the caller's state.
public enum PFSyncReadItem: Sendable, Hashable {
    /// Any message except a full state.
    case message(PFSyncMessage)
    /// A full state, now in the caller's `state`, with the format it was decoded from.
    case fullState(FullStateAction, StateEncoding)
}
