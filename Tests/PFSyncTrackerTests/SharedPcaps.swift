import Foundation

/// Where the third-party captures are: `../shared/pcaps` beside the checkout (as CI lays
/// it out), else `/work/shared/pcaps`; `PFSYNCD_SHARED_PCAPS` overrides both. Tests that
/// need them skip with a message when the folder is absent.
enum SharedPcaps {
    static let root: String = {
        if let override = ProcessInfo.processInfo.environment["PFSYNCD_SHARED_PCAPS"], !override.isEmpty {
            return override
        }
        let checkout = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let beside = checkout.deletingLastPathComponent().appendingPathComponent("shared/pcaps").path
        if FileManager.default.fileExists(atPath: beside) { return beside }
        return "/work/shared/pcaps"
    }()
}
