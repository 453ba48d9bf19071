/// Why CARP cannot start (a configuration problem or a socket that cannot be opened).
public struct CARPSetupError: Error, Sendable, CustomStringConvertible {
    /// The one-line reason.
    public let description: String

    /// Wraps a reason.
    public init(_ description: String) { self.description = description }
}
