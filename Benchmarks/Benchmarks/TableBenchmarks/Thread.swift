#if canImport(Glibc)
import Glibc
#endif

/// A joinable POSIX thread for the multi-threaded benchmarks.
final class Thread: @unchecked Sendable {
    // Invariant: `handle` is written once in init before any other thread sees the object.
    private var handle = pthread_t()
    private let body: @Sendable () -> Void

    init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
        let unmanaged = Unmanaged.passRetained(self)
        pthread_create(&handle, nil, { context in
            let thread = Unmanaged<Thread>.fromOpaque(context!).takeRetainedValue()
            thread.body()
            return nil
        }, unmanaged.toOpaque())
    }

    func join() { pthread_join(handle, nil) }
}
