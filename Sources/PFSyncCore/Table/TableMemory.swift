#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Allocation of the table's large buffers.
///
/// A table of a million states spans hundreds of megabytes that are touched at random, so
/// with 4 KiB pages nearly every access also misses the TLB (measured here: ~1M random
/// updates/s). Buffers of 512 KiB or more are therefore rounded up to whole 2 MiB pages,
/// aligned to 2 MiB and, on Linux, advised to use transparent huge pages (`MADV_HUGEPAGE`;
/// honoured when THP is in "always" or "madvise" mode), which cuts the page walks by a
/// factor of 512. (With a 2 MiB threshold, the delta bases and id index of a 100k-state
/// table, 0.5-1.5 MiB per shard, stayed on small pages and missed the TLB on every
/// replicated update.)
/// Smaller buffers are aligned to a cache line. Everything is allocated with the C
/// allocator and must be freed with ``free(_:)``.
@usableFromInline
enum TableMemory {
    /// Size of a huge page.
    static let hugePageSize = 2 << 20
    /// Buffers from this size on get huge pages (at most 3/4 of the last page is unused).
    static let hugePageThreshold = 512 << 10
    /// Every buffer starts on a cache line, so that a bucket or slot whose stride is a
    /// whole line never straddles two.
    static let cacheLineSize = 64

    /// Uninitialised room for `count` values of `T`.
    static func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let bytes = max(1, count) * MemoryLayout<T>.stride
        var raw: UnsafeMutableRawPointer?
        if bytes >= hugePageThreshold {
            let rounded = (bytes + hugePageSize - 1) / hugePageSize * hugePageSize
            if posix_memalign(&raw, hugePageSize, rounded) == 0, let raw {
                #if os(Linux)
                _ = madvise(raw, rounded, MADV_HUGEPAGE)
                #endif
                return raw.bindMemory(to: T.self, capacity: count)
            }
        }
        guard posix_memalign(&raw, cacheLineSize, bytes) == 0, let raw else {
            fatalError("state table: out of memory allocating \(bytes) bytes")
        }
        return raw.bindMemory(to: T.self, capacity: max(1, count))
    }

    /// Frees what ``allocate(_:count:)`` returned.
    static func free<T>(_ pointer: UnsafeMutablePointer<T>) {
        #if canImport(Glibc)
        Glibc.free(pointer)
        #else
        Darwin.free(pointer)
        #endif
    }
}
