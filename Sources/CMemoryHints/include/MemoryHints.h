#ifndef PFSYNCD_MEMORY_HINTS_H
#define PFSYNCD_MEMORY_HINTS_H

/// Asks the CPU to start loading the cache line at `address` (a hint: never faults, never
/// changes memory). The table uses it to overlap the cache misses of a batch of states.
static inline void pfsyncd_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// Like pfsyncd_prefetch, for a line about to be written.
static inline void pfsyncd_prefetch_for_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
