import EvictorCore
import Foundation
import LuaRuntime
import RegistryStorage

/// A storage fixer: `evictor.fixer { name, description, options, check = function(store, opts),
/// fix = function(finding, actions, opts) }`, in its own sandboxed VM. `check` picks the scan
/// findings it handles (it may read the store); `fix` records actions; the engine applies them.
public final class FixerPlugin: Sendable {
    public let name: String
    public let file: String
    public let description: String
    /// The options it declares (`--option NAME.KEY=VALUE`).
    public let options: [PluginOption]
    let engine: LuaEngine
    let check: LuaFunctionReference
    let fix: LuaFunctionReference
    /// `file:line` where `check` and `fix` are defined.
    let checkLocation: String
    let fixLocation: String
    /// The fixer runtime's entry point (`fixer_prelude.lua`'s run_fix), private to the engine.
    let runFix: LuaFunctionReference

    private init(
        name: String, file: String, description: String, options: [PluginOption], engine: LuaEngine, check: LuaFunctionReference,
        fix: LuaFunctionReference, checkLocation: String, fixLocation: String, runFix: LuaFunctionReference
    ) {
        self.name = name
        self.file = file
        self.description = description
        self.options = options
        self.engine = engine
        self.check = check
        self.fix = fix
        self.checkLocation = checkLocation
        self.fixLocation = fixLocation
        self.runFix = runFix
    }

    /// Loads a fixer file; the store it may read is `layout`.
    public static func load(
        file: String, layout: StorageLayout, pluginPath: PluginPath, limits: LuaLimits = PolicyPlugin.defaultLimits, log: @escaping LuaLogHandler
    ) async throws(ScriptingError) -> FixerPlugin {
        try await load(script: PluginScript(file: file), layout: layout, pluginPath: pluginPath, limits: limits, log: log)
    }

    /// Loads a fixer (a file or a built-in; `file` is then its `displayName`); the store it
    /// may read is `layout`.
    public static func load(
        script: PluginScript, layout: StorageLayout, pluginPath: PluginPath, limits: LuaLimits = PolicyPlugin.defaultLimits,
        log: @escaping LuaLogHandler
    ) async throws(ScriptingError) -> FixerPlugin {
        try await load(script: script, store: { vm in StoreHandle.functions(layout, in: vm) }, pluginPath: pluginPath, limits: limits, log: log)
    }

    /// Loads a fixer whose `store` handle is answered by `store` (the store's host functions:
    /// a real layout's, or a test case's fixture).
    static func load(
        script: PluginScript, store: @escaping @Sendable (LuaVM) -> LuaValue, pluginPath: PluginPath, limits: LuaLimits = PolicyPlugin.defaultLimits,
        log: @escaping LuaLogHandler
    ) async throws(ScriptingError) -> FixerPlugin {
        let file = script.displayName
        let loaded = try await PluginSpecLoader.load(
            script: script, kind: "fixer", pluginPath: pluginPath, limits: limits, log: log, runtime: "fixer_prelude.lua",
            runtimeArguments: { vm in [store(vm)] }
        )
        let (engine, spec) = (loaded.engine, loaded.spec)
        guard let name = spec["name"].stringValue, let runFix = loaded.runtime,
            case .function(let check) = spec["check"], case .function(let fix) = spec["fix"]
        else {
            throw .invalidSpec(
                file: file,
                reason: "must return evictor.fixer { name = ..., check = function(store) ... end, fix = function(finding, actions) ... end }")
        }
        let (checkLocation, fixLocation) = await engine.withVM { vm in (vm.location(of: check), vm.location(of: fix)) }
        return FixerPlugin(
            name: name, file: file, description: spec["description"].stringValue ?? "",
            options: try PluginOption.parseDeclarations(spec["options"], file: file), engine: engine, check: check, fix: fix,
            checkLocation: checkLocation, fixLocation: fixLocation, runFix: runFix
        )
    }

    /// The options table `check` and `fix` get: defaults, then `KEY=VALUE` settings, checked.
    public func resolveOptions(settings: [(String, String)]) throws(ScriptingError) -> LuaValue {
        try PluginOption.resolve(options, owner: "fixer \(name)", settings: settings)
    }

    /// Runs `check` over the scan's findings and `fix` on each it picked; returns the actions.
    public func actions(for findings: [StorageFinding], options: LuaValue = .table(LuaTable())) async throws(ScriptingError) -> [FixAction] {
        let results: [LuaValue]
        do {
            results = try await engine.call(
                runFix,
                [
                    .function(check), .function(fix), .table(LuaTable(array: findings.map(Self.luaValue))),
                    .string(LuaString(checkLocation)), .string(LuaString(fixLocation)), options,
                ])
        } catch let error as LuaError {
            throw .lua(plugin: file, error)
        } catch let error as ScriptingError {
            throw error
        } catch {
            throw .invalidSpec(file: file, reason: "\(error)")
        }
        guard case .table(let list)? = results.first else { return [] }
        return (list.arrayValues ?? []).compactMap { value in
            guard case .table(let fields) = value, let kindName = fields["kind"].stringValue, let kind = FixAction.Kind(rawValue: kindName),
                let reason = fields["reason"].stringValue
            else { return nil }
            return FixAction(
                kind: kind, repository: fields["repository"].stringValue, tag: fields["tag"].stringValue, digest: fields["digest"].stringValue,
                path: fields["path"].stringValue, reason: reason, fixer: name)
        }
    }

    static func luaValue(_ finding: StorageFinding) -> LuaValue {
        var table = LuaTable()
        table["problem"] = .string(LuaString(finding.problem.rawValue))
        table["repository"] = .string(LuaString(finding.repository))
        if let tag = finding.tag { table["tag"] = .string(LuaString(tag)) }
        if let digest = finding.digest { table["digest"] = .string(LuaString(digest)) }
        table["path"] = .string(LuaString(finding.path))
        table["detail"] = .string(LuaString(finding.detail))
        table["tags"] = .table(LuaTable(array: finding.tags.map { .string(LuaString($0)) }))
        return .table(table)
    }
}

/// Read-only host functions behind a fixer's `store` handle: a table for the fixer runtime,
/// under no global name.
enum StoreHandle {
    static func functions(_ layout: StorageLayout, in vm: LuaVM) -> LuaValue {
        var table = LuaTable()
        table["problems"] = .function(
            vm.makeFunction(named: "store:problems") { _ in
                [.table(LuaTable(array: StorageProblem.allCases.map { .string(LuaString($0.rawValue)) }))]
            })
        table["repositories"] = .function(
            vm.makeFunction(named: "store:repositories") { _ in
                [.table(LuaTable(array: try layout.repositoryNames().map { .string(LuaString($0)) }))]
            })
        table["tags"] = .function(tags(layout, in: vm))
        table["revisions"] = .function(
            vm.makeFunction(named: "store:revisions") { arguments in
                guard let repository = arguments.first?.stringValue else { throw LuaHostError("expects a repository name") }
                return [.table(LuaTable(array: try layout.links(of: repository).revisions.map { .string(LuaString($0.description)) }))]
            })
        table["blob_size"] = .function(blobSize(layout, in: vm))
        return .table(table)
    }

    private static func tags(_ layout: StorageLayout, in vm: LuaVM) -> LuaFunctionReference {
        vm.makeFunction(named: "store:tags") { arguments in
            guard let repository = arguments.first?.stringValue else { throw LuaHostError("expects a repository name") }
            var table = LuaTable()
            for (tag, digest) in try layout.links(of: repository).tags {
                table[tag] = digest.map { .string(LuaString($0.description)) } ?? .boolean(false)
            }
            return [.table(table)]
        }
    }

    private static func blobSize(_ layout: StorageLayout, in vm: LuaVM) -> LuaFunctionReference {
        vm.makeFunction(named: "store:blob_size") { arguments in
            guard let text = arguments.first?.stringValue, let digest = try? Digest(parsing: text) else {
                throw LuaHostError("expects a sha256 digest")
            }
            return [try layout.blobSize(digest).map { .integer($0) } ?? .nil]
        }
    }
}
