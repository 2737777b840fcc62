import EvictorCore
import Foundation
import LuaRuntime

/// What `decide` gets as `ctx`.
public struct PolicyContext: Sendable {
    public var now: Date
    /// From `PolicyPlugin.resolveOptions`.
    public var options: LuaValue
    /// `host:port`.
    public var registry: String
    /// Images in the inventory, and how many are on this registry; nil without an inventory.
    public var inventory: (images: Int, onRegistry: Int)?
    /// From when the usage store has data for this registry (nil: no store, or no data).
    public var usageSince: Date?

    public init(now: Date = Date(), options: LuaValue, registry: String, inventory: (images: Int, onRegistry: Int)?) {
        self.now = now
        self.options = options
        self.registry = registry
        self.inventory = inventory
    }

    var luaValue: LuaValue {
        var table = LuaTable()
        table["now"] = .number(now.timeIntervalSince1970)
        if let usageSince { table["usage_since"] = .number(usageSince.timeIntervalSince1970) }
        table["options"] = options
        table["registry"] = .string(LuaString(registry))
        if let inventory {
            var counts = LuaTable()
            counts["images"] = .integer(Int64(inventory.images))
            counts["on_registry"] = .integer(Int64(inventory.onRegistry))
            table["inventory"] = .table(counts)
        }
        return .table(table)
    }
}

/// Runs a policy's `decide` on repositories and turns its marks into `PolicyVerdicts`.
public enum PolicyRunner {
    /// The policy's verdicts for one repository of a registry snapshot.
    public static func decide(_ policy: PolicyPlugin, snapshot: RepositorySnapshot, context: PolicyContext) async throws(ScriptingError)
        -> PolicyVerdicts
    {
        try await decide(policy, view: PolicyRepositoryView(snapshot: snapshot), context: context)
    }

    static func decide(_ policy: PolicyPlugin, view: PolicyRepositoryView, context: PolicyContext) async throws(ScriptingError) -> PolicyVerdicts {
        let results: [LuaValue]
        do {
            results = try await policy.engine.call(
                policy.runDecide, [.function(policy.decide), .string(LuaString(policy.decideLocation)), view.luaValue, context.luaValue])
        } catch let error as LuaError {
            throw .policyFailed(file: policy.file, repository: view.name, reason: error.description)
        } catch let error as ScriptingError {
            throw error
        } catch {
            throw .policyFailed(file: policy.file, repository: view.name, reason: "\(error)")
        }
        guard case .table(let marks)? = results.first else {
            throw .policyFailed(file: policy.file, repository: view.name, reason: "the policy runtime returned no marks")
        }
        var verdicts = PolicyVerdicts(defaultVerdict: policy.defaultVerdict)
        verdicts.tags = steps(marks["tags"])
        for (key, list) in steps(marks["untagged"]) {
            if let digest = try? Digest(parsing: key) { verdicts.untagged[digest] = list }
        }
        return verdicts
    }

    /// The marks of a `tags` or `untagged` table. A policy gives most items one of a few
    /// reasons ("repository not in use"): each distinct text, and each distinct list of
    /// steps, is stored once, not once per tag.
    private static func steps(_ value: LuaValue) -> [String: [DecisionStep]] {
        guard case .table(let table) = value else { return [:] }
        var result: [String: [DecisionStep]] = [:]
        var reasons: Set<String> = []
        var lists: Set<[DecisionStep]> = []
        for (key, list) in table.entries {
            guard let name = key.stringValue, case .table(let entries) = list else { continue }
            let steps = (entries.arrayValues ?? []).compactMap { entry -> DecisionStep? in
                guard case .table(let pair) = entry, let verdict = pair[1].stringValue.flatMap(Verdict.init(rawValue:)),
                    let text = pair[2].stringValue
                else { return nil }
                let reason = reasons.insert(text).memberAfterInsert
                return DecisionStep(verdict, reason, origin: .policy)
            }
            result[name] = lists.insert(steps).memberAfterInsert
        }
        return result
    }
}
