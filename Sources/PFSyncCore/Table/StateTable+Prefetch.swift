import Synchronization

extension StateTable {
    /// Starts loading the index buckets that inserting or updating `states` will probe
    /// (the id index and the key index of each), so that the cache misses of a batch
    /// overlap before the states are applied one by one (a bulk update applies a frame's
    /// states this way). A hint only: it changes nothing and takes no lock (see
    /// ``BucketHint``).
    public func prefetchBuckets(for states: UnsafeBufferPointer<PFState>) {
        guard let first = states.baseAddress else { return }
        for index in states.indices {
            let state = first + index
            let idHash = hasher.hash(state.pointee.identity)
            withIDShard(hash: idHash) { $0.hint.prefetch(hash: idHash, stride: MemoryLayout<IDIndex.Entry>.stride) }
            prefetchKeyBucket(state.pointee.wireLookupKey)
            let stack = state.pointee.stackLookupKey
            if !stack.sameKey(as: state.pointee.wireLookupKey) { prefetchKeyBucket(stack) }
        }
    }

    private func prefetchKeyBucket(_ key: StateLookupKey) {
        let hash = hasher.hash(key)
        withKeyShard(hash: hash) { $0.hint.prefetch(hash: hash, stride: MemoryLayout<KeyIndex.Entry>.stride) }
    }
}
