import EvictorCore
import EvictorTestSupport
import Foundation
import Testing

/// No password or credential ever lands in output, reports, plans or journals; those files are 0600.
@Suite("secrets stay out of every output and file")
struct SecretHygieneTests {
    @Test("check, plan, apply and restore with basic auth: the password appears nowhere")
    func noSecretAnywhere() async throws {
        let password = "Pa55-\(UUID().uuidString.prefix(8))-secret"
        try await RegistryServer.withBasicAuth(user: "dora", password: password) { registry in
            let work = try EvictionTests.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            let outputs = try await Self.everyCommand(on: registry, user: "dora", password: password, work: work)
            let basic = Data("dora:\(password)".utf8).base64EncodedString()
            try Self.expectNoSecret([password, basic], in: outputs, filesUnder: work)
        }
    }

    @Test("check, plan, apply and restore with bearer tokens: neither the password nor any token appears")
    func noTokenAnywhere() async throws {
        let password = "T0ken-\(UUID().uuidString.prefix(8))-pass"
        try await TokenIssuer.with(users: ["tess": password]) { issuer in
            var options = RegistryOptions()
            options.tokenAuth = issuer.tokenAuthOptions
            try await RegistryServer.with(options) { registry in
                let work = try EvictionTests.workDirectory()
                defer { try? FileManager.default.removeItem(at: work) }
                let before = issuer.issuedTokenCount
                let outputs = try await Self.everyCommand(on: registry, user: "tess", password: password, work: work)
                let tokens = Array(issuer.issuedTokens.dropFirst(before))
                #expect(tokens.count >= 4, "evictor asked for \(tokens.count) tokens")
                try Self.expectNoSecret([password] + tokens, in: outputs, filesUnder: work)
            }
        }
    }

    /// Pushes three images as `user`, then runs check, plan, apply and restore with the
    /// credentials in the environment (verbose), and a login with a wrong password; returns
    /// everything they printed. Reports, plan and journal land in `work`.
    static func everyCommand(on registry: RegistryServer, user: String, password: String, work: URL) async throws -> [String] {
        let layout = try OCILayoutBuilder.temporary()
        defer { layout.remove() }
        for day in 1...3 {
            _ = try layout.addImage(
                tag: "v\(day)",
                TestImageSpec(created: Date(timeIntervalSince1970: 1_700_000_000 + Double(day) * 86_400), layerSeed: "secret-\(user)-\(day)"))
            try await Skopeo.push(layout: layout, tag: "v\(day)", to: registry, repository: "vault/app", credentials: (user, password))
        }
        let environment = ["EVICTOR_USERNAME": user, "EVICTOR_PASSWORD": password, "EVICTOR_VERBOSE": "1"]
        let plan = work.appendingPathComponent("plan.json").path
        let journal = work.appendingPathComponent("journal.jsonl").path
        var outputs: [String] = []
        for arguments in [
            ["check", registry.url, "--all", "--report-dir", work.appendingPathComponent("report").path],
            ["plan", registry.url, "--policy", Fixtures.url("policies/keep-last.lua").path, "--policy-option", "keep=2", "-o", plan],
            ["apply", plan, "--journal", journal],
            ["restore", "--journal", journal],
        ] {
            let result = try await EvictorBinary.run(arguments, environment: environment)
            #expect(result.status == 0, "\(arguments[0]): \(result.stdoutText)\(result.stderrText)")
            outputs += [result.stdoutText, result.stderrText]
        }
        // Also a failing login, whose error names the registry.
        let wrong = try await EvictorBinary.run(["ls", registry.url], environment: ["EVICTOR_USERNAME": user, "EVICTOR_PASSWORD": password + "x"])
        #expect(wrong.status != 0)
        return outputs + [wrong.stdoutText, wrong.stderrText]
    }

    /// Every file under `directory` (report.json, report.csv, plan.json, journal.jsonl) is 0600,
    /// and no secret appears in them or in `outputs`.
    static func expectNoSecret(_ secrets: [String], in outputs: [String], filesUnder directory: URL) throws {
        var texts = outputs
        var files: [String] = []
        if let enumerator = FileManager.default.enumerator(atPath: directory.path) {
            for case let relative as String in enumerator where !relative.hasSuffix("/") {
                let path = directory.appendingPathComponent(relative).path
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue { files.append(path) }
            }
        }
        #expect(files.count >= 4, "\(files)")
        for path in files {
            texts.append(try String(contentsOfFile: path, encoding: .utf8))
            let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o600, "\(path) is \(String(mode ?? 0, radix: 8))")
        }
        for secret in secrets {
            #expect(!texts.contains { $0.contains(secret) }, "a secret (\(secret.count) characters) was found")
        }
    }
}
