import Foundation

/// Finds the built `pfsync-replay` and `pfsyncd` binaries beside the test bundle.
enum ReplayBinaryLocator {
    /// The directory of the products of this build.
    static var productsDirectory: URL {
        let bundle = Bundle.main.bundleURL
        return bundle.deletingLastPathComponent()
    }
}
