import PFSyncCore
import PFSyncWire

extension PlainPFSyncEngine {
    /// Handles one IPv4 datagram from the raw protocol-240 socket (IP header included), in
    /// pfsync's order of checks: `ipackets` counts every datagram; one that did not arrive
    /// on the sync interface is `badif`; a TTL other than 255 is `badttl`; then the pfsync
    /// packet after the IP header is read (see ``receive(packet:nowNanos:stateNow:send:)``).
    public func receive(
        ipDatagram: UnsafeRawBufferPointer, onSyncInterface: Bool, nowNanos: UInt64, stateNow: UInt32,
        send: (UnsafeRawBufferPointer) -> Void
    ) {
        counters[.ipackets] += 1
        counters[.bytesReceived] += UInt64(ipDatagram.count)
        guard onSyncInterface else {
            counters[.badif] += 1
            return
        }
        guard let header = PlainIPv4Header(parsing: ipDatagram) else {
            counters[.hdrops] += 1
            return
        }
        guard header.ttl == PlainIPv4Header.requiredTTL else {
            counters[.badttl] += 1
            return
        }
        let packet = UnsafeRawBufferPointer(rebasing: ipDatagram[header.headerLength...])
        apply(packet: packet, nowNanos: nowNanos, stateNow: stateNow)
        sendOutbound(send: send)
    }

    /// Handles one pfsync packet (no IP header) that passed the IP checks: fewer than 20
    /// bytes is `hdrops`, a version other than the configured one (5 FreeBSD, 6 OpenBSD)
    /// `badver`, a header `len` beyond the bytes
    /// `badlen`; messages are applied until the end, EOF, or an error that ends the packet
    /// (messages before it stay applied). Counts nothing at the IP level.
    public func receive(
        packet: UnsafeRawBufferPointer, nowNanos: UInt64, stateNow: UInt32, send: (UnsafeRawBufferPointer) -> Void
    ) {
        apply(packet: packet, nowNanos: nowNanos, stateNow: stateNow)
        sendOutbound(send: send)
    }

    private func apply(packet: UnsafeRawBufferPointer, nowNanos: UInt64, stateNow: UInt32) {
        guard packet.count >= 20 else {
            counters[.hdrops] += 1
            return
        }
        guard packet[0] == config.pfsyncVersion.rawValue else {
            // FreeBSD speaks version 5 only, OpenBSD 6 only: they are not interoperable.
            counters[.badver] += 1
            return
        }
        lastReceiveNanos = nowNanos
        let failure: PFSyncError?
        do throws(PFSyncError) {
            var reader = try PFSyncPacketReader(packet)
            counters[.framesReceived] += 1
            counters[.rawBytesReceived] += UInt64(packet.count)
            status.lastFrameNanos = nowNanos
            status.peerAlive = true
            failure = applyMessages(&reader, stateNow: stateNow)
        } catch {
            failure = error
        }
        if let failure { count(failure.counter) }
    }

    /// Applies messages until the end; returns the error that ended the packet, if any.
    private func applyMessages(_ reader: inout PFSyncPacketReader, stateNow: UInt32) -> PFSyncError? {
        while true {
            do throws(PFSyncError) {
                guard let message = try reader.next() else { return nil }
                apply(message, stateNow: stateNow)
            } catch where error.isRecoverable {
                // badval: pf skips the one message and goes on.
                count(error.counter)
            } catch {
                return error
            }
        }
    }

    private func count(_ counter: PFSyncCounter) {
        switch counter {
        case .hdrops: counters[.hdrops] += 1
        case .badver: counters[.badver] += 1
        case .badact: counters[.badact] += 1
        case .badlen: counters[.badlen] += 1
        case .badval: counters[.badval] += 1
        }
    }

    /// Applies one message by FreeBSD's rules.
    func apply(_ message: PFSyncMessage, stateNow: UInt32) {
        counters[.messagesReceived] += 1
        counters.countAction(message.actionIndex, incoming: true)
        switch message {
        case .insert(let state, _), .update(let state, _):
            if state.identity.creatorID != config.nodeID { status.peerID = state.identity.creatorID }
            applyFull(state.withLocalTimes(now: stateNow), stateNow: stateNow)
            if status.bulk.incoming == .receiving {
                status.bulk.statesReceived += 1
                counters[.bulkStatesReceived] += 1
            }
        case .compressedUpdate(let update):
            applyCompressed(update, stateNow: stateNow)
        case .compressedDelete(let id):
            remove(id)
        case .delete(let state):
            remove(state.identity)
        case .updateRequest(let id):
            if id == .bulkRequest {
                startBulkSend(stateNow: stateNow)
            } else if let state = table.state(for: id) {
                outbound.append(.update(state.wireTimes(now: stateNow), config.stateEncoding))
            } else {
                // FreeBSD: a request for a state we do not have.
                counters[.badstate] += 1
            }
        case .bulkStatus(let bulk):
            status.peerID = bulk.creatorID
            applyBulkStatus(bulk)
        case .clear(let ifname, let creatorID):
            counters[.statesDeleted] += UInt64(table.removeAll(creatorID: creatorID, ifname: ifname, recordChange: false))
        case .insertAck, .tdb, .eof:
            break
        }
    }

    private func remove(_ id: StateID) {
        if table.remove(id, recordChange: false) != nil {
            counters[.statesDeleted] += 1
        } else {
            // FreeBSD: DEL_C for a state we do not have.
            counters[.badstate] += 1
        }
    }

    /// A full state (INS, UPD, bulk): insert it, or merge it into ours by the stale rules
    /// (``PeerMerge``: a window never rolls back; a stale update is counted and answered
    /// with our newer state).
    private func applyFull(_ incoming: PFState, stateNow: UInt32) {
        var staleOutcome: PeerMerge.Outcome?
        let existed = table.update(incoming.identity, recordChange: false) { local -> Bool in
            staleOutcome = withUnsafePointer(to: incoming) { PeerMerge.merge(into: &local, fullState: $0) }
            return true
        }
        if existed == true {
            counters[.statesUpdated] += 1
            if let outcome = staleOutcome, outcome.stalePeers > 0 { sendOursBack(incoming.identity, stateNow: stateNow) }
            return
        }
        switch table.insert(incoming, recordChange: false) {
        case .inserted:
            counters[.statesCreated] += 1
            counters.statesByCreator[incoming.identity.creatorID, default: 0] += 1
        case .duplicateID:
            table.upsert(incoming, recordChange: false)
            counters[.statesUpdated] += 1
        case .keyConflict:
            // Another state holds this flow (pf refuses such an import too).
            counters[.badstate] += 1
        }
    }

    private func applyCompressed(_ update: CompressedUpdate, stateNow: UInt32) {
        let expire = stateNow &+ update.expire
        let outcome = table.update(update.identity, recordChange: false) { local in
            PeerMerge.merge(into: &local, src: update.src, dst: update.dst, timeout: update.timeout, expire: expire)
        }
        guard let outcome else {
            // pfsync: an update for a state we do not know asks the peer for the full state.
            outbound.append(.updateRequest(update.identity))
            counters[.updateRequestsSent] += 1
            return
        }
        counters[.statesUpdated] += 1
        if outcome.stalePeers > 0 { sendOursBack(update.identity, stateNow: stateNow) }
    }

    /// pfsync: when the peer's update was stale, count it and send our newer state back.
    private func sendOursBack(_ id: StateID, stateNow: UInt32) {
        counters[.stale] += 1
        guard let state = table.state(for: id) else { return }
        outbound.append(.compressedUpdate(compressedUpdate(of: state, stateNow: stateNow)))
    }
}
