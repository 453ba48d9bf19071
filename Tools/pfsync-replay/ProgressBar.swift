#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar with the live rate on stderr, drawn only when stderr is a
/// terminal, at most ten times a second.
final class ProgressBar {
    private let enabled: Bool
    private let start = Clock.nanos()
    private var lastDraw: UInt64 = 0
    private var lastPackets = 0
    private var drawn = false

    init(enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.enabled = enabled
    }

    /// Redraws when 100 ms passed since the last drawing.
    func update(packets: Int, planned: Int?) {
        guard enabled else { return }
        let now = Clock.nanos()
        guard now &- lastDraw >= 100_000_000 else { return }
        let seconds = Double(now &- lastDraw) / 1e9
        let rate = lastDraw == 0 ? 0 : Double(packets - lastPackets) / seconds
        lastDraw = now
        lastPackets = packets
        let width = 30
        var line = "\r"
        if let planned, planned > 0 {
            let done = min(width, packets * width / planned)
            line += "[" + String(repeating: "#", count: done) + String(repeating: "-", count: width - done) + "] "
            line += "\(packets * 100 / planned)% "
        }
        let elapsed = Double(now &- start) / 1e9
        line += "\(packets) packets  \(Int(rate)) pkt/s  \(Int(elapsed))s  "
        write(line)
        drawn = true
    }

    /// Ends the line.
    func finish() {
        guard enabled, drawn else { return }
        write("\n")
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
