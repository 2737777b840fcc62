import EvictorCore
import Foundation
import LuaRuntime

/// Runs a source's `collect(opts, host)` and turns its result into inventory images.
///
/// `collect` returns a list of `{ image = "ref", seen_at = "where" | {"where", ...},
/// digest = "sha256:..." (optional), last_wanted = "RFC 3339" | unix seconds (optional) }`.
/// Any entry that is not a valid reference fails the whole source: a short inventory is
/// worse than none.
public enum SourceRunner {
    /// Runs the source. `environment`: what its `host.env` and commands may see (secrets withheld).
    public static func collect(
        _ plugin: SourcePlugin, options: LuaValue, pulled: PulledImages? = nil, environment: SourceEnvironment = SourceEnvironment()
    ) async throws(ScriptingError) -> [InventoryImage] {
        try await collect(plugin, options: options) { vm in
            SourceHost.install(plugin.capabilities, source: plugin.name, in: vm, pulled: pulled, environment: environment)
        }
    }

    /// Runs the source against a test case's recording instead of the machine.
    static func collect(_ plugin: SourcePlugin, options: LuaValue, recording: SourceRecording) async throws(ScriptingError) -> [InventoryImage] {
        try await collect(plugin, options: options) { vm in recording.host(plugin.capabilities, in: vm) }
    }

    private static func collect(
        _ plugin: SourcePlugin, options: LuaValue, host makeHost: @escaping @Sendable (LuaVM) -> LuaValue
    ) async throws(ScriptingError) -> [InventoryImage] {
        let results: [LuaValue]
        do {
            let host = await plugin.engine.withVM { vm in makeHost(vm) }
            results = try await plugin.engine.call(plugin.collect, [options, host])
        } catch let error as LuaError {
            throw .sourceFailed(source: plugin.name, reason: error.description)
        } catch {
            throw .sourceFailed(source: plugin.name, reason: "\(error)")
        }
        guard case .table(let table)? = results.first, let entries = table.arrayValues else {
            throw .invalidResult(source: plugin.name, reason: "collect must return a list of images (got \(results.first?.typeName ?? "nothing"))")
        }
        var images: [InventoryImage] = []
        images.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            images.append(try image(from: entry, index: index + 1, source: plugin.name))
        }
        return images
    }

    static func image(from entry: LuaValue, index: Int, source: String) throws(ScriptingError) -> InventoryImage {
        guard case .table(let fields) = entry, let text = fields["image"].stringValue else {
            throw .invalidResult(source: source, reason: "entry \(index) has no 'image' string")
        }
        var reference: ImageReference
        do {
            reference = try ImageReference(parsing: text)
            if let digest = fields["digest"].stringValue, !digest.isEmpty, reference.digest == nil {
                reference = try ImageReference(parsing: "\(text)@\(digest)")
            }
        } catch {
            throw .invalidResult(source: source, reason: "entry \(index): \(error.description)")
        }
        var seen: [String] = []
        switch fields["seen_at"] {
        case .string(let where_): seen = [where_.description]
        case .table(let list): seen = (list.arrayValues ?? []).compactMap(\.stringValue)
        case .nil: seen = [source]
        default: throw .invalidResult(source: source, reason: "entry \(index): 'seen_at' must be a string or a list")
        }
        var wanted: Date?
        switch fields["last_wanted"] {
        case .nil: break
        case .integer(let seconds): wanted = Date(timeIntervalSince1970: TimeInterval(seconds))
        case .number(let seconds): wanted = Date(timeIntervalSince1970: seconds)
        case .string(let stamp):
            guard let parsed = Timestamp.parse(stamp.description) else {
                throw .invalidResult(source: source, reason: "entry \(index): 'last_wanted' is not an RFC 3339 time")
            }
            wanted = parsed
        default:
            throw .invalidResult(source: source, reason: "entry \(index): 'last_wanted' must be a time")
        }
        return InventoryImage(reference: reference, seenAt: seen, lastWanted: wanted, sources: [source])
    }
}
