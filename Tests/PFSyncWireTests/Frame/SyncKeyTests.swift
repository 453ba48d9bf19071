import PFSyncWire
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Sync key loading")
struct SyncKeyTests {
    /// Writes `bytes` to a fresh temporary file with `mode` and returns its path.
    private func keyFile(_ bytes: [UInt8], mode: mode_t) throws -> String {
        var template = Array("/tmp/pfsyncd-key-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        try #require(written == bytes.count)
        try #require(fchmod(descriptor, mode) == 0)
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func loadError(_ path: String, allow: Bool = false) -> SyncKeyError? {
        do throws(SyncKeyError) {
            _ = try SyncKey.load(path: path, allowAccessByOthers: allow)
            return nil
        } catch {
            return error
        }
    }

    @Test("a private key file loads, every byte of it")
    func goodFile() throws {
        let path = try keyFile(FrameFixtures.keyBytes, mode: 0o600)
        defer { unlink(path) }
        let loaded = try SyncKey.load(path: path)
        #expect(loaded.byteCount == FrameFixtures.keyBytes.count)
        // Same bytes as the in-memory fixture: the frames it seals open with the fixture key.
        var sealer = SyncFrameSealer(key: loaded, senderID: 1, epoch: 1)
        var opener = SyncFrameOpener(key: try FrameFixtures.key())
        #expect((try? opener.open(try sealer.seal(kind: .hello, sequence: 0, payload: [1]))) != nil)
    }

    @Test("a file others may read is refused unless explicitly allowed")
    func permissive() throws {
        let path = try keyFile(FrameFixtures.keyBytes, mode: 0o644)
        defer { unlink(path) }
        guard case .accessibleByOthers(path: path, mode: let mode) = loadError(path) else {
            Issue.record("expected accessibleByOthers")
            return
        }
        #expect(mode & 0o777 == 0o644)
        #expect(loadError(path, allow: true) == nil)
    }

    @Test("empty, short and oversized keys are refused")
    func badLengths() throws {
        let empty = try keyFile([], mode: 0o600)
        let short = try keyFile(Array(repeating: 1, count: 15), mode: 0o600)
        let exact = try keyFile(Array(repeating: 1, count: 16), mode: 0o400)
        let huge = try keyFile(Array(repeating: 1, count: 5_000), mode: 0o600)
        defer { for path in [empty, short, exact, huge] { unlink(path) } }
        #expect(loadError(empty) == .empty)
        #expect(loadError(short) == .tooShort(length: 15))
        #expect(loadError(exact) == nil)
        #expect(loadError(huge) == .tooLong(length: SyncKey.maximumLength + 1))
    }

    @Test("missing files and directories are reported")
    func notAFile() {
        guard case .cannotOpen = loadError("/nonexistent/pfsyncd.key") else {
            Issue.record("expected cannotOpen")
            return
        }
        #expect(loadError("/tmp") == .notARegularFile(path: "/tmp"))
        #expect(SyncKeyError.tooShort(length: 3).description.contains("at least 16"))
    }
}
