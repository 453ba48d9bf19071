import PFSyncConfig
import Testing
@testable import PFSyncDaemon

@Suite struct FaultInjectorTests {
    @Test func sameSeedSameDecisions() {
        var settings = TestingConfig()
        settings.dropPercent = 10
        settings.duplicatePercent = 5
        settings.reorderPercent = 5
        settings.seed = 99
        var a = FaultInjector(settings: settings)
        var b = FaultInjector(settings: settings)
        for _ in 0..<1000 { #expect(a.next() == b.next()) }
    }

    @Test func ratesFollowThePercentages() {
        var settings = TestingConfig()
        settings.dropPercent = 10
        settings.duplicatePercent = 5
        settings.reorderPercent = 20
        var injector = FaultInjector(settings: settings)
        var counts: [FaultDecision: Int] = [:]
        let total = 100_000
        for _ in 0..<total { counts[injector.next(), default: 0] += 1 }
        // Binomial standard deviations are below 0.15% here; allow 1%.
        #expect(abs(Double(counts[.drop] ?? 0) / Double(total) - 0.10) < 0.01)
        #expect(abs(Double(counts[.duplicate] ?? 0) / Double(total) - 0.05) < 0.01)
        #expect(abs(Double(counts[.reorder] ?? 0) / Double(total) - 0.20) < 0.01)
    }

    @Test func noFaultsByDefault() {
        var injector = FaultInjector(settings: TestingConfig())
        #expect(!injector.isActive)
        for _ in 0..<1000 { #expect(injector.next() == .send) }
    }
}
