import EvictorCore
import LuaRuntime
import RegistryStorage

/// A fixer test case's store, instead of a registry's directory: `tags` (repository -> tag ->
/// digest, or false for a broken link), `revisions` (repository -> digests) and `blobs`
/// (digest -> size). A fixer's `store` handle answers from it as it would from a real store.
struct StoreFixture: Sendable {
    var tags: [String: [String: String?]] = [:]
    var revisions: [String: [String]] = [:]
    var blobs: [String: Int64] = [:]

    init(_ value: LuaValue) throws(ScriptingError) {
        guard case .table(let table) = value else { return }
        for (key, value) in table["tags"].tableValue?.entries ?? [:] {
            guard let repository = key.stringValue, case .table(let links) = value else {
                throw .invalidOption("store.tags: repository = { tag = digest | false }")
            }
            var entries: [String: String?] = [:]
            for (tag, digest) in links.entries {
                guard let name = tag.stringValue else { throw .invalidOption("store.tags.\(repository): tag names are strings") }
                entries[name] = digest.stringValue
            }
            tags[repository] = entries
        }
        for (key, value) in table["revisions"].tableValue?.entries ?? [:] {
            guard let repository = key.stringValue, let list = value.tableValue?.arrayValues?.compactMap(\.stringValue) else {
                throw .invalidOption("store.revisions: repository = { digest, ... }")
            }
            revisions[repository] = list
        }
        for (key, value) in table["blobs"].tableValue?.entries ?? [:] {
            guard let digest = key.stringValue, let size = value.doubleValue else { throw .invalidOption("store.blobs: digest = size") }
            blobs[digest] = Int64(size)
        }
    }

    /// The store's host functions, as `StoreHandle.functions` makes them for a real store.
    func functions(in vm: LuaVM) -> LuaValue {
        let fixture = self
        var table = LuaTable()
        table["problems"] = .function(
            vm.makeFunction(named: "store:problems") { _ in [.table(LuaTable(array: StorageProblem.allCases.map { .string(LuaString($0.rawValue)) }))]
            })
        table["repositories"] = .function(
            vm.makeFunction(named: "store:repositories") { _ in
                let names = Set(fixture.tags.keys).union(fixture.revisions.keys).sorted()
                return [.table(LuaTable(array: names.map { .string(LuaString($0)) }))]
            })
        table["tags"] = .function(
            vm.makeFunction(named: "store:tags") { arguments in
                guard let repository = arguments.first?.stringValue else { throw LuaHostError("expects a repository name") }
                var links = LuaTable()
                for (tag, digest) in fixture.tags[repository] ?? [:] { links[tag] = digest.map { .string(LuaString($0)) } ?? .boolean(false) }
                return [.table(links)]
            })
        table["revisions"] = .function(
            vm.makeFunction(named: "store:revisions") { arguments in
                guard let repository = arguments.first?.stringValue else { throw LuaHostError("expects a repository name") }
                return [.table(LuaTable(array: (fixture.revisions[repository] ?? []).map { .string(LuaString($0)) }))]
            })
        table["blob_size"] = .function(
            vm.makeFunction(named: "store:blob_size") { arguments in
                guard let text = arguments.first?.stringValue, (try? Digest(parsing: text)) != nil else {
                    throw LuaHostError("expects a sha256 digest")
                }
                return [fixture.blobs[text].map { .integer($0) } ?? .nil]
            })
        return .table(table)
    }
}
