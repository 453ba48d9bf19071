/// What consecutive records of one delta section share: the previous record's id (ids are
/// sent as differences from it) and the current creator id. Both start at zero in every
/// section, so a section decodes on its own.
public struct DeltaContext: Sendable, Hashable {
    /// The previous record's state id.
    public var previousID: UInt64 = 0
    /// The creator id of the previous record.
    public var creatorID: UInt32 = 0
    /// False until a record has named a creator.
    public var hasCreator = false

    /// A fresh context (the start of a section).
    public init() {}
}
