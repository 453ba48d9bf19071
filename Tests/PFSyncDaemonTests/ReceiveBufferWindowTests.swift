import Testing
@testable import PFSyncDaemon

/// The receive window a node says in HELLO fits what its sync socket's buffer holds.
@Suite struct ReceiveBufferWindowTests {
    @Test func linuxDefaultBuffersHoldAboutEightyFullFrames() {
        // rmem_max 212992: the kernel reports twice that for SO_RCVBUF.
        let frames = ReceiveBufferWindow.frames(receiveBufferBytes: 425_984, maxDatagramSize: 1472)
        let perFrame: Int = 2 * 1472 + 1024
        let usable: Int = 425_984 / 4 * 3
        #expect(frames == UInt64(usable / perFrame))
        #expect(frames >= 70 && frames <= 90)
    }

    @Test func aFourMebibyteBufferHoldsAboutAThousand() {
        let frames = ReceiveBufferWindow.frames(receiveBufferBytes: 8 << 20, maxDatagramSize: 1472)
        #expect(frames > 1_500 && frames < 1_700)
    }

    @Test func jumboFramesNeedMoreBufferPerFrame() {
        let standard = ReceiveBufferWindow.frames(receiveBufferBytes: 8 << 20, maxDatagramSize: 1472)
        let jumbo = ReceiveBufferWindow.frames(receiveBufferBytes: 8 << 20, maxDatagramSize: 8972)
        #expect(jumbo < standard / 4)
    }

    @Test func aTinyBufferStillSaysSomeFramesAndAnUnknownOneSaysNothing() {
        #expect(ReceiveBufferWindow.frames(receiveBufferBytes: 4096, maxDatagramSize: 1472) == ReceiveBufferWindow.minimumFrames)
        #expect(ReceiveBufferWindow.frames(receiveBufferBytes: 0, maxDatagramSize: 1472) == 0)
    }
}
