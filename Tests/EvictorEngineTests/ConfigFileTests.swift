import EvictorEngine
import Foundation
import Testing

/// `evictor.yaml`: the schema, interpolation, the error for each kind of mistake with its
/// exact key path, masking, and the cron parser.
@Suite("config file")
struct ConfigFileTests {
    static let file = "/etc/evictor.yaml"

    static func parse(_ text: String, _ environment: [String: String] = [:]) throws -> EvictorConfig {
        try ConfigLoader.parse(text, file: file, environment: environment)
    }

    /// The error `text` gives, as one line.
    static func error(_ text: String, _ environment: [String: String] = [:]) -> ConfigError? {
        do {
            _ = try parse(text, environment)
            return nil
        } catch {
            return error as? ConfigError
        }
    }

    static let full = """
        version: 1
        registries:
          - name: main
            url: ${REGISTRY_URL:-https://registry.example.com}
            credentials:
              username_env: REG_USER
              password_env: REG_PASSWORD
            aliases: [registry.example.com:443, reg.internal]
            tls: {ca_file: /etc/ca.pem, insecure: false}
            concurrency: 4
            requests_per_second: 12.5
            timeout: 45
            policies:
              - policy: in-use
                options: {keep_newest: 5, keep_before: "2", tags: [a, 1, true], ratio: 0.5}
              - policy: untagged
                repositories: "^shop/"
            storage:
              root: /var/lib/registry
          - name: other
            url: http://127.0.0.1:5000
            credentials: {username: ci, password: "${OTHER_PASSWORD}"}
            storage: {config: /etc/docker/registry/config.yml}
          - name: third
            url: reg3.example.com
            credentials: {docker_config: /root/.docker/config.json}
        inventory:
          sources:
            - name: static
              argument: /etc/evictor/pinned.txt
            - file: /etc/evictor/sources/mine.lua
              options: {token: "${API_TOKEN}", cost: "$$5"}
          file: /var/lib/evictor/images.json
          max_age: 1h30m
        safety: {max_delete_percent: 30, min_inventory: 10}
        state: {directory: /var/lib/evictor, keep: 7}
        schedules:
          - {job: inventory, every: 6h}
          - {job: run, registry: main, cron: "30 3 * * mon-fri", delete: true}
          - {job: storage-scan, registry: other, cron: "@daily"}
        """

    @Test("a full config: every section typed")
    func fullConfig() throws {
        let config = try Self.parse(Self.full, ["OTHER_PASSWORD": "s3cret-other", "API_TOKEN": "tok-123"])
        #expect(config.version == 1)
        #expect(config.registries.map(\.name) == ["main", "other", "third"])
        let main = try #require(config.registry(named: "main"))
        #expect(main.url == "https://registry.example.com")
        #expect(main.credentials == .environment(usernameVariable: "REG_USER", passwordVariable: "REG_PASSWORD"))
        #expect(main.aliases == ["registry.example.com:443", "reg.internal"])
        #expect(main.tls == TLSConfig(caFile: "/etc/ca.pem", insecure: false))
        #expect(main.concurrency == 4)
        #expect(main.requestsPerSecond == 12.5)
        #expect(main.timeout == 45)
        #expect(main.policies.count == 2)
        #expect(main.policies[0].policy == "in-use")
        #expect(
            main.policies[0].options == [
                "keep_newest": .integer(5), "keep_before": .string("2"), "tags": .list([.string("a"), .integer(1), .bool(true)]),
                "ratio": .number(0.5),
            ])
        #expect(main.policies[1].repositories == "^shop/")
        #expect(main.policies[1].options.isEmpty)
        #expect(main.storage == .root("/var/lib/registry"))
        let other = try #require(config.registry(named: "other"))
        #expect(other.credentials == .inline(username: "ci", password: "s3cret-other", passwordVariable: "OTHER_PASSWORD"))
        #expect(other.storage == .config("/etc/docker/registry/config.yml"))
        #expect(other.concurrency == RegistryConfig.defaultConcurrency)
        #expect(other.timeout == RegistryConfig.defaultTimeout)
        #expect(config.registries[2].credentials == .dockerConfig("/root/.docker/config.json"))
        let inventory = try #require(config.inventory)
        #expect(inventory.sources.map(\.plugin) == [.name("static"), .file("/etc/evictor/sources/mine.lua")])
        #expect(inventory.sources[0].argument == "/etc/evictor/pinned.txt")
        #expect(inventory.sources[1].options == ["token": .string("tok-123"), "cost": .string("$5")])
        #expect(inventory.file == "/var/lib/evictor/images.json")
        #expect(inventory.maxAge?.seconds == 5_400)
        #expect(config.safety == SafetyConfig(maxDeletePercent: 30, minInventory: 10))
        #expect(config.state == StateConfig(directory: "/var/lib/evictor", keep: 7))
        #expect(config.schedules.count == 3)
        #expect(config.schedules[0].job == .inventory)
        #expect(config.schedules[0].trigger == .every(ConfigDuration(seconds: 21_600, text: "6h")))
        #expect(config.schedules[1].registry == "main")
        #expect(config.schedules[1].delete)
        guard case .cron(let cron) = config.schedules[1].trigger else {
            Issue.record("not cron")
            return
        }
        #expect(cron.daysOfWeek == [1, 2, 3, 4, 5])
        #expect(config.schedules[2].job == .storageScan)
        #expect(config.secretPaths == ["registries[1].credentials.password", "inventory.sources[1].options.token"])
    }

    @Test("defaults when sections are absent")
    func defaults() throws {
        let config = try Self.parse("version: 1\n")
        #expect(config.registries.isEmpty)
        #expect(config.inventory == nil)
        #expect(config.safety == SafetyConfig())
        #expect(config.state == StateConfig())
        #expect(config.schedules.isEmpty)
    }

    @Test("each kind of error names the file and the exact key path")
    func errors() {
        let registry = "version: 1\nregistries:\n  - name: a\n    url: http://127.0.0.1:5000\n"
        let cases: [(String, [String: String], String)] = [
            ("version: 2\n", [:], "/etc/evictor.yaml: version: expected 1, got \"2\""),
            ("registries: []\n", [:], "/etc/evictor.yaml: version: missing (required)"),
            ("version: 1\nregistrys: []\n", [:], "/etc/evictor.yaml: registrys: unknown key"),
            (registry + "    colour: blue\n", [:], "/etc/evictor.yaml: registries[0].colour: unknown key"),
            (
                registry + "    policies:\n      - policy: in-use\n      - policy: age\n        option: {}\n", [:],
                "/etc/evictor.yaml: registries[0].policies[1].option: unknown key"
            ),
            (registry + "    concurrency: five\n", [:], "/etc/evictor.yaml: registries[0].concurrency: expected a number, got \"five\""),
            (registry + "    concurrency: 0\n", [:], "/etc/evictor.yaml: registries[0].concurrency: must be 1 or more, got 0"),
            (registry + "    aliases: reg.internal\n", [:], "/etc/evictor.yaml: registries[0].aliases: expected a list, got \"reg.internal\""),
            (registry + "    tls: {insecure: maybe}\n", [:], "/etc/evictor.yaml: registries[0].tls.insecure: expected true or false, got \"maybe\""),
            (
                registry + "    policies:\n      - policy: in-use\n      - policy: age\n        options: {keep: {n: 5}}\n", [:],
                "/etc/evictor.yaml: registries[0].policies[1].options.keep: expected a string, number or boolean (or a list of them), got a mapping"
            ),
            (
                "version: 1\nsafety: {max_delete_percent: 150}\n", [:],
                "/etc/evictor.yaml: safety.max_delete_percent: must be between 0 and 100, got 150"
            ),
            ("version: 1\nregistries:\n  - url: http://a\n", [:], "/etc/evictor.yaml: registries[0].name: missing (required)"),
            (
                "version: 1\nregistries:\n  - name: a\n    url: ${REG_HOST}\n", [:],
                "/etc/evictor.yaml: registries[0].url: environment variable REG_HOST is not set (write ${REG_HOST:-default} to give a default)"
            ),
            (
                "version: 1\nstate: {directory: \"${STATE\"}\n", [:],
                "/etc/evictor.yaml: state.directory: unterminated ${ in \"${STATE\" (write $$ for a literal $)"
            ),
            (
                "version: 1\nschedules:\n  - {job: check, cron: \"61 * * * *\"}\n", [:],
                "/etc/evictor.yaml: schedules[0].cron: invalid cron expression \"61 * * * *\": minute 61 is out of range 0-59"
            ),
            (
                "version: 1\nschedules:\n  - {job: check, cron: \"0 3 * *\"}\n", [:],
                "/etc/evictor.yaml: schedules[0].cron: invalid cron expression \"0 3 * *\": "
                    + "expected 5 fields (minute hour day-of-month month day-of-week), got 4"
            ),
            (
                "version: 1\nschedules:\n  - {job: check, every: 6 hours}\n", [:],
                "/etc/evictor.yaml: schedules[0].every: \"6 hours\" is not a duration (like 90s, 15m, 6h, 2d, 1w or 1h30m)"
            ),
            (
                "version: 1\ninventory: {max_age: 2x}\n", [:],
                "/etc/evictor.yaml: inventory.max_age: \"2x\" is not a duration (like 90s, 15m, 6h, 2d, 1w or 1h30m)"
            ),
            (
                "version: 1\nschedules:\n  - {job: check, cron: \"@daily\", every: 1d}\n", [:],
                "/etc/evictor.yaml: schedules[0]: give only one of cron, every"
            ),
            (
                "version: 1\nschedules:\n  - {job: prune, every: 1d}\n", [:],
                "/etc/evictor.yaml: schedules[0].job: unknown job \"prune\" (one of inventory, check, plan, run, storage-scan)"
            ),
            (
                "version: 1\nschedules:\n  - {job: plan, every: 1d, delete: true}\n", [:],
                "/etc/evictor.yaml: schedules[0].delete: only a run job deletes (this is a plan job)"
            ),
            (
                registry + "schedules:\n  - {job: run, registry: b, every: 1d}\n", [:],
                "/etc/evictor.yaml: schedules[0].registry: no registry named \"b\" (registries: a)"
            ),
            (registry + "  - name: a\n    url: http://b\n", [:], "/etc/evictor.yaml: registries[1].name: duplicate name \"a\""),
            (
                registry + "    credentials: {username_env: U, password_env: P, docker_config: /c.json}\n", [:],
                "/etc/evictor.yaml: registries[0].credentials: give only one of username_env + password_env, docker_config"
            ),
            (
                registry + "    credentials: {username: ci, password: hunter2}\n", [:],
                "/etc/evictor.yaml: registries[0].credentials.password: no secrets in the config file: write ${VARIABLE} or use password_env"
            ),
            (registry + "    credentials: {username_env: U}\n", [:], "/etc/evictor.yaml: registries[0].credentials.password_env: missing (required)"),
            (
                registry + "serve: {token: s3cret}\n", [:],
                "/etc/evictor.yaml: serve.token: no secrets in the config file: write ${VARIABLE}"
            ),
            (registry + "serve: {listen: localhost}\n", [:], "/etc/evictor.yaml: serve.listen: expected HOST:PORT, got \"localhost\""),
            (registry + "serve: {history_keep: 0}\n", [:], "/etc/evictor.yaml: serve.history_keep: must be 1 or more, got 0"),
            (registry + "    storage: {config: /c.yml, root: /r}\n", [:], "/etc/evictor.yaml: registries[0].storage: give only one of config, root"),
            (
                registry + "    policies:\n      - {policy: age, repositories: \"(\"}\n", [:],
                "/etc/evictor.yaml: registries[0].policies[0].repositories: \"(\" is not a regular expression"
            ),
            ("version: 1\nregistries: {a: 1}\n", [:], "/etc/evictor.yaml: registries: expected a list, got a mapping"),
        ]
        for (text, environment, expected) in cases {
            let error = Self.error(text, environment)
            #expect(error?.description == expected, "\(text)")
            #expect(error?.description.contains("\n") == false)
            #expect(error?.file == Self.file)
        }
    }

    @Test("hostile YAML: deep nesting and alias bombs are refused, not followed")
    func hostileYAML() {
        let deep = "version: 1\nregistries: " + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "\n"
        guard case .invalidYAML? = Self.error(deep) else {
            Issue.record("deep nesting accepted")
            return
        }
        var bomb = "version: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1..<9 { bomb += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        // Unknown keys are refused before anything walks into them.
        guard case .unknownKey? = Self.error(bomb) else {
            Issue.record("alias bomb not refused")
            return
        }
        guard case .invalidYAML? = Self.error("version: 1\nregistries: [\n") else {
            Issue.record("broken YAML accepted")
            return
        }
    }

    @Test("interpolation: ${VAR}, ${VAR:-default}, $$ and a lone $")
    func interpolation() throws {
        let environment = ["HOST": "reg.example.com", "EMPTY": ""]
        func value(_ text: String) throws -> String { try ConfigInterpolation.interpolate(text, environment: environment).value }
        #expect(try value("https://${HOST}/v2") == "https://reg.example.com/v2")
        #expect(try value("${MISSING:-fallback}") == "fallback")
        #expect(try value("${EMPTY:-fallback}") == "fallback")
        #expect(try value("${HOST:-fallback}") == "reg.example.com")
        #expect(try value("${MISSING:-}") == "")
        #expect(try value("cost $$5 and $${HOST}") == "cost $5 and ${HOST}")
        #expect(try value("a $ b $x") == "a $ b $x")
        #expect(try ConfigInterpolation.interpolate("${HOST}${EMPTY}", environment: environment).variables == ["HOST", "EMPTY"])
        #expect(throws: ConfigInterpolation.Failure.missingVariable("NOPE")) { try value("${NOPE}") }
        #expect(throws: ConfigInterpolation.Failure.self) { try value("${1BAD}") }
        let config = try Self.parse("version: 1\nstate: {directory: \"${BASE:-/srv}/$$evictor\", keep: \"${KEEP}\"}\n", ["KEEP": "3"])
        #expect(config.state == StateConfig(directory: "/srv/$evictor", keep: 3))
    }

    @Test("secrets are masked in the rendered YAML and JSON")
    func masking() throws {
        let secret = "s3cret-other"
        let token = "tok-123"
        let config = try Self.parse(Self.full, ["OTHER_PASSWORD": secret, "API_TOKEN": token, "REG_PASSWORD": "unused"])
        for text in [ConfigRendering.yaml(config), ConfigRendering.json(config)] {
            #expect(!text.contains(secret))
            #expect(!text.contains(token))
            #expect(text.contains("***"))
            #expect(text.contains("REG_PASSWORD"))
        }
        // A value from a variable the credentials name is masked wherever it appears.
        let reuse = try Self.parse(
            "version: 1\nregistries:\n  - name: a\n    url: http://a\n    credentials: {username_env: U, password_env: P}\n"
                + "    policies:\n      - {policy: age, options: {note: \"${P}\"}}\n", ["P": "pw-value"])
        #expect(!ConfigRendering.yaml(reuse).contains("pw-value"))
        let json = try JSONSerialization.jsonObject(with: Data(ConfigRendering.json(config).utf8)) as? [String: Any]
        #expect(json?["version"] as? Int == 1)
    }

    @Test("the rendered YAML reads back as the same configuration")
    func roundTrip() throws {
        let environment = ["OTHER_PASSWORD": "pw", "API_TOKEN": "t"]
        let config = try Self.parse(Self.full, environment)
        var unmasked = config
        unmasked.secretPaths = []
        // A resolved password is no longer ${VARIABLE}: that one would be refused.
        unmasked.registries[1].credentials = nil
        let again = try Self.parse(ConfigRendering.yaml(unmasked), [:])
        #expect(again.registries == unmasked.registries)
        #expect(again.inventory == config.inventory)
        #expect(again.schedules == config.schedules)
        #expect(again.safety == config.safety)
        #expect(again.state == config.state)
    }

    @Test("cron: ranges, lists, steps, names, macros and the errors")
    func cron() throws {
        let every15 = try CronExpression(parsing: "*/15 * * * *")
        #expect(every15.minutes == [0, 15, 30, 45])
        #expect(every15.hours.count == 24)
        let mixed = try CronExpression(parsing: "5,10-20/5 0-6/3 1,15 JAN-mar,dec sun,7")
        #expect(mixed.minutes == [5, 10, 15, 20])
        #expect(mixed.hours == [0, 3, 6])
        #expect(mixed.daysOfMonth == [1, 15])
        #expect(mixed.months == [1, 2, 3, 12])
        #expect(mixed.daysOfWeek == [0])
        #expect(try CronExpression(parsing: "30 2/6 * * *").hours == [2, 8, 14, 20])
        #expect(try CronExpression(parsing: "@hourly").minutes == [0])
        let weekdays = try CronExpression(parsing: "0 3 * * mon-fri")
        #expect(weekdays.matches(minute: 0, hour: 3, day: 7, month: 5, weekday: 1))
        #expect(!weekdays.matches(minute: 0, hour: 3, day: 9, month: 5, weekday: 6))
        // Both day fields restricted: either matches, as in cron.
        let either = try CronExpression(parsing: "0 0 1 * mon")
        #expect(either.matches(minute: 0, hour: 0, day: 1, month: 2, weekday: 4))
        #expect(either.matches(minute: 0, hour: 0, day: 9, month: 2, weekday: 1))
        #expect(!either.matches(minute: 0, hour: 0, day: 9, month: 2, weekday: 2))
        let bad: [(String, String)] = [
            ("60 * * * *", "minute 60 is out of range 0-59"),
            ("* 24 * * *", "hour 24 is out of range 0-23"),
            ("* * 0 * *", "day of month 0 is out of range 1-31"),
            ("* * * 13 *", "month 13 is out of range 1-12"),
            ("* * * * 8", "day of week 8 is out of range 0-7"),
            ("* * * foo *", "month: \"foo\" is not a number or a name"),
            ("*/0 * * * *", "minute: step \"0\" is not a positive number"),
            ("5-1 * * * *", "minute: range 5-1 runs backwards"),
            ("1,,2 * * * *", "minute: empty list item in \"1,,2\""),
            ("* * * * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 6"),
            ("@often", "unknown macro @often (use @hourly, @daily, @weekly, @monthly or @yearly)"),
        ]
        for (text, message) in bad {
            #expect(throws: CronExpression.ParseError(description: message), "\(text)") { try CronExpression(parsing: text) }
        }
    }

    @Test("durations")
    func durations() {
        #expect(ConfigDuration(parsing: "90s")?.seconds == 90)
        #expect(ConfigDuration(parsing: "2d")?.seconds == 172_800)
        #expect(ConfigDuration(parsing: "1w2d3h4m5s")?.seconds == 604_800 + 172_800 + 10_800 + 240 + 5)
        for bad in ["", "6", "h", "6x", "0s", "6 h", "-1h", "99999999999999999999w"] { #expect(ConfigDuration(parsing: bad) == nil, "\(bad)") }
    }

    @Test("the file named by --config, else EVICTOR_CONFIG, else ./evictor.yaml; a missing file is one error")
    func filePath() {
        #expect(ConfigLoader.path(explicit: "a.yaml", environment: ["EVICTOR_CONFIG": "b.yaml"]) == "a.yaml")
        #expect(ConfigLoader.path(explicit: nil, environment: ["EVICTOR_CONFIG": "b.yaml"]) == "b.yaml")
        #expect(ConfigLoader.path(explicit: nil, environment: [:]) == "evictor.yaml")
        #expect(throws: ConfigError.unreadable(file: "/nonexistent/evictor.yaml", reason: "no such file")) {
            try ConfigLoader.load(file: "/nonexistent/evictor.yaml", environment: [:])
        }
    }
}
