extension IPAddress {
    /// `addr:port` for IPv4, `addr[port]` for IPv6, as `pfctl -ss` prints a state's ends.
    public func endpoint(port: UInt16, family: AddressFamily) -> String {
        family == .inet ? "\(formatted(family)):\(port)" : "\(formatted(family))[\(port)]"
    }
}
