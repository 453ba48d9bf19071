import PFSyncCapture
import PFSyncCore
import PFSyncTracker

/// Serves feed connections one after another with buffers kept across batches and
/// connections (the verdict reply, the parsed packet, the created-state ids).
struct FeedSession {
    private let deferral: FeedDeferral?
    private var reply: [UInt8] = []
    private var created: [StateID] = []
    private var packet = ParsedPacket()

    init(deferral: FeedDeferral?) {
        self.deferral = deferral
        reply.reserveCapacity(FeedProtocol.maximumBatch + 4)
    }

    /// Serves `connection` until the client closes it (nil) or a protocol error (its text).
    /// `publish` refreshes the published status after every batch, so that `stats` read
    /// after a batch reply counts the whole batch.
    mutating func serve(
        _ connection: FeedConnection, tracker: inout Tracker, status: inout CaptureStatus,
        publish: (inout Tracker, inout CaptureStatus) -> Void
    ) -> String? {
        let parser: PacketParser
        switch hello(connection) {
        case .success(let linkType): parser = PacketParser(linkType: linkType)
        case .failure(let problem): return problem.description
        }
        while true {
            switch batch(connection, parser: parser, tracker: &tracker, status: &status) {
            case .success(true): break
            case .success(false): return nil
            case .failure(let problem): return problem.description
            }
            publish(&tracker, &status)
        }
    }

    private func hello(_ connection: FeedConnection) -> Result<LinkType, FeedError> {
        switch connection.fill(FeedProtocol.helloSize) {
        case .ready: break
        case .closed, .stopped: return .failure(FeedError("connection closed before the hello"))
        case .failed(let reason): return .failure(FeedError(reason))
        }
        let bytes = connection.take(FeedProtocol.helloSize)
        let magic = FeedProtocol.u32(bytes, at: 0)
        let version = UInt16(truncatingIfNeeded: FeedProtocol.u32(bytes, at: 4) >> 16)
        let linkType = LinkType(rawValue: Int32(bitPattern: FeedProtocol.u32(bytes, at: 8)))
        let answer: FeedProtocol.HelloStatus
        if magic != FeedProtocol.helloMagic || version != FeedProtocol.version {
            answer = .badHello
        } else if !linkType.isSupported {
            answer = .unsupportedLinkType
        } else {
            answer = .accepted
        }
        var out: [UInt8] = []
        FeedProtocol.append(FeedProtocol.answerMagic, to: &out)
        FeedProtocol.append(UInt32(FeedProtocol.version) << 16 | UInt32(answer.rawValue), to: &out)
        let sent = out.withUnsafeBytes { connection.send($0) }
        switch answer {
        case .accepted:
            return sent ? .success(linkType) : .failure(FeedError("client went away after the hello"))
        case .badHello:
            return .failure(FeedError("bad hello (magic or version)"))
        case .unsupportedLinkType:
            return .failure(FeedError("unsupported link type \(linkType)"))
        }
    }

    /// One batch: true when served, false when the client closed between batches.
    private mutating func batch(
        _ connection: FeedConnection, parser: PacketParser, tracker: inout Tracker, status: inout CaptureStatus
    ) -> Result<Bool, FeedError> {
        reply.removeAll(keepingCapacity: true)
        for _ in 0..<4 { reply.append(0) }
        created.removeAll(keepingCapacity: true)
        var count = 0
        while true {
            switch connection.fill(4) {
            case .ready: break
            case .closed where count == 0: return .success(false)
            case .closed: return .failure(FeedError("connection closed inside a batch"))
            case .stopped: return .success(false)
            case .failed(let reason): return .failure(FeedError(reason))
            }
            let length = connection.peekU32()
            if length == FeedProtocol.batchTerminator {
                _ = connection.take(4)
                break
            }
            guard length <= UInt32(FeedProtocol.maximumFrame) else {
                return .failure(FeedError("record of \(length) bytes (at most \(FeedProtocol.maximumFrame))"))
            }
            guard count < FeedProtocol.maximumBatch else {
                return .failure(FeedError("batch of more than \(FeedProtocol.maximumBatch) records"))
            }
            let total = FeedProtocol.recordHeaderSize + Int(length)
            switch connection.fill(total) {
            case .ready: break
            case .closed, .stopped: return .failure(FeedError("connection closed inside a record"))
            case .failed(let reason): return .failure(FeedError(reason))
            }
            let record = connection.take(total)
            let microseconds = FeedProtocol.u32(record, at: 8)
            guard microseconds < 1_000_000 else {
                return .failure(FeedError("record with ts_usec \(microseconds) (must be below 1000000)"))
            }
            let header = CapturedPacketHeader(
                seconds: Int64(FeedProtocol.u32(record, at: 4)), microseconds: Int32(microseconds),
                captureLength: length, wireLength: length)
            parser.parse(
                UnsafeRawBufferPointer(rebasing: record[FeedProtocol.recordHeaderSize...]), header: header,
                into: &packet)
            let verdict = tracker.process(packet)
            if verdict == .created, deferral != nil, let id = tracker.lastCreated { created.append(id) }
            reply.append(verdict.rawValue)
            count += 1
        }
        tracker.advanceClock(to: DaemonClock.wallSeconds())
        if let deferral, !created.isEmpty {
            _ = deferral.hold(created)
        }
        status.packetsRead &+= UInt64(count)
        reply.withUnsafeMutableBytes { FeedProtocol.put(UInt32(count), into: $0, at: 0) }
        guard reply.withUnsafeBytes({ connection.send($0) }) else {
            return .failure(FeedError("client went away before the batch reply"))
        }
        return .success(true)
    }
}
