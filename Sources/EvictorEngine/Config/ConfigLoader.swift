import EvictorScripting
import Foundation
import RegistryAPI
import Yams

/// Reads `evictor.yaml`: YAML (guarded against hostile documents) walked into typed values,
/// every string interpolated, every error one line naming the file and the key path.
public enum ConfigLoader {
    /// `EVICTOR_CONFIG` names the default file.
    public static let environmentVariable = "EVICTOR_CONFIG"
    /// The file used when neither `--config` nor `EVICTOR_CONFIG` names one.
    public static let defaultFile = "evictor.yaml"
    /// Deeper nesting than this is refused before Yams composes the document.
    static let maxDepth = 32

    /// The config file to read: `explicit`, else `EVICTOR_CONFIG`, else `./evictor.yaml`.
    public static func path(explicit: String?, environment: [String: String]) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let named = environment[environmentVariable], !named.isEmpty { return named }
        return defaultFile
    }

    /// Reads and validates the file at `file`.
    public static func load(file: String, environment: [String: String]) throws(ConfigError) -> EvictorConfig {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            let reason = FileManager.default.fileExists(atPath: file) ? "not readable" : "no such file"
            throw .unreadable(file: file, reason: reason)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .invalidYAML(file: file, reason: "not UTF-8 text") }
        return try parse(text, file: file, environment: environment)
    }

    /// Validates `text` as the contents of `file` (named in errors).
    public static func parse(_ text: String, file: String, environment: [String: String]) throws(ConfigError) -> EvictorConfig {
        do {
            try YAMLDocument.checkNesting(text, maxDepth: maxDepth)
        } catch {
            throw .invalidYAML(file: file, reason: String(describing: error))
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw .invalidYAML(file: file, reason: String(String(describing: error).split(separator: "\n").first ?? "unreadable"))
        }
        guard let root else { throw .missingKey(file: file, path: "version") }
        var reader = ConfigReader(file: file, environment: environment, textSize: text.utf8.count)
        var config = try Walker(file: file).config(root, reader: &reader)
        config.secretPaths = secretPaths(config, variables: reader.variables)
        return config
    }

    /// Masked: a credentials password, and every value interpolated from a variable the
    /// credentials name or whose name contains PASSWORD, TOKEN or SECRET.
    static func secretPaths(_ config: EvictorConfig, variables: [String: [String]]) -> Set<String> {
        var secretVariables = Set<String>()
        var paths = Set<String>()
        for (index, registry) in config.registries.enumerated() {
            guard let credentials = registry.credentials else { continue }
            secretVariables.formUnion(credentials.variables)
            if case .inline = credentials { paths.insert("registries[\(index)].credentials.password") }
        }
        if config.serve.token != nil { paths.insert("serve.token") }
        for (index, registry) in config.registries.enumerated() where registry.notifications != nil {
            paths.insert("registries[\(index)].notifications.token")
        }
        for (path, names) in variables where names.contains(where: { secretVariables.contains($0) || isSecretName($0) }) {
            paths.insert(path)
        }
        return paths
    }

    /// A variable whose name says it holds a secret.
    public static func isSecretName(_ name: String) -> Bool {
        let upper = name.uppercased()
        return ["PASSWORD", "TOKEN", "SECRET"].contains { upper.contains($0) }
    }
}

/// The schema: which keys go where and what they hold.
private struct Walker {
    let file: String

    func config(_ root: Node, reader: inout ConfigReader) throws(ConfigError) -> EvictorConfig {
        let top = try reader.mapping(root, at: "", keys: ["version", "registries", "inventory", "safety", "state", "schedules", "serve", "plugins"])
        guard let versionNode = top["version"] else { throw .missingKey(file: file, path: "version") }
        guard case .scalar(let versionScalar) = versionNode, Int(versionScalar.string) == EvictorConfig.currentVersion else {
            throw .unsupportedVersion(file: file, found: ConfigReader.describe(versionNode))
        }
        var registries: [RegistryConfig] = []
        if let node = top["registries"] {
            for (index, item) in try reader.list(node, at: "registries").enumerated() {
                let path = ConfigReader.element("registries", index)
                let registry = try self.registry(item, at: path, reader: &reader)
                if registries.contains(where: { $0.name == registry.name }) {
                    throw .duplicateName(file: file, path: ConfigReader.child(path, "name"), name: registry.name)
                }
                registries.append(registry)
            }
        }
        let inventory = try top["inventory"].map { node throws(ConfigError) in try self.inventory(node, reader: &reader) }
        var safety = SafetyConfig()
        if let node = top["safety"] {
            let mapping = try reader.mapping(node, at: "safety", keys: ["max_delete_percent", "min_inventory"])
            if let value = mapping["max_delete_percent"] {
                safety.maxDeletePercent = try reader.number(value, at: mapping.child("max_delete_percent"), in: 0...100)
            }
            if let value = mapping["min_inventory"] {
                safety.minInventory = try reader.integer(value, at: mapping.child("min_inventory"), atLeast: 0)
            }
        }
        var state = StateConfig()
        if let node = top["state"] {
            let mapping = try reader.mapping(node, at: "state", keys: ["directory", "keep"])
            if let value = mapping["directory"] {
                state.directory = try nonEmpty(reader.string(value, at: mapping.child("directory")), mapping.child("directory"))
            }
            if let value = mapping["keep"] { state.keep = try reader.integer(value, at: mapping.child("keep"), atLeast: 1) }
        }
        var schedules: [ScheduleConfig] = []
        if let node = top["schedules"] {
            for (index, item) in try reader.list(node, at: "schedules").enumerated() {
                schedules.append(try schedule(item, at: ConfigReader.element("schedules", index), registries: registries, reader: &reader))
            }
        }
        var config = EvictorConfig(
            version: EvictorConfig.currentVersion, registries: registries, inventory: inventory, safety: safety, state: state, schedules: schedules,
            secretPaths: [])
        if let node = top["serve"] { config.serve = try serve(node, reader: &reader) }
        if let node = top["plugins"] {
            let mapping = try reader.mapping(node, at: "plugins", keys: ["path"])
            if let value = mapping["path"] {
                let base = URL(fileURLWithPath: file).deletingLastPathComponent()
                for (index, item) in try reader.list(value, at: mapping.child("path")).enumerated() {
                    let at = ConfigReader.element(mapping.child("path"), index)
                    let entry = try nonEmpty(reader.string(item, at: at), at)
                    config.pluginDirectories.append(URL(fileURLWithPath: entry, relativeTo: base).standardizedFileURL.path)
                }
            }
        }
        return config
    }

    func serve(_ node: Node, reader: inout ConfigReader) throws(ConfigError) -> ServeConfig {
        let mapping = try reader.mapping(node, at: "serve", keys: ["listen", "token", "history_keep"])
        var serve = ServeConfig()
        if let value = mapping["listen"] {
            let listen = try nonEmpty(reader.string(value, at: mapping.child("listen")), mapping.child("listen"))
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65_535).contains(port),
                colon != listen.startIndex
            else {
                throw .invalidValue(file: file, path: mapping.child("listen"), reason: "expected HOST:PORT, got \(ConfigRendering.quoted(listen))")
            }
            serve.listen = listen
        }
        if let value = mapping["token"] {
            // `${VAR}`, or `${VAR:-}`: no token while VAR is unset or empty.
            guard case .scalar(let scalar) = value,
                let variable = ConfigInterpolation.soleVariable(scalar.string)
                    ?? ConfigInterpolation.soleVariable(scalar.string.replacingOccurrences(of: ":-}", with: "}"))
            else {
                throw .inlineSecret(file: file, path: mapping.child("token"))
            }
            let token = try reader.string(value, at: mapping.child("token"))
            serve.token = token.isEmpty ? nil : token
            serve.tokenVariable = variable
        }
        if let value = mapping["history_keep"] { serve.historyKeep = try reader.integer(value, at: mapping.child("history_keep"), atLeast: 1) }
        return serve
    }

    func nonEmpty(_ text: String, _ path: String) throws(ConfigError) -> String {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalidValue(file: file, path: path, reason: "must not be empty") }
        return text
    }

    /// Exactly one of `keys` is present (nil when none and `required` is false).
    func oneOf(_ keys: [String], in mapping: ConfigReader.Mapping, required: Bool) throws(ConfigError) -> String? {
        let given = keys.filter { mapping.has($0) }
        guard given.count <= 1 else { throw .conflictingKeys(file: file, path: mapping.path, keys: given) }
        if given.isEmpty, required { throw .missingKey(file: file, path: mapping.child(keys.joined(separator: " or "))) }
        return given.first
    }

    func registry(_ node: Node, at path: String, reader: inout ConfigReader) throws(ConfigError) -> RegistryConfig {
        let mapping = try reader.mapping(
            node, at: path,
            keys: [
                "name", "url", "credentials", "aliases", "tls", "concurrency", "requests_per_second", "timeout", "policies", "storage",
                "notifications",
            ])
        guard let nameNode = mapping["name"] else { throw .missingKey(file: file, path: mapping.child("name")) }
        let name = try nonEmpty(reader.string(nameNode, at: mapping.child("name")), mapping.child("name"))
        guard let urlNode = mapping["url"] else { throw .missingKey(file: file, path: mapping.child("url")) }
        let url = try reader.string(urlNode, at: mapping.child("url"))
        do {
            _ = try RegistryEndpoint(parsing: url)
        } catch {
            throw .invalidValue(file: file, path: mapping.child("url"), reason: String(describing: error))
        }
        var registry = RegistryConfig(
            name: name, url: url, credentials: nil, aliases: [], tls: TLSConfig(), concurrency: RegistryConfig.defaultConcurrency,
            requestsPerSecond: nil, timeout: RegistryConfig.defaultTimeout, policies: [], storage: nil)
        if let node = mapping["credentials"] { registry.credentials = try credentials(node, at: mapping.child("credentials"), reader: &reader) }
        if let node = mapping["aliases"] {
            for (index, item) in try reader.list(node, at: mapping.child("aliases")).enumerated() {
                let itemPath = ConfigReader.element(mapping.child("aliases"), index)
                registry.aliases.append(try nonEmpty(reader.string(item, at: itemPath), itemPath))
            }
        }
        if let node = mapping["tls"] {
            let tls = try reader.mapping(node, at: mapping.child("tls"), keys: ["ca_file", "insecure"])
            if let value = tls["ca_file"] { registry.tls.caFile = try nonEmpty(reader.string(value, at: tls.child("ca_file")), tls.child("ca_file")) }
            if let value = tls["insecure"] { registry.tls.insecure = try reader.bool(value, at: tls.child("insecure")) }
        }
        if let value = mapping["concurrency"] { registry.concurrency = try reader.integer(value, at: mapping.child("concurrency"), atLeast: 1) }
        if let value = mapping["requests_per_second"] {
            registry.requestsPerSecond = try reader.number(value, at: mapping.child("requests_per_second"), in: 0.001...1_000_000)
        }
        if let value = mapping["timeout"] { registry.timeout = try reader.number(value, at: mapping.child("timeout"), in: 0.001...86_400) }
        if let node = mapping["policies"] {
            for (index, item) in try reader.list(node, at: mapping.child("policies")).enumerated() {
                registry.policies.append(try policy(item, at: ConfigReader.element(mapping.child("policies"), index), reader: &reader))
            }
        }
        if let node = mapping["notifications"] {
            let notifications = try reader.mapping(node, at: mapping.child("notifications"), keys: ["token", "window_days"])
            guard let tokenNode = notifications["token"] else { throw .missingKey(file: file, path: notifications.child("token")) }
            guard case .scalar(let scalar) = tokenNode, ConfigInterpolation.soleVariable(scalar.string) != nil else {
                throw .inlineSecret(file: file, path: notifications.child("token"))
            }
            var config = NotificationsConfig(
                token: try nonEmpty(reader.string(tokenNode, at: notifications.child("token")), notifications.child("token")))
            if let value = notifications["window_days"] {
                config.windowDays = try reader.integer(value, at: notifications.child("window_days"), atLeast: 1)
            }
            registry.notifications = config
        }
        if let node = mapping["storage"] {
            let storage = try reader.mapping(node, at: mapping.child("storage"), keys: ["config", "root"])
            switch try oneOf(["config", "root"], in: storage, required: true) {
            case "config":
                registry.storage = .config(try nonEmpty(reader.string(storage["config"]!, at: storage.child("config")), storage.child("config")))
            default: registry.storage = .root(try nonEmpty(reader.string(storage["root"]!, at: storage.child("root")), storage.child("root")))
            }
        }
        return registry
    }

    func credentials(_ node: Node, at path: String, reader: inout ConfigReader) throws(ConfigError) -> RegistryCredentialsConfig {
        let mapping = try reader.mapping(node, at: path, keys: ["username_env", "password_env", "username", "password", "file", "docker_config"])
        let kinds = [("username_env", "password_env"), ("username", "password"), ("file", nil), ("docker_config", nil)]
        let given = kinds.filter { mapping.has($0.0) || ($0.1.map(mapping.has) ?? false) }
        guard given.count <= 1 else {
            throw .conflictingKeys(file: file, path: path, keys: given.map { [$0.0, $0.1].compactMap { $0 }.joined(separator: " + ") })
        }
        guard let kind = given.first else {
            throw .missingKey(file: file, path: ConfigReader.child(path, "username_env + password_env, username + password, file or docker_config"))
        }
        func required(_ key: String, _ reader: inout ConfigReader) throws(ConfigError) -> String {
            guard let value = mapping[key] else { throw .missingKey(file: file, path: mapping.child(key)) }
            return try nonEmpty(reader.string(value, at: mapping.child(key)), mapping.child(key))
        }
        switch kind.0 {
        case "username_env":
            let username = try required("username_env", &reader)
            let password = try required("password_env", &reader)
            for (key, name) in [("username_env", username), ("password_env", password)] where !ConfigInterpolation.isVariableName(Substring(name)) {
                throw .invalidValue(
                    file: file, path: mapping.child(key), reason: "\(ConfigRendering.quoted(name)) is not an environment variable name")
            }
            return .environment(usernameVariable: username, passwordVariable: password)
        case "username":
            let username = try required("username", &reader)
            guard let passwordNode = mapping["password"] else { throw .missingKey(file: file, path: mapping.child("password")) }
            guard case .scalar(let scalar) = passwordNode, let variable = ConfigInterpolation.soleVariable(scalar.string) else {
                throw .inlineSecret(file: file, path: mapping.child("password"))
            }
            let password = try reader.string(passwordNode, at: mapping.child("password"))
            return .inline(username: username, password: password, passwordVariable: variable)
        case "file":
            return .file(try required("file", &reader))
        default:
            return .dockerConfig(try required("docker_config", &reader))
        }
    }

    func policy(_ node: Node, at path: String, reader: inout ConfigReader) throws(ConfigError) -> PolicyConfig {
        let mapping = try reader.mapping(node, at: path, keys: ["policy", "options", "repositories"])
        guard let policyNode = mapping["policy"] else { throw .missingKey(file: file, path: mapping.child("policy")) }
        var policy = PolicyConfig(
            policy: try nonEmpty(reader.string(policyNode, at: mapping.child("policy")), mapping.child("policy")), options: [:], repositories: nil)
        if let node = mapping["options"] { policy.options = try reader.options(node, at: mapping.child("options")) }
        if let node = mapping["repositories"] {
            let pattern = try reader.string(node, at: mapping.child("repositories"))
            do {
                _ = try NSRegularExpression(pattern: pattern)
            } catch {
                throw .invalidValue(
                    file: file, path: mapping.child("repositories"), reason: "\(ConfigRendering.quoted(pattern)) is not a regular expression")
            }
            policy.repositories = pattern
        }
        return policy
    }

    func inventory(_ node: Node, reader: inout ConfigReader) throws(ConfigError) -> InventoryConfig {
        let mapping = try reader.mapping(node, at: "inventory", keys: ["sources", "file", "max_age"])
        var inventory = InventoryConfig(sources: [], file: nil, maxAge: nil)
        if let node = mapping["sources"] {
            for (index, item) in try reader.list(node, at: mapping.child("sources")).enumerated() {
                let source = try reader.mapping(
                    item, at: ConfigReader.element(mapping.child("sources"), index), keys: ["name", "file", "argument", "options"])
                let plugin: InventorySourceConfig.Plugin
                switch try oneOf(["name", "file"], in: source, required: true) {
                case "name": plugin = .name(try nonEmpty(reader.string(source["name"]!, at: source.child("name")), source.child("name")))
                default: plugin = .file(try nonEmpty(reader.string(source["file"]!, at: source.child("file")), source.child("file")))
                }
                var entry = InventorySourceConfig(plugin: plugin, argument: nil, options: [:])
                if let value = source["argument"] { entry.argument = try reader.string(value, at: source.child("argument")) }
                if let value = source["options"] { entry.options = try reader.options(value, at: source.child("options")) }
                inventory.sources.append(entry)
            }
        }
        if let value = mapping["file"] { inventory.file = try nonEmpty(reader.string(value, at: mapping.child("file")), mapping.child("file")) }
        if let value = mapping["max_age"] { inventory.maxAge = try reader.duration(value, at: mapping.child("max_age")) }
        return inventory
    }

    func schedule(_ node: Node, at path: String, registries: [RegistryConfig], reader: inout ConfigReader) throws(ConfigError) -> ScheduleConfig {
        let mapping = try reader.mapping(node, at: path, keys: ["job", "registry", "cron", "every", "delete"])
        guard let jobNode = mapping["job"] else { throw .missingKey(file: file, path: mapping.child("job")) }
        let jobText = try reader.string(jobNode, at: mapping.child("job"))
        guard let job = ScheduleConfig.Job(rawValue: jobText) else {
            let known = ScheduleConfig.Job.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidValue(file: file, path: mapping.child("job"), reason: "unknown job \(ConfigRendering.quoted(jobText)) (one of \(known))")
        }
        var registry: String?
        if let value = mapping["registry"] {
            let name = try reader.string(value, at: mapping.child("registry"))
            guard let found = registries.first(where: { $0.name == name }) else {
                let known = registries.map(\.name).joined(separator: ", ")
                throw .invalidValue(
                    file: file, path: mapping.child("registry"),
                    reason: "no registry named \(ConfigRendering.quoted(name)) (registries: \(known.isEmpty ? "none" : known))")
            }
            if job == .inventory {
                throw .invalidValue(file: file, path: mapping.child("registry"), reason: "the inventory job runs for all registries: remove registry")
            }
            if job == .storageScan, found.storage == nil {
                throw .invalidValue(
                    file: file, path: mapping.child("registry"), reason: "registry \(ConfigRendering.quoted(name)) has no storage to scan")
            }
            registry = name
        }
        let trigger: ScheduleConfig.Trigger
        switch try oneOf(["cron", "every"], in: mapping, required: true) {
        case "cron":
            let text = try reader.string(mapping["cron"]!, at: mapping.child("cron"))
            do {
                trigger = .cron(try CronExpression(parsing: text))
            } catch {
                throw .invalidValue(
                    file: file, path: mapping.child("cron"), reason: "invalid cron expression \(ConfigRendering.quoted(text)): \(error)")
            }
        default:
            trigger = .every(try reader.duration(mapping["every"]!, at: mapping.child("every")))
        }
        var delete = false
        if let value = mapping["delete"] {
            delete = try reader.bool(value, at: mapping.child("delete"))
            if delete, job != .run {
                throw .invalidValue(file: file, path: mapping.child("delete"), reason: "only a run job deletes (this is a \(job.rawValue) job)")
            }
        }
        return ScheduleConfig(job: job, registry: registry, trigger: trigger, delete: delete)
    }
}
