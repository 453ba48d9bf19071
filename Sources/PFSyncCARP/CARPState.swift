/// The state of one virtual host.
public enum CARPState: String, Sendable, Hashable {
    /// Not started (or stopped).
    case initial = "init"
    /// Another node is master; waiting for its advertisements to stop.
    case backup
    /// This node holds the virtual addresses and advertises.
    case master
}
