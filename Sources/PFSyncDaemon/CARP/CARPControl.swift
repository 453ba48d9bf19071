/// The control-socket side of CARP: `demote [N]` and the CARP part of `promote`.
public enum CARPControl {
    /// The manual demotion `demote` sets without a value: enough to lose every election
    /// (FreeBSD's largest demotion).
    public static let defaultDemotion = 240

    /// `{"command": "demote", "value": N}`: sets the manual demotion to N (0-255, default
    /// 240). Returns the control response.
    public static func demote(_ request: JSONValue, role: NodeRole) -> JSONValue {
        guard let carp = role.carp else { return ControlResponder.failure("CARP is not configured ([carp] section)") }
        var value = defaultDemotion
        if let given = request["value"] {
            guard let number = given.unsignedValue, number <= 255 else {
                return ControlResponder.failure("demote: the value must be 0 to 255")
            }
            value = Int(number)
        }
        guard carp.setManualDemotion(value) else { return ControlResponder.failure("CARP is not running yet") }
        return ControlResponder.success(.object([("demotion", .unsigned(UInt64(value))), ("role", .string(carp.current.role))]))
    }

    /// Clears the manual demotion when CARP runs (part of `promote`).
    public static func promote(role: NodeRole) {
        role.carp?.setManualDemotion(0)
    }
}
