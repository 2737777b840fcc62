import EvictorCore
import Eviction
import EvictorTestSupport
import Foundation
import Testing

/// Bad input to plan / apply / restore / storage: one error line naming the culprit, a
/// non-zero exit, and nothing deleted.
@Suite("bad input to the destructive commands")
struct BadInputTests {
    static func work() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func expectOneLine(_ result: ProcessResult, containing parts: [String], _ what: String) {
        #expect(result.status != 0, "\(what): exit 0")
        let lines = result.stderrText.split(separator: "\n")
        #expect(lines.count == 1, "\(what): \(result.stderrText)")
        for part in parts { #expect(result.stderrText.contains(part), "\(what): \(result.stderrText)") }
    }

    @Test("files that are not a plan, a journal or a store, and bad policy options")
    func badFiles() async throws {
        let work = try Self.work()
        defer { try? FileManager.default.removeItem(at: work) }
        let plan = work.appendingPathComponent("plan.json").path
        try Data("{\"format\": \"evictor-plan\", \"version\": 1, \"actions\": 7}".utf8).write(to: URL(fileURLWithPath: plan))
        Self.expectOneLine(try await EvictorBinary.run(["apply", plan]), containing: [plan, "invalid plan"], "garbage plan")
        let other = work.appendingPathComponent("images.json").path
        try InventoryFile.write(Inventory(), to: other)
        Self.expectOneLine(try await EvictorBinary.run(["apply", other]), containing: [other, "not an evictor-plan document"], "inventory as plan")

        let journal = work.appendingPathComponent("journal.jsonl").path
        try Data(
            ("{\"event\":\"begin\",\"at\":\"2026-01-01T00:00:00Z\",\"registry\":\"http://127.0.0.1:9\"}\nnot json\n"
                + "{\"event\":\"begin\",\"at\":\"2026-01-01T00:00:00Z\"}\n")
                .utf8
        )
        .write(to: URL(fileURLWithPath: journal))
        Self.expectOneLine(try await EvictorBinary.run(["restore", "--journal", journal]), containing: [journal, "line 2"], "garbage journal")

        let notStore = work.appendingPathComponent("empty").path
        try FileManager.default.createDirectory(atPath: notStore, withIntermediateDirectories: true)
        for command in [
            ["storage", "scan"], ["storage", "gc", "--dry-run"], ["storage", "fix", "--quarantine", work.appendingPathComponent("q").path],
        ] {
            Self.expectOneLine(
                try await EvictorBinary.run(command + ["--root", notStore]), containing: [notStore, "not a registry storage root"],
                command.joined(separator: " "))
        }
        Self.expectOneLine(
            try await EvictorBinary.run(["storage", "rm", "--root", notStore + "-missing", "--image", "a"]),
            containing: [notStore + "-missing", "no such directory"], "rm on a missing root")
        Self.expectOneLine(
            try await EvictorBinary.run(["policy", "check", Fixtures.url("policies/age.lua").path, "--policy-option", "dayz=3"]),
            containing: ["policy age has no option 'dayz'"], "unknown policy option")
        Self.expectOneLine(
            try await EvictorBinary.run(["policy", "check", Fixtures.url("policies/age.lua").path, "--policy-option", "days=many"]),
            containing: ["policy age: option 'days': expected a number, got \"many\""], "mistyped policy option")
        // One syntax and the same checks for every kind, at load, naming the option.
        try FileManager.default.createDirectory(
            at: work.appendingPathComponent("store/docker/registry/v2/repositories"), withIntermediateDirectories: true)
        let typed: [([String], String)] = [
            (["policy", "check", "age", "--option", "age.days=many"], "policy age: option 'days': expected a number, got \"many\""),
            (["policy", "check", "keep-last", "--option", "keep-last.keep=2.5"], "option 'keep': expected an integer, got 2.5"),
            (["policy", "check", "keep-last", "--option", "keep-last.order=size"], "option 'order': expected one of created, name, semver"),
            (["policy", "check", "keep-last", "--option", "keep-last.before=last tuesday"], "option 'before': expected an RFC 3339 time"),
            (["policy", "check", "keep-last", "--option", "keep-last.include=(unclosed"], "option 'include': invalid regular expression"),
            (["policy", "check", "keep-last", "--option", "age.days=3"], "--option age.KEY: no plugin named age here (the policy is keep-last)"),
            (["inventory", "--source", "static:/nonexistent", "--option", "static.nosuch=1"], "source static has no option 'nosuch'"),
            (
                ["storage", "fix", "--root", work.path + "/store", "--quarantine", work.path + "/q", "--option", "nosuch.x=1"],
                "no fixer named nosuch"
            ),
            (["run", "--option", "age.days=3"], "run takes plugin options from the config file"),
            (
                ["storage", "fix", "--root", work.path + "/store", "--quarantine", work.path + "/q", "--fixer", "/nonexistent/mine.lua"],
                "no such fixer file"
            ),
        ]
        for (arguments, message) in typed {
            Self.expectOneLine(
                try await EvictorBinary.run(arguments, currentDirectory: work), containing: [message], arguments.joined(separator: " "))
        }
        // A fixer by file, as sources and policies may be given.
        let byFile = try await EvictorBinary.run([
            "storage", "fix", "--root", work.path + "/store", "--quarantine", work.path + "/q", "--fixer",
            Fixtures.url("plugins/fixers/broken-tags.lua").path,
        ])
        #expect(byFile.status == 0, "\(byFile.stderrText)")
        let badDefault = work.appendingPathComponent("bad-default.lua")
        try Data(
            """
            return evictor.policy { name = "bad", options = { keep = { type = "integer", default = 2.5 } }, decide = function() end }
            """.utf8
        ).write(to: badDefault)
        Self.expectOneLine(
            try await EvictorBinary.run(["policy", "check", badDefault.path]),
            containing: [badDefault.path, "option 'keep': the default: expected an integer, got 2.5"],
            "a default that does not fit its type")
        let kebab = work.appendingPathComponent("kebab.lua")
        try Data(#"return evictor.policy { name = "kebab", options = { ["keep-newest"] = { type = "integer" } }, decide = function() end }"#.utf8)
            .write(to: kebab)
        Self.expectOneLine(
            try await EvictorBinary.run(["policy", "check", kebab.path]), containing: ["option 'keep-newest': names are snake_case (keep_newest)"],
            "an option name that is not snake_case")
    }

    @Test("apply: an unreachable registry is one error; a journal of another plan, or one in use, is refused; nothing is deleted")
    func applyRefusals() async throws {
        try await RegistryServer.with { registry in
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            let work = try Self.work()
            defer { try? FileManager.default.removeItem(at: work) }
            for day in 1...3 {
                _ = try layout.addImage(
                    tag: "v\(day)", TestImageSpec(created: Date(timeIntervalSince1970: 1_700_000_000 + Double(day) * 86_400), layerSeed: "bad-\(day)")
                )
                try await Skopeo.push(layout: layout, tag: "v\(day)", to: registry, repository: "shop/bad")
            }
            let plan = work.appendingPathComponent("plan.json").path
            let planned = try await EvictorBinary.run([
                "plan", registry.url, "--policy", Fixtures.url("policies/keep-last.lua").path, "--policy-option", "keep=1",
                "--max-delete-percent", "70", "-o", plan,
            ])
            #expect(planned.status == 0, "\(planned.stderrText)")

            // A journal that began with another plan.
            let journal = work.appendingPathComponent("journal.jsonl").path
            try Data(
                ("{\"event\":\"begin\",\"at\":\"2026-01-01T00:00:00Z\",\"plan\":\"\(String(repeating: "0", count: 64))\","
                    + "\"registry\":\"\(registry.url)\"}\n")
                    .utf8
            )
            .write(to: URL(fileURLWithPath: journal))
            Self.expectOneLine(
                try await EvictorBinary.run(["apply", plan, "--journal", journal]), containing: [journal, "another plan"], "foreign journal")

            // A journal another apply is writing (held open here, as that process would).
            let busy = work.appendingPathComponent("busy.jsonl").path
            let holder = try JSONLinesFile(path: busy)
            let whileHeld = try await EvictorBinary.run(["apply", plan, "--journal", busy])
            withExtendedLifetime(holder) {}
            Self.expectOneLine(whileHeld, containing: [busy, "in use by another evictor process"], "journal in use")
            #expect(try Journal.read(busy).isEmpty)

            // The registry goes away between plan and apply.
            registry.suspend()
            let fresh = work.appendingPathComponent("fresh.jsonl").path
            Self.expectOneLine(
                try await EvictorBinary.run(["apply", plan, "--journal", fresh], timeout: .seconds(120)),
                containing: [registry.hostPort, "cannot connect"], "unreachable")
            let records = try Journal.read(fresh)
            #expect(!records.contains { $0.event == .intent }, "\(records)")
            try await registry.restart()
            let listed = try await EvictorBinary.run(["ls", registry.url])
            #expect(listed.stdoutText.split(separator: "\n").count == 3, "\(listed.stdoutText)")
        }
    }
}
