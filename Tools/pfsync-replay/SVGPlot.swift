import Foundation

/// `--plot FILE.svg`: a self-contained SVG of updates/s at the master (the primary, then
/// the promoted backup) and changes applied/s at the backup over time, with the failover
/// moment and the sessions lost.
enum SVGPlot {
    /// The failover marker.
    struct Marker {
        var seconds: Double
        var label: String
    }

    static func write(samples: [TimelineSampler.Sample], failover: Marker?, to path: String) throws {
        let series = rates(samples)
        let width = 800.0, height = 400.0, left = 70.0, right = 20.0, top = 40.0, bottom = 50.0
        let maxTime = max(series.last?.seconds ?? 1, failover?.seconds ?? 0, 0.001)
        let maxRate = max(1, series.map { max($0.master, $0.applied) }.max() ?? 1) * 1.1
        func x(_ t: Double) -> Double { left + t / maxTime * (width - left - right) }
        func y(_ r: Double) -> Double { height - bottom - r / maxRate * (height - top - bottom) }
        func polyline(_ values: [(Double, Double)], color: String) -> String {
            let points = values.map { String(format: "%.1f,%.1f", x($0.0), y($0.1)) }.joined(separator: " ")
            return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(points)\"/>\n"
        }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="20" font-size="14">pfsync-replay: state updates per second</text>
            <line x1="\(left)" y1="\(height - bottom)" x2="\(width - right)" y2="\(height - bottom)" stroke="black"/>
            <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(height - bottom)" stroke="black"/>
            <text x="\(width / 2)" y="\(height - 15)" text-anchor="middle">seconds</text>
            <text x="\(left - 5)" y="\(top)" text-anchor="end">\(Int(maxRate))</text>
            <text x="\(left - 5)" y="\(height - bottom)" text-anchor="end">0</text>
            <text x="\(width - right)" y="\(height - bottom + 15)" text-anchor="end">\(String(format: "%.1f", maxTime))</text>

            """
        svg += polyline(series.map { ($0.seconds, $0.master) }, color: "#1f77b4")
        svg += polyline(series.map { ($0.seconds, $0.applied) }, color: "#ff7f0e")
        svg += "<text x=\"\(width - 260)\" y=\"\(top)\" fill=\"#1f77b4\">updates/s ingested at the master</text>\n"
        svg += "<text x=\"\(width - 260)\" y=\"\(top + 15)\" fill=\"#ff7f0e\">updates/s applied at the backup</text>\n"
        if let failover {
            let fx = x(failover.seconds)
            svg += "<line x1=\"\(fx)\" y1=\"\(top)\" x2=\"\(fx)\" y2=\"\(height - bottom)\" stroke=\"red\" stroke-dasharray=\"4 3\"/>\n"
            svg += "<text x=\"\(fx + 4)\" y=\"\(top + 35)\" fill=\"red\">\(escape(failover.label))</text>\n"
        }
        svg += "</svg>\n"
        try svg.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Per-interval rates: (time, master ingestion/s, backup applied/s).
    static func rates(_ samples: [TimelineSampler.Sample]) -> [(seconds: Double, master: Double, applied: Double)] {
        var result: [(seconds: Double, master: Double, applied: Double)] = []
        for (previous, current) in zip(samples, samples.dropFirst()) {
            let dt = current.seconds - previous.seconds
            guard dt > 0 else { continue }
            func delta(_ a: UInt64?, _ b: UInt64?) -> Double {
                guard let a, let b, b >= a else { return 0 }
                return Double(b - a)
            }
            let master = delta(previous.primaryIngested, current.primaryIngested)
                + delta(previous.backupIngested, current.backupIngested)
            let applied = delta(previous.backupApplied, current.backupApplied)
            result.append((current.seconds, master / dt, applied / dt))
        }
        return result
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}
