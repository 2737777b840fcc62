import EvictorScripting
import Foundation
import LuaRuntime
import Testing

/// No source capability hands a plugin Evictor's own secrets: `env = true` withholds them,
/// commands start from a minimal environment plus the named variables, `read` can be limited
/// to declared globs and never reaches Docker's credentials file.
@Suite("source capabilities withhold Evictor's secrets")
struct SourceSecretsTests {
    /// Variables only this suite sets (names no other test uses).
    static func setVariables() {
        setenv("EVICTOR_SOURCETEST_PASSWORD", "hunter2", 1)
        setenv("SOURCETEST_DEPLOY_TOKEN", "t0ken", 1)
        setenv("SOURCETEST_PLAIN", "plain", 1)
        setenv("SOURCETEST_DECLARED", "declared", 1)
    }

    static func collect(_ source: String, environment: SourceEnvironment = SourceEnvironment()) async throws -> [String] {
        var references: [String] = []
        try await withPlugins(["sources/probe.lua": source]) { path, root in
            let plugin = try await SourcePlugin.load(file: root.appendingPathComponent("sources/probe.lua").path, pluginPath: path, log: quiet)
            references = try await SourceRunner.collect(plugin, options: .table(LuaTable()), environment: environment).map(\.reference.description)
        }
        return references
    }

    @Test("env = true reads ordinary variables; EVICTOR_*, AWS_*, *TOKEN* and the config's credential variables are withheld")
    func anyEnvironmentWithholdsSecrets() async throws {
        Self.setVariables()
        let source = #"""
            return evictor.source {
              name = "probe", capabilities = { env = true },
              collect = function(opts, host)
                assert(host.env("SOURCETEST_PLAIN") == "plain", "an ordinary variable is readable")
                for _, name in ipairs({ "EVICTOR_SOURCETEST_PASSWORD", "SOURCETEST_DEPLOY_TOKEN", "AWS_SECRET_ACCESS_KEY" }) do
                  local ok, err = pcall(host.env, name)
                  assert(not ok and tostring(err):find("withheld", 1, true), name .. " must be withheld, got " .. tostring(err))
                end
                return { { image = "reg.io/probe:1" } }
              end,
            }
            """#
        #expect(try await Self.collect(source) == ["reg.io/probe:1"])
        await #expect(throws: ScriptingError.self) {
            _ = try await Self.collect(source, environment: SourceEnvironment(protectedNames: ["SOURCETEST_PLAIN"]))
        }
    }

    @Test("a variable named in capabilities.env is readable, secret-looking or not")
    func declaredByName() async throws {
        Self.setVariables()
        let source = #"""
            return evictor.source {
              name = "probe", capabilities = { env = { "*", "SOURCETEST_DEPLOY_TOKEN" } },
              collect = function(opts, host)
                assert(host.env("SOURCETEST_DEPLOY_TOKEN") == "t0ken")
                assert(host.env("SOURCETEST_PLAIN") == "plain")
                assert(not pcall(host.env, "EVICTOR_SOURCETEST_PASSWORD"))
                return { { image = "reg.io/probe:1" } }
              end,
            }
            """#
        #expect(try await Self.collect(source) == ["reg.io/probe:1"])
    }

    @Test("a command a source runs gets PATH, HOME and the named variables, not Evictor's environment")
    func commandsGetMinimalEnvironment() async throws {
        Self.setVariables()
        let source = #"""
            return evictor.source {
              name = "probe", capabilities = { run = { "env" }, env = { "SOURCETEST_DECLARED" } },
              collect = function(opts, host)
                local r = host.run({ "env" }, { env = { GIVEN = "by-the-source" } })
                assert(r.code == 0, r.stderr)
                local seen = {}
                for name in r.stdout:gmatch("([%w_]+)=[^\n]*") do seen[#seen + 1] = name end
                table.sort(seen)
                return { { image = "reg.io/probe:1", seen_at = seen } }
              end,
            }
            """#
        var seen: [String] = []
        try await withPlugins(["sources/probe.lua": source]) { path, root in
            let plugin = try await SourcePlugin.load(file: root.appendingPathComponent("sources/probe.lua").path, pluginPath: path, log: quiet)
            seen = try await SourceRunner.collect(plugin, options: .table(LuaTable())).first?.seenAt ?? []
        }
        #expect(seen.contains("PATH") && seen.contains("SOURCETEST_DECLARED") && seen.contains("GIVEN"), "\(seen)")
        #expect(
            !seen.contains("EVICTOR_SOURCETEST_PASSWORD") && !seen.contains("SOURCETEST_PLAIN") && !seen.contains("SOURCETEST_DEPLOY_TOKEN"),
            "\(seen)")
        let allowed = SourceEnvironment.baseline.union(["SOURCETEST_DECLARED", "GIVEN"])
        #expect(seen.allSatisfy { allowed.contains($0) || $0.hasPrefix("LC_") }, "\(seen)")
    }

    @Test("read = { globs } reads only matching paths (no .. or symbolic link out); Docker's config.json is never readable")
    func readLimitedToGlobs() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-read-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let allowed = root.appendingPathComponent("allowed")
        try FileManager.default.createDirectory(at: allowed, withIntermediateDirectories: true)
        try "reg.io/ok:1\n".write(to: allowed.appendingPathComponent("list.txt"), atomically: true, encoding: .utf8)
        try "secret".write(to: root.appendingPathComponent("secret.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(
            at: allowed.appendingPathComponent("link.txt"), withDestinationURL: root.appendingPathComponent("secret.txt"))
        let source = """
            local dir = "\(root.path)"
            return evictor.source {
              name = "probe", capabilities = { read = { dir .. "/allowed/*.txt" } },
              collect = function(opts, host)
                local text = assert(host.read_file(dir .. "/allowed/list.txt"))
                for _, path in ipairs({ dir .. "/secret.txt", dir .. "/allowed/../secret.txt", dir .. "/allowed/link.txt" }) do
                  local ok, err = pcall(host.read_file, path)
                  assert(not ok and tostring(err):find("capabilities.read", 1, true), path .. " must be refused, got " .. tostring(err))
                end
                assert(not pcall(host.exists, dir .. "/secret.txt"))
                return { { image = text:match("%S+") } }
              end,
            }
            """
        #expect(try await Self.collect(source) == ["reg.io/ok:1"])

        let docker = root.appendingPathComponent("docker")
        try FileManager.default.createDirectory(at: docker, withIntermediateDirectories: true)
        try #"{"auths":{}}"#.write(to: docker.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let nosy = """
            return evictor.source {
              name = "probe", capabilities = { read = true },
              collect = function(opts, host)
                local ok, err = pcall(host.read_file, "\(docker.path)/config.json")
                assert(not ok and tostring(err):find("credentials", 1, true), "config.json must be refused, got " .. tostring(err))
                return { { image = "reg.io/ok:1" } }
              end,
            }
            """
        var environment = SourceEnvironment()
        environment.variables["DOCKER_CONFIG"] = docker.path
        #expect(try await Self.collect(nosy, environment: environment) == ["reg.io/ok:1"])
    }
}
