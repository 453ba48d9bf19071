import Testing
@testable import PFSyncDaemon

/// The flow-control window fits what the sync socket's receive buffer holds.
@Suite struct ReceiveBufferWindowTests {
    @Test func linuxDefaultBuffersAllowAboutEightyFullFrames() {
        // rmem_max 212992: the kernel reports twice that for SO_RCVBUF.
        let frames = ReceiveBufferWindow.framesInFlight(configured: 1024, receiveBufferBytes: 425_984, maxDatagramSize: 1472)
        let perFrame: Int = 2 * 1472 + 1024
        let usable: Int = 425_984 / 4 * 3
        #expect(frames == UInt64(usable / perFrame))
        #expect(frames >= 70 && frames <= 90)
    }

    @Test func aLargeBufferKeepsTheConfiguredLimit() {
        #expect(ReceiveBufferWindow.framesInFlight(configured: 1024, receiveBufferBytes: 8 << 20, maxDatagramSize: 1472) == 1024)
    }

    @Test func jumboFramesNeedMoreBufferPerFrame() {
        let standard = ReceiveBufferWindow.framesInFlight(configured: 4096, receiveBufferBytes: 8 << 20, maxDatagramSize: 1472)
        let jumbo = ReceiveBufferWindow.framesInFlight(configured: 4096, receiveBufferBytes: 8 << 20, maxDatagramSize: 8972)
        #expect(jumbo < standard / 4)
    }

    @Test func aTinyBufferStillLetsSomeFramesOutAndOffStaysOff() {
        #expect(ReceiveBufferWindow.framesInFlight(configured: 1024, receiveBufferBytes: 4096, maxDatagramSize: 1472)
            == ReceiveBufferWindow.minimumFrames)
        #expect(ReceiveBufferWindow.framesInFlight(configured: 0, receiveBufferBytes: 425_984, maxDatagramSize: 1472) == 0)
        #expect(ReceiveBufferWindow.framesInFlight(configured: 1024, receiveBufferBytes: 0, maxDatagramSize: 1472) == 1024)
    }
}
