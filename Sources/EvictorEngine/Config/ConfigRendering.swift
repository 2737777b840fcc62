/// The resolved configuration as YAML or JSON (`evictor config check`), every secret `***`.
public enum ConfigRendering {
    /// What a secret is shown as.
    public static let mask = "***"

    /// A value of the rendered document, keys in schema order.
    indirect enum Tree {
        case mapping([(String, Tree)])
        case list([Tree])
        case string(String)
        case integer(Int)
        case number(Double)
        case bool(Bool)
    }

    public static func yaml(_ config: EvictorConfig) -> String {
        var lines: [String] = []
        guard case .mapping(let entries) = tree(config) else { return "" }
        yamlMapping(entries, indent: "", into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ config: EvictorConfig) -> String {
        var text = ""
        json(tree(config), indent: "", into: &text)
        return text + "\n"
    }

    /// A JSON string literal, also a valid YAML double-quoted scalar.
    public static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    // MARK: - The tree, masked

    static func tree(_ config: EvictorConfig) -> Tree {
        var root: [(String, Tree)] = [("version", .integer(config.version))]
        root.append(("registries", .list(config.registries.map(tree))))
        if let inventory = config.inventory {
            var entries: [(String, Tree)] = [("sources", .list(inventory.sources.map(tree)))]
            if let file = inventory.file { entries.append(("file", .string(file))) }
            if let maxAge = inventory.maxAge { entries.append(("max_age", .string(maxAge.text))) }
            root.append(("inventory", .mapping(entries)))
        }
        var safety: [(String, Tree)] = [("max_delete_percent", number(config.safety.maxDeletePercent))]
        if let minimum = config.safety.minInventory { safety.append(("min_inventory", .integer(minimum))) }
        root.append(("safety", .mapping(safety)))
        root.append(("state", .mapping([("directory", .string(config.state.directory)), ("keep", .integer(config.state.keep))])))
        root.append(("schedules", .list(config.schedules.map(tree))))
        var serve: [(String, Tree)] = [("listen", .string(config.serve.listen))]
        if let token = config.serve.token { serve.append(("token", .string(token))) }
        serve.append(("history_keep", .integer(config.serve.historyKeep)))
        root.append(("serve", .mapping(serve)))
        if !config.pluginDirectories.isEmpty {
            root.append(("plugins", .mapping([("path", .list(config.pluginDirectories.map { .string($0) }))])))
        }
        return masked(.mapping(root), path: "", secrets: config.secretPaths)
    }

    private static func number(_ value: Double) -> Tree {
        value == value.rounded() && abs(value) < 1e15 ? .integer(Int(value)) : .number(value)
    }

    private static func tree(_ registry: RegistryConfig) -> Tree {
        var entries: [(String, Tree)] = [("name", .string(registry.name)), ("url", .string(registry.url))]
        switch registry.credentials {
        case .environment(let username, let password)?:
            entries.append(("credentials", .mapping([("username_env", .string(username)), ("password_env", .string(password))])))
        case .inline(let username, let password, _)?:
            entries.append(("credentials", .mapping([("username", .string(username)), ("password", .string(password))])))
        case .file(let path)?:
            entries.append(("credentials", .mapping([("file", .string(path))])))
        case .dockerConfig(let path)?:
            entries.append(("credentials", .mapping([("docker_config", .string(path))])))
        case nil:
            break
        }
        entries.append(("aliases", .list(registry.aliases.map(Tree.string))))
        var tls: [(String, Tree)] = []
        if let caFile = registry.tls.caFile { tls.append(("ca_file", .string(caFile))) }
        tls.append(("insecure", .bool(registry.tls.insecure)))
        entries.append(("tls", .mapping(tls)))
        entries.append(("concurrency", .integer(registry.concurrency)))
        if let rate = registry.requestsPerSecond { entries.append(("requests_per_second", number(rate))) }
        entries.append(("timeout", number(registry.timeout)))
        entries.append(("policies", .list(registry.policies.map(tree))))
        if let notifications = registry.notifications {
            entries.append(
                ("notifications", .mapping([("token", .string(notifications.token)), ("window_days", .integer(notifications.windowDays))])))
        }
        switch registry.storage {
        case .config(let path)?: entries.append(("storage", .mapping([("config", .string(path))])))
        case .root(let path)?: entries.append(("storage", .mapping([("root", .string(path))])))
        case nil: break
        }
        return .mapping(entries)
    }

    private static func tree(_ policy: PolicyConfig) -> Tree {
        var entries: [(String, Tree)] = [("policy", .string(policy.policy)), ("options", tree(policy.options))]
        if let repositories = policy.repositories { entries.append(("repositories", .string(repositories))) }
        return .mapping(entries)
    }

    private static func tree(_ source: InventorySourceConfig) -> Tree {
        var entries: [(String, Tree)]
        switch source.plugin {
        case .name(let name): entries = [("name", .string(name))]
        case .file(let file): entries = [("file", .string(file))]
        }
        if let argument = source.argument { entries.append(("argument", .string(argument))) }
        entries.append(("options", tree(source.options)))
        return .mapping(entries)
    }

    private static func tree(_ options: [String: ConfigValue]) -> Tree {
        .mapping(options.keys.sorted().map { ($0, tree(options[$0]!)) })
    }

    private static func tree(_ value: ConfigValue) -> Tree {
        switch value {
        case .string(let text): .string(text)
        case .integer(let number): .integer(number)
        case .number(let number): .number(number)
        case .bool(let flag): .bool(flag)
        case .list(let items): .list(items.map(tree))
        }
    }

    private static func tree(_ schedule: ScheduleConfig) -> Tree {
        var entries: [(String, Tree)] = [("job", .string(schedule.job.rawValue))]
        if let registry = schedule.registry { entries.append(("registry", .string(registry))) }
        switch schedule.trigger {
        case .cron(let cron): entries.append(("cron", .string(cron.text)))
        case .every(let duration): entries.append(("every", .string(duration.text)))
        }
        entries.append(("delete", .bool(schedule.delete)))
        return .mapping(entries)
    }

    /// Every value at a secret path (or under one) becomes `***`.
    private static func masked(_ tree: Tree, path: String, secrets: Set<String>) -> Tree {
        if !path.isEmpty, secrets.contains(path) { return .string(mask) }
        switch tree {
        case .mapping(let entries):
            return .mapping(entries.map { ($0.0, masked($0.1, path: ConfigReader.child(path, $0.0), secrets: secrets)) })
        case .list(let items):
            return .list(items.enumerated().map { masked($0.element, path: ConfigReader.element(path, $0.offset), secrets: secrets) })
        default:
            return tree
        }
    }

    // MARK: - Writing

    private static func scalar(_ tree: Tree) -> String? {
        switch tree {
        case .string(let text): quoted(text)
        case .integer(let number): String(number)
        case .number(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .mapping(let entries): entries.isEmpty ? "{}" : nil
        case .list(let items): items.isEmpty ? "[]" : nil
        }
    }

    /// A key written plain when YAML reads it back as the same string, quoted otherwise.
    private static func key(_ text: String) -> String {
        let plain =
            text.first.map { $0.isLetter || $0 == "_" } == true
            && text.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0))
            }
            && !["true", "false", "yes", "no", "on", "off", "null", "y", "n"].contains(text.lowercased())
        return plain ? text : quoted(text)
    }

    private static func yamlMapping(_ entries: [(String, Tree)], indent: String, into lines: inout [String]) {
        for (name, value) in entries {
            if let text = scalar(value) {
                lines.append("\(indent)\(key(name)): \(text)")
            } else {
                lines.append("\(indent)\(key(name)):")
                yamlBlock(value, indent: indent + "  ", into: &lines)
            }
        }
    }

    private static func yamlBlock(_ tree: Tree, indent: String, into lines: inout [String]) {
        switch tree {
        case .mapping(let entries):
            yamlMapping(entries, indent: indent, into: &lines)
        case .list(let items):
            for item in items {
                if let text = scalar(item) {
                    lines.append("\(indent)- \(text)")
                    continue
                }
                var inner: [String] = []
                yamlBlock(item, indent: indent + "  ", into: &inner)
                guard let first = inner.first else { continue }
                lines.append(indent + "- " + first.dropFirst(indent.count + 2))
                lines += inner.dropFirst()
            }
        default:
            if let text = scalar(tree) { lines.append(indent + text) }
        }
    }

    private static func json(_ tree: Tree, indent: String, into text: inout String) {
        let inner = indent + "  "
        switch tree {
        case .mapping(let entries) where !entries.isEmpty:
            text += "{\n"
            for (index, (name, value)) in entries.enumerated() {
                text += "\(inner)\(quoted(name)): "
                json(value, indent: inner, into: &text)
                text += index == entries.count - 1 ? "\n" : ",\n"
            }
            text += "\(indent)}"
        case .list(let items) where !items.isEmpty:
            text += "[\n"
            for (index, value) in items.enumerated() {
                text += inner
                json(value, indent: inner, into: &text)
                text += index == items.count - 1 ? "\n" : ",\n"
            }
            text += "\(indent)]"
        default:
            text += scalar(tree) ?? "null"
        }
    }
}
