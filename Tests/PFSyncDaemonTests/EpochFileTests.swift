import Foundation
import PFSyncDaemon
import Testing

/// Every start gets a larger epoch than the last, even within one second.
@Suite struct EpochFileTests {
    @Test func startsInTheSameSecondGetLargerEpochs() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("epoch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = EpochFile.path(controlSocket: directory.appendingPathComponent("pfsyncd.sock").path)

        let first = EpochFile.next(path: path, now: 1_800_000_000)
        #expect(first.epoch == 1_800_000_000)
        #expect(first.problem == nil)
        #expect(EpochFile.next(path: path, now: 1_800_000_000).epoch == 1_800_000_001)
        #expect(EpochFile.next(path: path, now: 1_800_000_000).epoch == 1_800_000_002)
        // A clock that went back still gets a larger epoch; a later clock wins.
        #expect(EpochFile.next(path: path, now: 1_799_999_000).epoch == 1_800_000_003)
        #expect(EpochFile.next(path: path, now: 1_800_000_100).epoch == 1_800_000_100)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "1800000100\n")

        // A file that does not hold a number is replaced.
        try "garbage".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(EpochFile.next(path: path, now: 1_800_000_000).epoch == 1_800_000_000)
    }

    @Test func anUnwritableDirectoryFallsBackToTheClock() {
        let result = EpochFile.next(path: "/nonexistent-pfsyncd-dir/pfsyncd.sock.epoch", now: 1_800_000_000)
        #expect(result.epoch == 1_800_000_000)
        #expect(result.problem?.contains("No such file or directory") == true)
    }
}
