import EvictorCore
import EvictorTestSupport
import Foundation
import RegistryStorage
import Testing

/// The local driver, except that listing or reading a path containing `failing` fails, as a
/// bucket that stops answering part way would.
struct FailingDriver: StorageDriver {
    let local = LocalStorageDriver()
    let failing: String
    /// Walk subtrees as an object store would (see `WalkingDriver`).
    var walks = false

    var location: String { "failing disk" }
    var parallelism: Int { 4 }
    var prefersWalks: Bool { walks }

    private func check(_ path: String) throws(StorageError) {
        if path.contains(failing) { throw .cannotRead(path, reason: "injected failure") }
    }

    func list(_ path: String) throws(StorageError) -> [String] {
        try check(path)
        return try local.list(path)
    }
    func listDirectories(_ path: String) throws(StorageError) -> [String] {
        try check(path)
        return try local.listDirectories(path)
    }
    func walk(_ path: String) throws(StorageError) -> [StoredFile] {
        try check(path)
        return try local.walk(path)
    }
    func walk(_ path: String, namePrefix: String) throws(StorageError) -> [StoredFile] {
        try check("\(path)/\(namePrefix)")
        return try local.walk(path).filter { $0.path.hasPrefix(namePrefix) }
    }
    func read(_ path: String, limit: Int) throws(StorageError) -> [UInt8]? {
        try check(path)
        return try local.read(path, limit: limit)
    }
    func size(_ path: String) throws(StorageError) -> Int64? { try local.size(path) }
    func exists(_ path: String) throws(StorageError) -> Bool { try local.exists(path) }
    func isDirectory(_ path: String) throws(StorageError) -> Bool { try local.isDirectory(path) }
    func write(_ path: String, _ bytes: [UInt8]) throws(StorageError) { try local.write(path, bytes) }
    func append(_ bytes: [UInt8], to path: String) throws(StorageError) { try local.append(bytes, to: path) }
    func move(_ source: String, to destination: String) throws(StorageError) { try local.move(source, to: destination) }
    func delete(_ path: String) throws(StorageError) { try local.delete(path) }
    func makeUniqueDirectory(_ base: String) throws(StorageError) -> String { try local.makeUniqueDirectory(base) }
}

@Suite("a driver that fails part way: gc and scan abort, nothing looks unreferenced")
struct FailingDriverTests {
    @Test(
        "a failed listing or read of links or manifests aborts the plan",
        arguments: ["_manifests/revisions", "_manifests/tags", "/blobs/sha256/", "repositories/team"], [false, true])
    func planAborts(failing: String, walks: Bool) throws {
        let store = try StoreFixture()
        defer { store.cleanup() }
        let image = try store.image("team/app", tags: ["v1"], seed: "failing-a")
        _ = try store.image("team/other", tags: ["x"], seed: "failing-b")
        let healthy = try GarbageCollector(layout: store.layout()).plan()
        #expect(healthy.blobs.isEmpty)
        let layout = try StorageLayout(driver: FailingDriver(failing: failing, walks: walks), root: store.root.path)
        #expect(throws: StorageError.self) { try GarbageCollector(layout: layout).plan() }
        #expect(throws: StorageError.self) { try StorageScanner(layout: layout).scan() }
        // A manifest blob that cannot be read is an error, not a missing manifest.
        let manifest = try StorageLayout(driver: FailingDriver(failing: hex(image.digest), walks: walks), root: store.root.path)
        #expect(throws: StorageError.self) { try GarbageCollector(layout: manifest).plan() }
    }
}
