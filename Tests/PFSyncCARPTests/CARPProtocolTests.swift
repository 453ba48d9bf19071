import Testing
@testable import PFSyncCARP

@Suite struct CARPProtocolTests {
    @Test func headerIsThirtySixBytes() {
        #expect(CARPProtocol.headerSize == 36)
        #expect(CARPProtocol.ipProtocol == 112)
    }
}
