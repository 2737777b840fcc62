import EvictorCore
import EvictorScripting
import Foundation
import LuaRuntime
import RegistryStorage
import Testing

/// The engine's own Lua state (the policy and fixer runtimes, the store and host functions, a
/// spec's kind) is out of every plugin's reach: not readable, and replacing names changes nothing.
@Suite("engine internals are invisible to plugins")
struct EngineInternalsTests {
    /// Lua: `internals()` lists every `__`-prefixed key reachable from the globals.
    static let finder = """
        local function internals()
          local found, seen = {}, {}
          local function walk(prefix, t, depth)
            if seen[t] or depth > 4 then return end
            seen[t] = true
            for k, v in pairs(t) do
              if type(k) == "string" and k:sub(1, 2) == "__" then found[#found + 1] = prefix .. k end
              if type(v) == "table" then walk(prefix .. tostring(k) .. ".", v, depth + 1) end
            end
          end
          walk("", _G, 0)
          return table.concat(found, ",")
        end
        """

    @Test("a policy sees no internals, and overwriting them or the globals the runtime uses breaks nothing")
    func policy() async throws {
        let policy = """
            \(Self.finder)
            assert(internals() == "", "visible at load: " .. internals())
            local checked = false
            local spec = evictor.policy {
              name = "nosy",
              decide = function(repo, ctx)
                if not checked then
                  assert(internals() == "", "visible in decide: " .. internals())
                  checked = true
                end
                -- what the runtime used to publish: writing it now changes nothing
                evictor.__policy = { decide = function() error("hijacked") end }
                for _, tag in pairs(repo.tags) do tag:delete("nosy") end
              end,
            }
            assert(spec.__kind == nil, "spec.__kind is visible")
            spec.__kind = "fixer"
            ipairs, pcall = nil, nil
            return spec
            """
        try await withPlugins(["nosy.lua": policy, "fake.lua": #"return { __kind = "policy", name = "fake", decide = function() end }"#]) {
            path, root in
            let plugin = try await PolicyPlugin.load(file: root.appendingPathComponent("nosy.lua").path, pluginPath: path, log: quiet)
            let context = PolicyContext(options: .table(LuaTable()), registry: "reg.io", inventory: nil)
            for name in ["one", "two"] {
                let snapshot = RepositorySnapshot(name: name, tags: [TagRecord(name: "v1", digest: Digest.sha256(of: Array(name.utf8)))], images: [:])
                let verdicts = try await PolicyRunner.decide(plugin, snapshot: snapshot, context: context)
                #expect(verdicts.tags["v1"]?.map(\.reason) == ["nosy"])
            }
            do {
                _ = try await PolicyPlugin.load(file: root.appendingPathComponent("fake.lua").path, pluginPath: path, log: quiet)
                Issue.record("a plain table with __kind passed for a policy")
            } catch {
                #expect("\(error)".contains("must return evictor.policy { ... } (got a plain table)"), "\(error)")
            }
        }
    }

    @Test("a fixer sees neither the store's host functions nor its runtime, and replacing them breaks nothing")
    func fixer() async throws {
        let fixer = """
            \(Self.finder)
            assert(internals() == "", "visible at load: " .. internals())
            ipairs, select = nil, nil
            return evictor.fixer {
              name = "nosy",
              check = function(store)
                assert(internals() == "", "visible in check: " .. internals())
                -- what the runtime used to publish: writing it now changes nothing
                evictor.__store = { tags = function() error("hijacked") end }
                evictor.__fixer = { fix = function() error("hijacked") end }
                assert(next(store:tags("app")) == nil)
                return store:findings("no-tags")
              end,
              fix = function(finding, actions) actions:quarantine(finding.path, "nosy") end,
            }
            """
        try await withPlugins(["docker/registry/v2/repositories/app/_manifests/tags/.keep": "", "nosy.lua": fixer]) { path, root in
            let plugin = try await FixerPlugin.load(
                file: root.appendingPathComponent("nosy.lua").path, layout: try StorageLayout(root: root.path), pluginPath: path, log: quiet)
            let actions = try await plugin.actions(for: [StorageFinding(problem: .noTags, repository: "app", path: "repositories/app", detail: "x")])
            #expect(actions.map(\.reason) == ["nosy"])
        }
    }

    @Test("a source's host functions are reachable only through its host table")
    func source() async throws {
        let source = """
            \(Self.finder)
            return evictor.source {
              name = "nosy",
              capabilities = { env = { "HOME" } },
              collect = function(opts, host)
                assert(internals() == "", "visible in collect: " .. internals())
                assert(type(host.env("HOME")) == "string")
                return { { image = "reg.io/nosy:1" } }
              end,
            }
            """
        try await withPlugins(["sources/nosy.lua": source]) { path, root in
            let plugin = try await SourcePlugin.load(file: root.appendingPathComponent("sources/nosy.lua").path, pluginPath: path, log: quiet)
            let images = try await SourceRunner.collect(plugin, options: .table(LuaTable()))
            #expect(images.map(\.reference.description) == ["reg.io/nosy:1"])
        }
    }
}
