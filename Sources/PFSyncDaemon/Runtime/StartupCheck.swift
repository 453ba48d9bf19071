import NIOCore
import NIOPosix
import PFSyncConfig
import PFSyncCore

#if canImport(Glibc)
import Glibc
#endif

/// `pfsyncd run --check`: what a start would run into, found without starting anything.
///
/// ``DaemonPlan`` already refuses what the daemon refuses (bad keys, the key file, address
/// families). This looks at the machine the way the services will when they start: the
/// interfaces named, the capture files, the sync address, the directories of the sockets,
/// and the CARP setup.
public enum StartupCheck {
    /// The problems a start of `plan` would meet on this machine (empty: none found).
    public static func problems(plan: DaemonPlan) -> [String] {
        let config = plan.config
        let devices = (try? System.enumerateDevices()) ?? []
        var problems: [String] = []
        for name in config.capture.interfaces where !interfaceExists(name) {
            problems.append("capture.interfaces: no interface \"\(name)\" on this machine")
        }
        for path in config.capture.files where access(path, R_OK) != 0 {
            problems.append("capture.files: cannot read \"\(path)\" (\(SystemError.text()))")
        }
        if let name = config.sync.interface, !interfaceExists(name) {
            problems.append("sync.interface: no interface \"\(name)\" on this machine")
        }
        if let listen = plan.endpoints.bind.ipAddress, !isWildcard(listen),
            !devices.contains(where: { $0.address?.ipAddress == listen })
        {
            problems.append("sync.listen: \(listen) is not an address of this machine")
        }
        let endpoints = plan.endpoints
        if endpoints.group == nil, endpoints.destination.port == endpoints.bind.port,
            endpoints.destination.ipAddress == endpoints.bind.ipAddress
        {
            problems.append("sync.peer: is this node's own address and port: frames would come back to it")
        }
        if let problem = directoryProblem(forSocket: config.controlSocket) {
            problems.append("control.socket: \(problem)")
        }
        if let feed = config.capture.feed, let problem = directoryProblem(forSocket: feed) {
            problems.append("capture.feed: \(problem)")
        }
        if let carp = config.carp {
            do {
                _ = try CARPPlan(config: carp, devices: devices)
            } catch {
                problems.append("\(error)")
            }
        }
        return problems
    }

    /// What `plan` would run, one line per part, for the operator to read.
    public static func summary(plan: DaemonPlan) -> [String] {
        let config = plan.config
        var lines: [String] = []
        let endpoints = plan.endpoints
        let destination = endpoints.group == nil ? "peer" : "multicast group"
        if config.sync.mode == .pfsync {
            lines.append(
                config.sync.pfsyncVersion == 6
                    ? "mode      pfsync: raw IP protocol 240, version 6 (OpenBSD), no key"
                    : "mode      pfsync: raw IP protocol 240, version 5, state format \(config.sync.stateFormat), no key")
            lines.append(
                "sync      interface \(config.sync.interface ?? "?"), \(destination) \(endpoints.destination.ipAddress ?? "?"), packets up to \(endpoints.maxDatagramSize) bytes"
            )
        } else {
            lines.append(
                "mode      pfsyncd: UDP, authenticated (key \(config.sync.keyFile ?? "?")), LZ4, GSO \(onOff(config.sync.segmentationOffload))"
            )
            lines.append(
                "sync      \(SyncEndpoints.text(endpoints.bind)) -> \(destination) \(SyncEndpoints.text(endpoints.destination)), datagrams up to \(endpoints.maxDatagramSize) bytes"
            )
        }
        lines.append("node id   \(config.nodeID) (creatorid \(Hex.u32(config.nodeID)))")
        lines.append(
            "flush     every \(number(config.sync.flushIntervalMilliseconds)) ms, maxupd \(config.sync.maxUpdates), defer \(onOff(config.sync.deferral)), delta updates \(onOff(config.sync.deltaUpdates && config.sync.mode == .pfsyncd))"
        )
        let sources = plan.sources.map(describe)
        lines.append("sources   " + (sources.isEmpty ? "none (replication only)" : sources.joined(separator: ", ")))
        lines.append(
            "table     \(config.shards ?? StateTable.defaultShardCount) shards, \(config.reserveStates) states reserved")
        lines.append("control   \(config.controlSocket)" + (config.metricsListen.map { ", metrics on \($0)" } ?? ""))
        if let carp = config.carp {
            lines.append(
                "carp      vhid \(carp.vhid) on \(carp.interface ?? "?"), advbase \(carp.advbase), advskew \(carp.advskew), preempt \(onOff(carp.preempt)), \(carp.virtualAddresses.count) virtual address(es)"
            )
        } else {
            lines.append("carp      off")
        }
        return lines
    }

    private static func describe(_ source: CaptureSource) -> String {
        switch source {
        case .interface(let name, let filter, _):
            return "interface \(name)" + (filter.map { " (filter \"\($0)\")" } ?? "")
        case .file(let path, let rate):
            return "file \(path)" + (rate > 0 ? " at \(number(rate))x" : "")
        case .feed(let path):
            return "feed \(path)"
        case .synthetic:
            return "synthetic load"
        }
    }

    private static func interfaceExists(_ name: String) -> Bool {
        if_nametoindex(name) != 0
    }

    private static func isWildcard(_ address: String) -> Bool {
        address == "0.0.0.0" || address == "::"
    }

    /// Why a Unix socket could not be created at `path`, or nil.
    private static func directoryProblem(forSocket path: String) -> String? {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        guard access(directory, W_OK | X_OK) == 0 else {
            return "cannot create \(path): directory \(directory): \(SystemError.text())"
        }
        return nil
    }

    private static func onOff(_ value: Bool) -> String { value ? "on" : "off" }

    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
