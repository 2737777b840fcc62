import Foundation

/// Files checked in under the package, read straight from the source tree (no SwiftPM resources).
public enum Fixtures {
    /// The package root: three levels above this file (`Tests/EvictorTestSupport/Fixtures.swift`).
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `relative` resolved against the package root, e.g. `Fixtures.url("Tests/Fixtures/kubernetes/prod")`.
    public static func url(_ relative: String) -> URL {
        packageRoot.appendingPathComponent(relative)
    }
}
