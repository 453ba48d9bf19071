import PFSyncCore
import Testing
@testable import PFSyncWire

/// Hostile input never traps: prefixes, random bytes and mutations of valid packets.
@Suite("pfsync decoder on malformed input")
struct MalformedInputTests {
    /// Decodes everything, returning the number of messages and errors seen (so that the
    /// work cannot be optimised away and the result can be checked for sanity).
    static func decodeAll(_ bytes: [UInt8]) -> (messages: Int, errors: Int) {
        bytes.withUnsafeBytes { raw in
            var messages = 0
            var errors = 0
            guard var reader = try? PFSyncPacketReader(raw) else { return (0, 1) }
            while true {
                do throws(PFSyncError) {
                    guard try reader.next() != nil else { break }
                    messages += 1
                } catch {
                    errors += 1
                    if !error.isRecoverable { break }
                }
                // A packet cannot hold more messages than bytes (EOF aside).
                if messages + errors > bytes.count { break }
            }
            return (messages, errors)
        }
    }

    static var validPackets: [[UInt8]] {
        var random = RandomValues(seed: 99)
        var packets = [
            GoldenVectorTests.compressedUpdatePacket, GoldenVectorTests.insert1400Packet,
            GoldenVectorTests.openBSDInsertPacket, GoldenVectorTests.mixedPacket,
        ]
        for (version, encoding) in allFormats {
            let messages = random.messageMix(version, encoding: encoding, count: 12)
            if let bytes = encodePacket(messages, version: version, encoding: encoding) { packets.append(bytes) }
        }
        return packets
    }

    @Test("every strict prefix of a valid packet is rejected")
    func prefixes() {
        for packet in Self.validPackets {
            for cut in 0..<packet.count {
                let prefix = Array(packet[0..<cut])
                do throws(PFSyncError) {
                    _ = try PFSyncPacket.decode(prefix)
                    Issue.record("prefix of \(cut) / \(packet.count) bytes was accepted")
                } catch {
                    #expect(error.counter == (cut < 20 ? .hdrops : .badlen))
                }
            }
        }
    }

    @Test("prefixes with a header len rewritten to fit are rejected or end early, never trap")
    func prefixesWithFixedLength() throws {
        for packet in Self.validPackets {
            let complete = try PFSyncPacket.decode(packet).messages.count
            for cut in 20..<packet.count {
                var prefix = Array(packet[0..<cut])
                prefix[2] = UInt8(cut >> 8)
                prefix[3] = UInt8(cut & 0xFF)
                let decoded = try PFSyncPacket.decode(prefix)
                #expect(decoded.error != nil || decoded.messages.count < complete)
                #expect(decoded.messages.count <= complete)
            }
        }
    }

    @Test("random bytes never trap")
    func randomBytes() {
        var random = RandomValues(seed: 0xBAD)
        var decodedSomething = 0
        for round in 0..<20_000 {
            let count = Int.random(in: 0...600, using: &random.rng)
            var bytes = (0..<count).map { _ in random.u8() }
            // Most rounds get a plausible header so that the sub-header code is exercised.
            if round % 4 != 0 && count >= 20 {
                bytes[0] = round % 2 == 0 ? 5 : 6
                bytes[2] = UInt8(count >> 8)
                bytes[3] = UInt8(count & 0xFF)
            }
            let result = Self.decodeAll(bytes)
            decodedSomething += result.messages
        }
        #expect(decodedSomething > 0)
    }

    @Test("random mutations of valid packets never trap")
    func mutations() {
        var random = RandomValues(seed: 0x5EED)
        let packets = Self.validPackets
        var errors = 0
        for round in 0..<20_000 {
            var bytes = packets[round % packets.count]
            for _ in 0..<Int.random(in: 1...8, using: &random.rng) {
                let index = Int.random(in: 0..<bytes.count, using: &random.rng)
                bytes[index] = random.u8()
            }
            if round % 10 == 0 { bytes.removeLast(Int.random(in: 0...min(8, bytes.count), using: &random.rng)) }
            errors += Self.decodeAll(bytes).errors
        }
        #expect(errors > 0)
    }
}
