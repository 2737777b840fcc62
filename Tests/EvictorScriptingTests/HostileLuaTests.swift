import EvictorCore
import EvictorScripting
import Foundation
import LuaRuntime
import RegistryStorage
import Testing

/// One hostile thing a script can do, written as one line of Lua that becomes line 5 of a
/// policy's `decide`, a source's `collect` or a fixer's `check` (see the templates below).
struct HostileBehaviour: Sendable, CustomTestStringConvertible {
    var name: String
    var lua: String
    /// The line of the plugin file the error must name.
    var line: Int
    /// What the error must say.
    var message: String

    init(_ name: String, _ lua: String, line: Int = 5, _ message: String) {
        self.name = name
        self.lua = lua
        self.line = line
        self.message = message
    }

    var testDescription: String { name }
}

/// Policies, sources and fixers doing hostile things: each fails alone with one line naming
/// the file and line, the process survives, a policy decides nothing, and the same plugin
/// (same VM) works again at once. The limits are small so the whole suite takes seconds.
/// Serialized: one plugin VM at a time keeps the memory the cases reach out of the resident
/// size that other tests watch.
@Suite("Hostile Lua: policies, sources and fixers fail alone, at the script's line", .serialized)
struct HostileLuaTests {
    /// 2M instructions run in a few milliseconds; 0.5 s only matters for work outside Lua; 4 MiB
    /// keeps the suite's memory small next to tests that watch the process's resident size.
    static let limits = LuaLimits(memoryBytes: 4 << 20, instructionsPerCall: 2_000_000, secondsPerCall: 0.5)
    /// A hostile call is stopped, not left to hang: 60 times the call's limit, so a test run
    /// sharing two cores with others (a call stopped after 6 s was seen) does not fail it.
    static let stopsWithin: Duration = .seconds(30)

    /// Hostile in any plugin kind.
    static let everywhere: [HostileBehaviour] = [
        // Endless work: the instruction budget stops it, also inside C library loops.
        HostileBehaviour("endless loop", "while true do end", "instruction budget of 2000000 exceeded"),
        // (Allocating 128 bytes per turn, this one may reach the clock before the budget.)
        HostileBehaviour("endless loop calling string.rep", #"while true do local piece = string.rep("ab", 64) end"#, "exceeded"),
        HostileBehaviour("endless loop of gsub", #"local s = string.rep("x", 512) while true do s = s:gsub("x+", "%0") end"#, "instruction budget"),
        HostileBehaviour("backtracking Lua pattern (one find, O(n^4))", #"return string.rep("a", 4000):find(".-.-.-.-b")"#, "instruction budget"),
        HostileBehaviour(
            "plain find of a near-miss needle", #"return string.rep("a", 1e6):find(string.rep("a", 5e5) .. "b", 1, true)"#, "instruction budget"),
        HostileBehaviour(
            "string.rep of an empty piece answers at once", #"error("string.rep gave " .. #string.rep("", math.maxinteger))"#, "string.rep gave 0"),
        HostileBehaviour("table.move over 1e15 empty slots", "table.move({}, 1, 1e15, 2)", "instruction budget"),
        HostileBehaviour(
            "table.remove under a __len of 1e15", "table.remove(setmetatable({}, { __len = function() return 1e15 end }), 1)", "instruction budget"),
        HostileBehaviour(
            "table.insert under a __len of 1e15", #"table.insert(setmetatable({}, { __len = function() return 1e15 end }), 1, "x")"#,
            "instruction budget"),
        HostileBehaviour(
            "backtracking regular expression", #"evictor.regex.match("a.*b.*c.*d.*e", string.rep("abcd", 3000))"#,
            "time limit of 0.5 seconds exceeded"),
        HostileBehaviour(
            "endless recursion through __index", "local t = setmetatable({}, { __index = function(t, k) return t[k] end }) return t.x",
            "stack overflow"),
        // Unbounded allocation: the memory cap stops it.
        HostileBehaviour("table growth", "local t = {} while true do t[#t + 1] = {} end", "memory limit of 4194304 bytes exceeded"),
        HostileBehaviour("string concatenation", #"local s = "x" while true do s = s .. s end"#, "memory limit of 4194304 bytes exceeded"),
        HostileBehaviour(
            "endless recursion (the Lua stack grows into the cap)", "local function dive(n) return 1 + dive(n + 1) end dive(1)", "memory limit"),
        // Errors in error handling, and error values that are not strings.
        HostileBehaviour(
            "xpcall whose handler errors",
            #"local ok, message = xpcall(function() error("first") end, function() error("again") end) error(message)"#,
            "error in error handling"
        ),
        HostileBehaviour("error with a table", "error({ code = 42 })", "(error object is a table value)"),
        HostileBehaviour("error with nil", "error(nil)", "(error object is a nil value)"),
        HostileBehaviour(
            "error object whose __tostring errors", #"error(setmetatable({}, { __tostring = function() error("again") end }))"#, "again"),
        HostileBehaviour(
            "error object whose __tostring returns a table", "error(setmetatable({}, { __tostring = function() return {} end }))",
            "(error object is a table value)"),
        // Yields across the host boundary.
        HostileBehaviour("yield at the top level", #"coroutine.yield("escape")"#, "attempt to yield from outside a coroutine"),
        HostileBehaviour(
            "yield from a table.sort comparator in a coroutine",
            "coroutine.wrap(function() table.sort({ 3, 2, 1 }, function(a, b) coroutine.yield() return a < b end) end)()",
            "attempt to yield across a C-call boundary"
        ),
        HostileBehaviour(
            "yield from a gsub callback in a coroutine",
            #"coroutine.wrap(function() return ("abc"):gsub(".", function(c) coroutine.yield(c) end) end)()"#,
            "attempt to yield across a C-call boundary"
        ),
        // The evictor API with wrong types and hostile documents.
        HostileBehaviour("evictor.json.decode(42)", "evictor.json.decode(42)", "evictor.json.decode: expects a string"),
        HostileBehaviour(
            "evictor.json.decode of 100,000 nested arrays", #"evictor.json.decode(string.rep("[", 100000))"#, "evictor.json.decode: invalid JSON"),
        HostileBehaviour("evictor.yaml.decode(42)", "evictor.yaml.decode(42)", "evictor.yaml.decode: expects a UTF-8 string"),
        HostileBehaviour(
            "evictor.yaml.decode of 100,000 nested sequences", #"evictor.yaml.decode(string.rep("[", 100000))"#,
            "evictor.yaml.decode: document nested deeper than 100 levels"
        ),
        HostileBehaviour(
            "evictor.yaml.decode with a sequence as a key", #"evictor.yaml.decode("{[a]: b}")"#, "evictor.yaml.decode: mapping keys must be scalars"),
        HostileBehaviour(
            "evictor.yaml.decode of an alias bomb",
            #"local y = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" for i = 1, 9 do "#
                + #"y = y .. ("a%d: &a%d [%s*a%d]\n"):format(i, i, ("*a" .. (i - 1) .. ", "):rep(9), i - 1) end evictor.yaml.decode(y)"#,
            "evictor.yaml.decode: document expands to too many values"
        ),
        HostileBehaviour("evictor.regex.compile({})", "evictor.regex.compile({})", "evictor.regex.compile: expects a pattern (argument 1 is table)"),
        HostileBehaviour(
            "evictor.regex.compile of a broken pattern", #"evictor.regex.compile("(")"#, "evictor.regex.compile: invalid regular expression"),
        HostileBehaviour(
            "evictor.semver.parse(nil)", "evictor.semver.parse(nil)", "evictor.semver.parse: expects a version string (argument 1 is nil)"),
        HostileBehaviour(
            "evictor.semver.compare with a table", #"evictor.semver.compare("1.0.0", {})"#, "evictor.semver.compare: expects two version strings"),
        HostileBehaviour("evictor.time.parse(true)", "evictor.time.parse(true)", "evictor.time.parse: expects an RFC 3339 time string"),
        HostileBehaviour("evictor.time.format of a word", #"evictor.time.format("soon")"#, "evictor.time.format: expects unix seconds"),
        HostileBehaviour("evictor.policy(42) at run time", "evictor.policy(42)", "evictor.policy expects a table"),
        HostileBehaviour(
            "a function as data", "evictor.json.decode(print)", "bad argument #1 to 'evictor.json.decode' (a function cannot be used as data here)"),
        HostileBehaviour(
            "a cyclic table as an argument", "local t = {} t.self = t evictor.log.info(t)",
            "bad argument #1 to 'evictor.log.info' (a table that contains itself (cycle) cannot be converted)"
        ),
        HostileBehaviour(
            "shared subtables expanding to 2^40 values as an argument", "local t = {} for _ = 1, 40 do t = { t, t } end evictor.log.info(t)",
            "shared subtables expand to more than"
        ),
    ]

    static let policyOnly: [HostileBehaviour] = [
        HostileBehaviour("decide returns a cyclic table", "local t = {} t.self = t return t", line: 3, "decide must return nothing"),
        HostileBehaviour("tag:delete(123)", "repo.tags[1]:delete(123)", "tag:delete: the reason must be a non-empty string (got number)"),
        HostileBehaviour("tag:keep() without a reason", "repo.tags[1]:keep()", "tag:keep: the reason must be a non-empty string (got nil)"),
        // A tail call drops decide's frame: the error names where decide is defined.
        HostileBehaviour(
            "return tag:keep() without a reason", "return repo.tags[1]:keep()", line: 3, "tag:keep: the reason must be a non-empty string (got nil)"),
        HostileBehaviour("tag.keep called with a dot", #"repo.tags[1].keep("dot")"#, "call it with a colon"),
        HostileBehaviour("repo:delete_all({})", "repo:delete_all({})", "repo:delete_all: the reason must be a non-empty string (got table)"),
        HostileBehaviour("marks, then fails", #"repo.tags[1]:delete("old") error("changed my mind")"#, "changed my mind"),
    ]

    static let sourceOnly: [HostileBehaviour] = [
        HostileBehaviour(
            "collect returns a cyclic table", "local t = {} t[1] = t return t", line: 3, "a table that contains itself (cycle) cannot be converted"),
        HostileBehaviour(
            "collect returns shared subtables expanding to 2^40 values",
            #"local t = { image = "reg.io/a:1" } for _ = 1, 40 do t = { t, t } end return t"#, line: 3, "shared subtables expand to more than"
        ),
    ]

    /// The fixer template's `fix` is on line 7; `hostile_fix`, when a case sets it, replaces it.
    static let fixerOnly: [HostileBehaviour] = [
        HostileBehaviour(
            "check returns a cyclic list", "local list = {} list[1] = list return list", line: 7,
            "actions:quarantine: the path must be a non-empty string (got nil)"),
        HostileBehaviour(
            "check returns a finding that contains itself", #"local f = { problem = "empty-blob" } f.path = f return { f }"#, line: 7,
            "actions:quarantine: the path must be a non-empty string (got table)"
        ),
        HostileBehaviour("check returns a number", "return 7", line: 3, "check must return a list of findings (got a number)"),
        HostileBehaviour("store:findings(5)", "local found = store:findings(5) return found", "store:findings: argument 1 must be a problem name"),
        // A tail call drops check's frame: the error names where check is defined.
        HostileBehaviour("return store:findings(5)", "return store:findings(5)", line: 3, "store:findings: argument 1 must be a problem name"),
        HostileBehaviour(
            "store:findings of an unknown problem", #"local found = store:findings("tag-link-brokn") return found"#, "(got 'tag-link-brokn')"),
        HostileBehaviour("store:tags(42)", "local tags = store:tags(42) return tags", "store:tags: expects a repository name (got number)"),
        HostileBehaviour(
            "store:blob_size of a word", #"local size = store:blob_size("big") return {}"#, "store:blob_size: expects a sha256 digest"),
        HostileBehaviour(
            "actions:drop_tag(nil)", "hostile_fix = function(finding, actions) actions:drop_tag(nil) end return store:findings()",
            "actions:drop_tag: the repository must be a non-empty string (got nil)"
        ),
        HostileBehaviour(
            "return actions:drop_tag(nil) (fix's frame is gone)",
            "hostile_fix = function(finding, actions) return actions:drop_tag(nil) end return store:findings()", line: 7,
            "actions:drop_tag: the repository must be a non-empty string (got nil)"
        ),
        HostileBehaviour(
            "actions:quarantine_blob(123, ...)",
            #"hostile_fix = function(finding, actions) actions:quarantine_blob(123, "why") end return store:findings()"#,
            "actions:quarantine_blob: the digest must be a non-empty string (got number)"
        ),
        HostileBehaviour(
            "actions:drop_revision without a reason",
            #"hostile_fix = function(finding, actions) actions:drop_revision("app", finding.digest) end return store:findings()"#,
            "actions:drop_revision: the reason must be a non-empty string"
        ),
    ]

    // MARK: - Templates (the hostile line is line 5; line 4 answers calmly when asked to)

    static func policy(_ lua: String) -> String {
        """
        return evictor.policy {
          name = "hostile",
          decide = function(repo, ctx)
            if repo.name == "calm" then repo.tags[1]:keep("calm") return end
            \(lua)
          end,
        }
        """
    }

    static func source(_ lua: String) -> String {
        """
        return evictor.source {
          name = "hostile",
          collect = function(opts, host)
            if opts.calm then return { { image = "reg.io/calm:1" } } end
            \(lua)
          end,
        }
        """
    }

    static func fixer(_ lua: String) -> String {
        """
        return evictor.fixer {
          name = "hostile",
          check = function(store)
            hostile_fix = nil if #store:findings("no-tags") > 0 then return store:findings() end
            \(lua)
          end,
          fix = function(finding, actions) if hostile_fix then return hostile_fix(finding, actions) end actions:quarantine(finding.path, "calm") end,
        }
        """
    }

    // MARK: - Tests

    @Test("a hostile policy fails at its line and decides nothing; the same policy then decides calmly", arguments: everywhere + policyOnly)
    func hostilePolicy(_ behaviour: HostileBehaviour) async throws {
        try await withPlugins(["hostile.lua": Self.policy(behaviour.lua)]) { path, root in
            let policy = try await PolicyPlugin.load(
                file: root.appendingPathComponent("hostile.lua").path, pluginPath: path, limits: Self.limits, log: quiet)
            let context = PolicyContext(options: .table(LuaTable()), registry: "reg.io", inventory: nil)
            let started = ContinuousClock.now
            do {
                let verdicts = try await PolicyRunner.decide(policy, snapshot: Self.repository("hostile"), context: context)
                Issue.record("decided \(verdicts.tags) instead of failing")
            } catch {
                Self.expectLocated(error, behaviour)
            }
            #expect(ContinuousClock.now - started < Self.stopsWithin)
            let calm = try await PolicyRunner.decide(policy, snapshot: Self.repository("calm"), context: context)
            #expect(calm.tags["v1"]?.map(\.reason) == ["calm"])
        }
    }

    @Test("a hostile source fails at its line; the same source then collects calmly", arguments: everywhere + sourceOnly)
    func hostileSource(_ behaviour: HostileBehaviour) async throws {
        try await withPlugins(["sources/hostile.lua": Self.source(behaviour.lua)]) { path, root in
            let plugin = try await SourcePlugin.load(
                file: root.appendingPathComponent("sources/hostile.lua").path, pluginPath: path, limits: Self.limits, log: quiet)
            let started = ContinuousClock.now
            do {
                let images = try await SourceRunner.collect(plugin, options: .table(LuaTable()))
                Issue.record("collected \(images.count) images instead of failing")
            } catch {
                Self.expectLocated(error, behaviour)
            }
            #expect(ContinuousClock.now - started < Self.stopsWithin)
            let calm = try await SourceRunner.collect(plugin, options: ["calm": true])
            #expect(calm.map(\.reference.description) == ["reg.io/calm:1"])
        }
    }

    @Test("a hostile fixer fails at its line; the same fixer then fixes calmly", arguments: everywhere + fixerOnly)
    func hostileFixer(_ behaviour: HostileBehaviour) async throws {
        try await withPlugins(["docker/registry/v2/repositories/app/_manifests/tags/.keep": "", "hostile.lua": Self.fixer(behaviour.lua)]) {
            path, root in
            let layout = try StorageLayout(root: root.path)
            let plugin = try await FixerPlugin.load(
                file: root.appendingPathComponent("hostile.lua").path, layout: layout, pluginPath: path, limits: Self.limits, log: quiet
            )
            let hostile = StorageFinding(
                problem: .emptyBlob, repository: "", digest: "sha256:" + String(repeating: "e", count: 64), path: "blobs/e", detail: "empty")
            let started = ContinuousClock.now
            do {
                let actions = try await plugin.actions(for: [hostile])
                Issue.record("recorded \(actions) instead of failing")
            } catch {
                Self.expectLocated(error, behaviour)
            }
            #expect(ContinuousClock.now - started < Self.stopsWithin)
            let calm = try await plugin.actions(for: [
                StorageFinding(problem: .noTags, repository: "calm", path: "repositories/calm", detail: "no tags")
            ])
            #expect(calm.map(\.path) == ["repositories/calm"])
            #expect(calm.map(\.reason) == ["calm"])
        }
    }

    @Test("string.rep, table.move and patterns still give the standard results")
    func boundedLibraryKeepsResults() async throws {
        let engine = try LuaEngine(limits: Self.limits)
        let chunk = try await engine.load(
            string: """
                local t = { 1, 2, 3 }
                table.insert(t, 1, 0) table.remove(t) table.move(t, 1, 3, 2)
                local words = {}
                for word in ("one two  three"):gmatch("%a+") do words[#words + 1] = word end
                local key, value = ("key = value"):match("^(%w+)%s*=%s*(%w+)$")
                local replaced, count = ("hello world"):gsub("o", "0")
                local first, last = ("a,b,,c"):find(",,", 1, true)
                return string.rep("ab", 3, "-"), string.rep("", 1e9), table.concat(t, ","), key, value,
                  replaced, count, first, last, table.concat(words, "|")
                """, chunkName: "@bounded.lua")
        let results = try await engine.call(chunk)
        #expect(results == ["ab-ab-ab", "", "0,0,1,2", "key", "value", "hell0 w0rld", 2, 4, 5, "one|two|three"])
    }

    // MARK: - Helpers

    /// One repository with one tag, `v1`.
    static func repository(_ name: String) -> RepositorySnapshot {
        RepositorySnapshot(name: name, tags: [TagRecord(name: "v1", digest: Digest.sha256(of: Array(name.utf8)))], images: [:])
    }

    /// The error names the plugin file and the behaviour's line, says what went wrong, on one line.
    static func expectLocated(_ error: any Error, _ behaviour: HostileBehaviour, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = "\(error)"
        #expect(text.contains("hostile.lua:\(behaviour.line): "), "\(text)", sourceLocation: sourceLocation)
        // Endless work is stopped by the instruction budget, or, on a loaded machine where the
        // thread gets little CPU, by the clock first: both are the limits doing their job.
        let stoppedByClock = behaviour.message == "instruction budget" && text.contains("time limit of")
        #expect(text.contains(behaviour.message) || stoppedByClock, "\(text)", sourceLocation: sourceLocation)
        #expect(!text.contains("\n"), "\(text)", sourceLocation: sourceLocation)
    }
}
