import PFSyncCore
import Testing
@testable import PFSyncWire

/// The delta section codec: what it encodes decodes to the same change, hostile bytes are
/// refused with a `badlen` and never read outside the buffer, and pfsync readers ignore
/// the section that follows their packet.
@Suite struct DeltaSectionTests {
    /// Reads a whole section from offset 0; the error that ended it, if any.
    static func sectionError(_ bytes: [UInt8]) -> PFSyncError? {
        bytes.withUnsafeBytes { raw in
            do throws(PFSyncError) {
                guard var reader = try DeltaSectionReader(raw, at: 0) else { return nil }
                while try reader.next() != nil {}
                return nil
            } catch {
                return error
            }
        }
    }

    static func randomBase(_ random: inout SeededGenerator) -> ReplicationBase {
        func peer() -> StatePeer {
            StatePeer(
                scrub: PeerScrub(flags: UInt16(truncatingIfNeeded: random.next()), ttl: 64, scrubFlag: 1, tsMod: UInt32(truncatingIfNeeded: random.next())),
                seqLo: UInt32(truncatingIfNeeded: random.next()), seqHi: UInt32(truncatingIfNeeded: random.next()),
                seqDiff: UInt32(truncatingIfNeeded: random.next()), maxWin: UInt16(truncatingIfNeeded: random.next()),
                mss: 1460, state: PeerState.established, wscale: 7)
        }
        return ReplicationBase(
            src: peer(), dst: peer(), packets: CounterPair(random.next(), random.next()),
            bytes: CounterPair(random.next(), random.next()), expire: UInt32(truncatingIfNeeded: random.next()),
            timeout: 3, version: UInt8(truncatingIfNeeded: random.next()), epoch: 1)
    }

    /// Changes a few random fields of `base`, as a packet (or several) would.
    static func mutate(_ base: ReplicationBase, _ random: inout SeededGenerator) -> ReplicationBase {
        var next = base
        for _ in 0..<(1 + random.next() % 4) {
            switch random.next() % 12 {
            case 0: next.src.seqLo &+= UInt32(truncatingIfNeeded: random.next() % 3000)
            case 1: next.src.seqHi &-= UInt32(truncatingIfNeeded: random.next())
            case 2: next.dst.seqLo &+= 1
            case 3: next.dst.seqHi = UInt32(truncatingIfNeeded: random.next())
            case 4: next.packets.forward &+= 1
            case 5: next.bytes.reverse &+= random.next() % 100_000
            case 6: next.bytes.forward = 0  // a counter that went back: still exact
            case 7: next.expire = UInt32(truncatingIfNeeded: random.next())
            case 8: next.src.maxWin = UInt16(truncatingIfNeeded: random.next())
            case 9: next.dst.state = PeerState.finWait2
            case 10: next.src.scrub.tsMod &+= 9
            default: next.timeout = 5
            }
        }
        return next
    }

    @Test func recordsRoundTripAndRebuildTheNewBase() throws {
        var random = SeededGenerator(seed: 42)
        var buffer = [UInt8](repeating: 0, count: 200 * DeltaSection.maxRecordSize + 8)
        var olds: [ReplicationBase] = []
        var news: [ReplicationBase] = []
        var updates: [DeltaUpdate] = []
        for index in 0..<200 {
            let old = Self.randomBase(&random)
            let new = Self.mutate(old, &random)
            // Ids jump around and creators change, as they do between shards and peers.
            let id = StateID(id: random.next() >> (random.next() % 60), creatorID: index % 7 == 0 ? 9 : 1)
            olds.append(old)
            news.append(new)
            updates.append(DeltaUpdate(identity: id, from: old, to: new))
        }
        let length = buffer.withUnsafeMutableBytes { raw -> Int in
            var context = DeltaContext()
            var offset = DeltaSection.headerSize
            for update in updates {
                let start = offset
                offset = DeltaSection.encode(update, context: &context, into: raw.baseAddress!, at: offset)
                #expect(offset - start <= DeltaSection.maxRecordSize)
            }
            DeltaSection.writeHeader(count: updates.count, into: raw.baseAddress!, at: 0)
            return offset
        }
        let decoded = try buffer.prefix(length).withUnsafeBytes { raw throws -> [DeltaUpdate] in
            guard var reader = try DeltaSectionReader(raw, at: 0) else { return [] }
            var out: [DeltaUpdate] = []
            while let update = try reader.next() { out.append(update) }
            return out
        }
        #expect(decoded.count == updates.count)
        for index in decoded.indices {
            #expect(decoded[index].identity == updates[index].identity)
            var base = olds[index]
            decoded[index].apply(to: &base)
            var expected = news[index]
            expected.version = olds[index].version &+ 1
            #expect(base == expected)
        }
    }

    @Test func theSendersFastPathWritesTheSameBytesAsTheModel() {
        var random = SeededGenerator(seed: 77)
        var model = [UInt8](repeating: 0, count: 300 * DeltaSection.maxRecordSize)
        var fast = model
        var body = [UInt8](repeating: 0, count: DeltaBodyEncoder.maxBodySize)
        var modelContext = DeltaContext()
        var fastContext = DeltaContext()
        var modelOffset = 0
        var fastOffset = 0
        for index in 0..<300 {
            let old = Self.randomBase(&random)
            let new = Self.mutate(old, &random)
            var state = PFState(identity: StateID(id: random.next() >> 20, creatorID: index % 5 == 0 ? 3 : 1))
            state.src = new.src
            state.dst = new.dst
            state.packets = new.packets
            state.bytes = new.bytes
            state.timeout = new.timeout
            let update = DeltaUpdate(identity: state.identity, from: old, to: new)
            modelOffset = model.withUnsafeMutableBytes {
                DeltaSection.encode(update, context: &modelContext, into: $0.baseAddress!, at: modelOffset)
            }
            var base = old
            let (fields, length) = body.withUnsafeMutableBytes { raw in
                withUnsafePointer(to: state) { statePointer in
                    DeltaBodyEncoder.encodeChange(base: &base, state: statePointer, expire: new.expire, into: raw.baseAddress!)
                }
            }
            #expect(length <= DeltaBodyEncoder.maxBodySize)
            #expect(fields == update.fields)
            var expected = new
            expected.version = old.version &+ 1
            #expect(base == expected)
            fastOffset = fast.withUnsafeMutableBytes { out in
                body.withUnsafeBytes { bodyBytes in
                    DeltaSection.appendRecord(
                        identity: state.identity, version: base.version, fields: fields,
                        body: UnsafeRawBufferPointer(rebasing: bodyBytes[0..<length]), context: &fastContext,
                        into: out.baseAddress!, at: fastOffset)
                }
            }
        }
        #expect(fastOffset == modelOffset)
        #expect(fast.prefix(fastOffset) == model.prefix(modelOffset))
    }

    @Test func aTypicalTCPUpdateTakesAboutADozenBytes() {
        var random = SeededGenerator(seed: 7)
        let old = Self.randomBase(&random)
        var new = old
        new.src.seqLo &+= 1460
        new.dst.seqHi &+= 1460
        new.packets.forward &+= 1
        new.bytes.forward &+= 1500
        var buffer = [UInt8](repeating: 0, count: DeltaSection.maxRecordSize)
        var context = DeltaContext()
        context.creatorID = 1
        context.hasCreator = true
        context.previousID = 1000
        let size = buffer.withUnsafeMutableBytes { raw in
            DeltaSection.encode(
                DeltaUpdate(identity: StateID(id: 1100, creatorID: 1), from: old, to: new), context: &context,
                into: raw.baseAddress!, at: 0)
        }
        // mask 1, version 1, id difference 2, seqLo 2, dst seqHi 2, packets 2, bytes 3.
        #expect(size == 13)
    }

    @Test func hostileSectionsAreRefusedWithoutReadingOutside() {
        var random = SeededGenerator(seed: 99)
        var refused = 0
        for trial in 0..<5000 {
            let count = Int(random.next() % 64)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if trial % 2 == 0, count >= 3 { bytes[0] = DeltaSection.marker }
            if let error = Self.sectionError(bytes) {
                #expect(error.counter == .badlen)
                refused += 1
            }
        }
        #expect(refused > 2000)
    }

    @Test func truncatedSectionsFailAtEveryCut() throws {
        var random = SeededGenerator(seed: 5)
        var buffer = [UInt8](repeating: 0, count: 4 * DeltaSection.maxRecordSize)
        let length = buffer.withUnsafeMutableBytes { raw -> Int in
            var context = DeltaContext()
            var offset = DeltaSection.headerSize
            for index in 0..<3 {
                let old = Self.randomBase(&random)
                offset = DeltaSection.encode(
                    DeltaUpdate(identity: StateID(id: UInt64(index), creatorID: 1), from: old, to: Self.mutate(old, &random)),
                    context: &context, into: raw.baseAddress!, at: offset)
            }
            DeltaSection.writeHeader(count: 3, into: raw.baseAddress!, at: 0)
            return offset
        }
        for cut in 1..<length {
            #expect(Self.sectionError(Array(buffer.prefix(cut)))?.counter == .badlen, "cut at \(cut)")
        }
        // One byte too many is refused too.
        #expect(Self.sectionError(Array(buffer.prefix(length)) + [0])?.counter == .badlen)
    }

    @Test func pfsyncReadersStopBeforeTheSection() throws {
        var writer = PFSyncPacketWriter(version: .freeBSD)
        let appended = writer.append(.compressedDelete(StateID(id: 5, creatorID: 1)))
        #expect(appended)
        let written = writer.editTrailer(reserving: 16) { base, length -> Bool in
            for index in 0..<10 { base.storeBytes(of: 0xEE, toByteOffset: length + index, as: UInt8.self) }
            length += 10
            return true
        }
        #expect(written == true)
        // No message joins a packet once its trailer is written.
        let joined = writer.append(.compressedDelete(StateID(id: 6, creatorID: 1)))
        #expect(!joined)
        let bytes = writer.finish()
        #expect(bytes.count == 20 + 4 + 12 + 4 + 10)
        #expect(Array(bytes.suffix(10)) == [UInt8](repeating: 0xEE, count: 10))
        let packet = try PFSyncPacket.decode(bytes)
        #expect(packet.messages.first == .compressedDelete(StateID(id: 5, creatorID: 1)))
        #expect(packet.error == nil)
        // Reset clears the trailer.
        #expect(writer.totalLength == 24)
    }
}
