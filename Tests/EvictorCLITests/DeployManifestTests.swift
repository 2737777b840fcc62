import EvictorTestSupport
import Foundation
import Testing
import Yams

/// The packaging in `deploy/` against the code it packages: the manifests parse, the ConfigMap's
/// config and policy pass the binary's own checks from where the CronJob mounts them, the
/// ClusterRole grants what kubectl really requests when k8s.lua runs, the units, Containerfile
/// and CronJob agree on the command, and that command runs dry against a real registry.
@Suite("deploy/: Containerfile, Kubernetes, systemd and cron")
struct DeployManifestTests {
    static func work() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-deploy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Every first capture group of `pattern` in `text`.
    static func captures(_ pattern: String, in text: String) throws -> [String] {
        let regex = try NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// A dummy value for every `${VAR}` of `text` that has no default.
    static func dummyVariables(_ text: String) throws -> [String: String] {
        Dictionary(try captures(#"\$\{([A-Za-z_][A-Za-z0-9_]*)\}"#, in: text).map { ($0, "dummy-\($0.lowercased())") }) { first, _ in first }
    }

    /// The CronJob container's environment, its paths moved into `pod`.
    static func environment(_ pod: PodFileSystem) throws -> [String: String] {
        var environment: [String: String] = [:]
        for variable in try DeployFiles.container()["env"] as? [[String: Any]] ?? [] {
            let name = try #require(variable["name"] as? String)
            environment[name] = try pod.rooted(try #require(variable["value"] as? String, "env \(name) has no plain value"))
        }
        return environment
    }

    /// The path after `--config` in `arguments`.
    static func configArgument(_ arguments: [String]) throws -> String {
        let index = try #require(arguments.firstIndex(of: "--config"), "no --config in \(arguments)")
        return try #require(arguments.dropFirst(index + 1).first, "--config without a path")
    }

    // MARK: - The files parse

    @Test("every YAML file under deploy/ parses (all its documents); each Kubernetes object is complete; the Secret is a template")
    func manifestsParse() throws {
        let files = try DeployFiles.files(endingIn: [".yaml", ".yml"])
        #expect(files.contains("evictor.yaml") && files.contains { $0.hasPrefix("kubernetes/") }, "\(files)")
        for file in files {
            let documents = try DeployFiles.documents(file)
            #expect(!documents.isEmpty && documents.allSatisfy { $0 != nil }, "\(file): an empty document")
        }
        var seen: Set<String> = []
        var namespaces: Set<String> = []
        for object in try DeployFiles.kubernetesObjects() {
            let kind = object["kind"] as? String ?? ""
            let metadata = DeployFiles.map(object, "metadata")
            let name = metadata?["name"] as? String ?? ""
            #expect(!(object["apiVersion"] as? String ?? "").isEmpty, "\(kind)/\(name): no apiVersion")
            #expect(!kind.isEmpty, "\(name): no kind")
            #expect(!name.isEmpty, "\(kind): no metadata.name")
            #expect(seen.insert("\(kind)/\(name)").inserted, "\(kind)/\(name) twice")
            if !kind.hasPrefix("Cluster") { namespaces.insert(metadata?["namespace"] as? String ?? "") }
        }
        let kinds = Set(seen.map { String($0.prefix { $0 != "/" }) })
        #expect(kinds == ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "Secret", "CronJob"])
        #expect(namespaces.count == 1 && !namespaces.contains(""), "namespaces: \(namespaces)")

        // Docker's config.json with a placeholder: never a credential, not even a decodable one.
        let secret = try DeployFiles.object("Secret")
        #expect(secret["type"] as? String == "kubernetes.io/dockerconfigjson")
        let json = try #require(try DeployFiles.contents(of: secret)[".dockerconfigjson"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let auths = try #require(document["auths"] as? [String: [String: String]])
        #expect(auths.count == 1)
        for entry in auths.values {
            #expect(entry.keys.sorted() == ["auth"])
            #expect(entry["auth"].flatMap { Data(base64Encoded: $0) } == nil, "the Secret template holds a decodable auth")
        }
    }

    // MARK: - The ConfigMap

    @Test("the ConfigMap's evictor.yaml passes `evictor config check`; its policies pass `policy check` from where the CronJob mounts them")
    func configMapConfig() async throws {
        let work = try Self.work()
        defer { try? FileManager.default.removeItem(at: work) }
        let (text, config) = try DeployFiles.embeddedConfig()
        let file = work.appendingPathComponent("evictor.yaml")
        try Data(text.utf8).write(to: file)
        // Checked as the CronJob runs it: its EVICTOR_PLUGIN_PATH over the ConfigMap as mounted
        // (config check loads every policy, a custom one from the plugin path included).
        let pod = try PodFileSystem(root: work.appendingPathComponent("pod"))
        let environment = try Self.environment(pod)
        let pluginPath = try #require(environment["EVICTOR_PLUGIN_PATH"], "the CronJob sets no EVICTOR_PLUGIN_PATH")
        let check = try await EvictorBinary.run(
            ["config", "check", "--config", file.path], environment: try Self.dummyVariables(text).merging(environment) { $1 })
        #expect(check.status == 0, "\(check.stderrText)")
        #expect(check.stderrText.isEmpty, "\(check.stderrText)")
        let unmounted = try await EvictorBinary.run(["config", "check", "--config", file.path], environment: try Self.dummyVariables(text))
        #expect(unmounted.status == 2 && unmounted.stderrText.contains("keep-releases"), "\(unmounted.stderrText)")

        // Each policy the config names, with its options, resolved through the same path.
        var fromPluginPath: [String] = []
        for registry in config["registries"] as? [[String: Any]] ?? [] {
            for policy in registry["policies"] as? [[String: Any]] ?? [] {
                let name = try #require(policy["policy"] as? String)
                let options = (policy["options"] as? [String: Any] ?? [:]).flatMap { ["--policy-option", "\($0.key)=\($0.value)"] }
                let result = try await EvictorBinary.run(["policy", "check", name] + options, environment: environment)
                #expect(result.status == 0, "policy \(name): \(result.stdoutText)\(result.stderrText)")
                if result.stdoutText.contains("file: \(pluginPath)/policies/\(name).lua") { fromPluginPath.append(name) }
            }
        }
        #expect(!fromPluginPath.isEmpty, "no policy of the config comes from the ConfigMap on the plugin path")
        // Every Lua file the ConfigMap ships is mounted on the plugin path.
        let configMap = try DeployFiles.contents(of: DeployFiles.object("ConfigMap"))
        let mounted = try FileManager.default.subpathsOfDirectory(atPath: pluginPath).filter { $0.hasSuffix(".lua") }
        for (key, source) in configMap where key.hasSuffix(".lua") {
            let copies = try mounted.filter { try String(contentsOfFile: "\(pluginPath)/\($0)", encoding: .utf8) == source }
            #expect(copies.count == 1, "\(key) is not mounted under the plugin path (\(mounted))")
        }
    }

    // MARK: - The ClusterRole against k8s.lua

    /// One RBAC permission: API group, resource, verb.
    struct Permission: Hashable, CustomStringConvertible {
        var group: String
        var resource: String
        var verb: String
        var description: String { "\(group.isEmpty ? "core" : group)/\(resource):\(verb)" }
    }

    /// The permission a request of the fake API server's log needs (`/clusters/NAME/api/v1/pods?limit=500`),
    /// nil for discovery and `/version` (every authenticated user may read those).
    static func permission(_ target: String) -> Permission? {
        let pieces = target.split(separator: "?", maxSplits: 1).map(String.init)
        var parts = pieces[0].split(separator: "/").map(String.init)
        guard parts.count > 2, parts[0] == "clusters" else { return nil }
        parts.removeFirst(2)
        let group: String
        if parts[0] == "api", parts.count >= 3 {
            group = ""
            parts.removeFirst(2)
        } else if parts[0] == "apis", parts.count >= 4 {
            group = parts[1]
            parts.removeFirst(3)
        } else {
            return nil
        }
        if parts.count >= 3, parts[0] == "namespaces" { parts.removeFirst(2) }
        let query = pieces.count > 1 ? pieces[1].split(separator: "&").map(String.init) : []
        let verb = query.contains("watch=true") || query.contains("watch=1") ? "watch" : parts.count > 1 ? "get" : "list"
        return Permission(group: group, resource: parts[0], verb: verb)
    }

    @Test("the ClusterRole grants exactly the (group, resource) pairs and verbs kubectl requests when k8s.lua runs, bound to the CronJob's account")
    func clusterRoleMatchesKubernetesSource() async throws {
        // What k8s.lua says: the resources it lists, and that every kubectl call is a `get` across namespaces.
        let lua = try String(contentsOf: Fixtures.url("plugins/sources/k8s.lua"), encoding: .utf8)
        let listed = Set(try Self.captures(#"list\("([a-z0-9]+)"\)"#, in: lua) + Self.captures(#"resource = "([a-z0-9]+)""#, in: lua))
        #expect(!listed.isEmpty)
        let calls = try Self.captures(#"kubectl\(\{([^}]*)\}"#, in: lua)
        #expect(!calls.isEmpty)
        for call in calls {
            let words = try Self.captures(#""([^"]*)""#, in: call)
            #expect(words.first == "get" && words.contains("--all-namespaces"), "k8s.lua runs kubectl \(words): not a list across namespaces")
        }

        // What kubectl really requests when the source runs (the recorded prod cluster).
        let work = try Self.work()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try await KubernetesAPIServer.start(clusters: ["prod": Fixtures.url("Tests/Fixtures/kubernetes/prod")])
        let requested: Set<Permission>
        do {
            let kubeconfig = work.appendingPathComponent("kubeconfig")
            try server.writeKubeconfig(to: kubeconfig, currentContext: "prod")
            let result = try await EvictorBinary.run(
                [
                    "inventory", "--source", "k8s", "--option", "k8s.kubeconfig=\(kubeconfig.path)", "-o",
                    work.appendingPathComponent("images.json").path,
                ],
                environment: ["HOME": work.path])
            #expect(result.status == 0, "\(result.stderrText)")
            requested = Set(server.requestLog.compactMap(Self.permission))
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
        #expect(Set(requested.map(\.resource)) == listed, "kubectl requested \(requested.sorted { $0.description < $1.description })")

        let role = try DeployFiles.object("ClusterRole")
        var granted: Set<Permission> = []
        for rule in role["rules"] as? [[String: Any]] ?? [] {
            #expect(rule["resourceNames"] == nil && rule["nonResourceURLs"] == nil, "\(rule)")
            for group in rule["apiGroups"] as? [String] ?? [] {
                for resource in rule["resources"] as? [String] ?? [] {
                    for verb in rule["verbs"] as? [String] ?? [] { granted.insert(Permission(group: group, resource: resource, verb: verb)) }
                }
            }
        }
        let sorted = { (set: Set<Permission>) in set.map(\.description).sorted() }
        #expect(
            granted == requested, "granted, not needed: \(sorted(granted.subtracting(requested))); needed: \(sorted(requested.subtracting(granted)))")

        let binding = try DeployFiles.object("ClusterRoleBinding")
        let roleRef = try #require(DeployFiles.map(binding, "roleRef"))
        #expect(roleRef["kind"] as? String == "ClusterRole" && roleRef["name"] as? String == DeployFiles.map(role, "metadata")?["name"] as? String)
        let account = try #require(DeployFiles.map(try DeployFiles.object("ServiceAccount"), "metadata"))
        let subjects = try #require(binding["subjects"] as? [[String: String]])
        #expect(
            subjects == [["kind": "ServiceAccount", "name": account["name"] as? String ?? "", "namespace": account["namespace"] as? String ?? ""]])
        #expect(try DeployFiles.podSpec()["serviceAccountName"] as? String == account["name"] as? String)
    }

    // MARK: - The CronJob

    /// The mount of the CronJob's container holding `path` (the deepest), its volume, and `path` relative to it.
    static func volume(holding path: String) throws -> (mount: [String: Any], volume: [String: Any], relative: String)? {
        let mounts = try #require(try DeployFiles.container()["volumeMounts"] as? [[String: Any]])
        let volumes = try #require(try DeployFiles.podSpec()["volumes"] as? [[String: Any]])
        let holding = mounts.filter { mount in
            guard let mountPath = mount["mountPath"] as? String else { return false }
            return path == mountPath || path.hasPrefix(mountPath + "/")
        }
        guard let mount = holding.max(by: { ($0["mountPath"] as? String ?? "").count < ($1["mountPath"] as? String ?? "").count }),
            let mountPath = mount["mountPath"] as? String,
            let volume = volumes.first(where: { $0["name"] as? String == mount["name"] as? String })
        else { return nil }
        return (mount, volume, String(path.dropFirst(mountPath.count).drop { $0 == "/" }))
    }

    /// The key of a ConfigMap or Secret volume source that appears at `relative`.
    static func key(at relative: String, in source: [String: Any]) -> String? {
        guard let items = source["items"] as? [[String: Any]] else { return relative }
        return items.first { $0["path"] as? String == relative }?["key"] as? String
    }

    @Test(
        "the CronJob: Forbid, a deadline, no retries, dry `evictor run` with the ConfigMap's config, non-root on a read-only root, state on a volume")
    func cronJob() throws {
        let cronJob = try DeployFiles.object("CronJob")
        let spec = try #require(DeployFiles.map(cronJob, "spec"))
        #expect(spec["concurrencyPolicy"] as? String == "Forbid")
        #expect((spec["startingDeadlineSeconds"] as? Int ?? 0) > 0)
        #expect(DeployFiles.map(spec, "jobTemplate", "spec")?["backoffLimit"] as? Int == 0)
        let pod = try DeployFiles.podSpec()
        let container = try DeployFiles.container()
        #expect(DeployFiles.map(pod, "securityContext")?["runAsNonRoot"] as? Bool == true)
        #expect(DeployFiles.map(container, "securityContext")?["readOnlyRootFilesystem"] as? Bool == true)
        #expect(DeployFiles.map(container, "securityContext")?["allowPrivilegeEscalation"] as? Bool == false)
        #expect(container["command"] == nil, "the image's entrypoint is evictor; the CronJob gives only arguments")

        let arguments = try #require(container["args"] as? [String])
        #expect(arguments.first == "run")
        #expect(!arguments.contains("--delete"), "first runs are dry: --delete belongs in a comment")
        let configPath = try Self.configArgument(arguments)
        let config = try #require(try Self.volume(holding: configPath), "\(configPath) is on no volume")
        let configMap = try #require(config.volume["configMap"] as? [String: Any], "\(configPath) is not on a ConfigMap volume")
        #expect(configMap["name"] as? String == DeployFiles.map(try DeployFiles.object("ConfigMap"), "metadata")?["name"] as? String)
        #expect(Self.key(at: config.relative, in: configMap) == "evictor.yaml")
        #expect(config.mount["readOnly"] as? Bool == true)

        // The config's own paths: the credentials from the Secret, the state on a writable volume.
        let (_, value) = try DeployFiles.embeddedConfig()
        let registries = try #require(value["registries"] as? [[String: Any]])
        for registry in registries {
            guard let dockerConfig = DeployFiles.map(registry, "credentials")?["docker_config"] as? String else { continue }
            let holder = try #require(try Self.volume(holding: dockerConfig), "\(dockerConfig) is on no volume")
            let secret = try #require(holder.volume["secret"] as? [String: Any], "\(dockerConfig) is not on a Secret volume")
            #expect(secret["secretName"] as? String == DeployFiles.map(try DeployFiles.object("Secret"), "metadata")?["name"] as? String)
            #expect(Self.key(at: holder.relative, in: secret) == ".dockerconfigjson")
        }
        let state = try #require(DeployFiles.map(value, "state")?["directory"] as? String)
        for path in [state, DeployFiles.map(value, "inventory")?["file"] as? String].compactMap({ $0 }) {
            let holder = try #require(try Self.volume(holding: path), "\(path) is on the read-only root file system")
            #expect(holder.mount["readOnly"] as? Bool != true, "\(path) is on a read-only mount")
            #expect(holder.volume["emptyDir"] != nil || holder.volume["persistentVolumeClaim"] != nil, "\(path): \(holder.volume)")
        }
    }

    // MARK: - systemd, cron and the Containerfile

    /// A systemd unit file: section -> key -> values (a repeated key adds a value).
    static func unit(_ relative: String) throws -> [String: [String: [String]]] {
        var sections: [String: [String: [String]]] = [:]
        var section = ""
        for raw in try DeployFiles.text(relative).split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
                continue
            }
            let pair = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(pair.count == 2 && !section.isEmpty, "\(relative): \(line)")
            if pair.count == 2 { sections[section, default: [:]][pair[0], default: []].append(pair[1]) }
        }
        return sections
    }

    @Test(
        "systemd: a sandboxed oneshot running `evictor run --config PATH` with the example config's state directory; a nightly timer; cron with flock"
    )
    func systemdUnits() throws {
        let service = try #require(try Self.unit("systemd/evictor.service")["Service"])
        #expect(service["Type"] == ["oneshot"])
        let command = try #require(service["ExecStart"]?.last).split(separator: " ").map(String.init)
        #expect(command.count == 4 && command[0].hasPrefix("/") && command[0].hasSuffix("/evictor"), "\(command)")
        #expect(Array(command.dropFirst().prefix(2)) == ["run", "--config"], "\(command)")
        let user = service["User"]?.last
        #expect(user != nil && user != "root" && service["DynamicUser"] == nil)
        #expect(service["EnvironmentFile"]?.isEmpty == false)
        for (key, value) in [("ProtectSystem", "strict"), ("NoNewPrivileges", "yes"), ("PrivateTmp", "yes"), ("StateDirectory", "evictor")] {
            #expect(service[key] == [value], "\(key)=\(service[key] ?? [])")
        }
        // The shipped example config (what the unit's --config path is meant to hold) keeps its state where the unit lets it write.
        let example = try #require(try DeployFiles.documents("evictor.yaml").first as? [String: Any])
        let state = try #require(DeployFiles.map(example, "state")?["directory"] as? String)
        #expect(state == "/var/lib/evictor")
        #expect(service["ReadWritePaths"]?.contains(state) == true)

        let timer = try Self.unit("systemd/evictor.timer")
        #expect((timer["Timer"]?["Unit"] ?? ["evictor.service"]) == ["evictor.service"])
        #expect(timer["Timer"]?["OnCalendar"]?.isEmpty == false)
        #expect(timer["Timer"]?["Persistent"] == ["true"])
        #expect(timer["Timer"]?["RandomizedDelaySec"]?.isEmpty == false)
        #expect(timer["Install"]?["WantedBy"] == ["timers.target"])

        // The crontab's one command line: neither a comment nor a variable setting.
        let cron = try DeployFiles.text("cron.example").split(separator: "\n").filter { line in
            !line.hasPrefix("#") && line.range(of: #"^[A-Z_]+="#, options: .regularExpression) == nil
        }
        #expect(cron.count == 1, "\(cron)")
        let line = cron.first.map(String.init) ?? ""
        #expect(line.contains("flock -n ") && line.contains("evictor run --config \(command.last ?? "")"), "\(line)")
    }

    /// The Containerfile's instructions (continuations joined, comments dropped): (INSTRUCTION, arguments).
    static func containerfile() throws -> [(String, String)] {
        var instructions: [(String, String)] = []
        var pending = ""
        for raw in try DeployFiles.text("Containerfile").split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { continue }
            if line.hasSuffix("\\") {
                pending += line.dropLast() + " "
                continue
            }
            let full = pending + line
            pending = ""
            guard let space = full.firstIndex(of: " ") else { continue }
            instructions.append((String(full[..<space]).uppercased(), full[space...].trimmingCharacters(in: .whitespaces)))
        }
        return instructions
    }

    @Test("Containerfile: the release build, liblua and kubectl checked by sha256, a non-root user, evictor run, the CronJob's config path")
    func containerfileAgrees() throws {
        let instructions = try Self.containerfile()
        let all = { (name: String) in instructions.filter { $0.0 == name }.map(\.1) }
        let stages = all("FROM")
        #expect(stages.count >= 2 && stages[0].contains("swift:6.3") && stages[0].contains("bookworm"), "\(stages)")
        #expect(stages.last?.hasPrefix("debian:bookworm-slim") == true, "\(stages)")
        let runs = all("RUN").joined(separator: "\n")
        #expect(runs.contains("swift build -c release --static-swift-stdlib --product evictor"))
        #expect(runs.contains("liblua5.4-dev") && runs.contains("liblua5.4-0") && runs.contains("ca-certificates"))
        #expect(runs.contains("sha256sum -c"))
        #expect(all("ENTRYPOINT") == [#"["evictor"]"#])
        #expect(all("CMD") == [#"["run"]"#])
        let user = try #require(all("USER").last)
        #expect(Int(user.prefix { $0 != ":" }).map { $0 > 0 } == true, "USER \(user): not a numeric non-root user")
        let environment = Dictionary(
            all("ENV").flatMap { $0.split(separator: " ") }.compactMap { entry -> (String, String)? in
                let pair = entry.split(separator: "=", maxSplits: 1).map(String.init)
                return pair.count == 2 ? (pair[0], pair[1]) : nil
            }
        ) { _, last in last }
        let arguments = try #require(try DeployFiles.container()["args"] as? [String])
        #expect(environment["EVICTOR_CONFIG"] == (try Self.configArgument(arguments)))
        let cronJobEnvironment = try DeployFiles.container()["env"] as? [[String: Any]] ?? []
        let pluginPath = cronJobEnvironment.first { $0["name"] as? String == "EVICTOR_PLUGIN_PATH" }?["value"] as? String
        #expect(environment["EVICTOR_PLUGIN_PATH"] == pluginPath)
        let state = DeployFiles.map(try DeployFiles.embeddedConfig().value, "state")?["directory"] as? String
        #expect(all("VOLUME").contains { $0.contains("\"\(state ?? "-")\"") }, "\(all("VOLUME"))")
    }

    // MARK: - The CronJob's command, run

    /// A `PodList` of running pods, one container each, using `images`.
    static func podList(_ images: [String]) throws -> Data {
        let items: [[String: Any]] = images.enumerated().map { index, image in
            [
                "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "app-\(index)", "namespace": "shop", "resourceVersion": "1"],
                "spec": ["containers": [["name": "app", "image": image]]], "status": ["phase": "Running"],
            ]
        }
        return try JSONSerialization.data(withJSONObject: [
            "apiVersion": "v1", "kind": "PodList", "metadata": ["resourceVersion": "1"], "items": items,
        ])
    }

    @Test("the CronJob's args, run with the ConfigMap's config and the Secret's shape against a real registry: a dry run, nothing deleted")
    func cronJobRunsDry() async throws {
        let user = "evictor"
        let password = "pw-\(UUID().uuidString)"
        try await RegistryServer.withBasicAuth(user: user, password: password) { registry in
            // shop/app (v3 in use) and old/tool (used by nothing: in-use would delete it).
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            for (repository, tag, day) in [("shop/app", "v1", 1.0), ("shop/app", "v2", 2), ("shop/app", "v3", 3), ("old/tool", "v1", 1)] {
                _ = try layout.addImage(tag: "\(repository)-\(tag)", EvictionTests.image("\(repository)-\(tag)", day: day))
                try await Skopeo.push(
                    layout: layout, tag: "\(repository)-\(tag)", to: registry, repository: repository, destinationTag: tag,
                    credentials: (user, password))
            }
            let credentials = ["EVICTOR_USERNAME": user, "EVICTOR_PASSWORD": password]
            let before = try await EvictorBinary.run(["ls", registry.url], environment: credentials)
            #expect(before.status == 0 && before.stdoutText.contains("old/tool:v1"), "\(before.stdoutText)\(before.stderrText)")

            // The cluster the k8s source sees: pods using shop/app:v3 and enough other images for the config's min_inventory.
            let work = try Self.work()
            defer { try? FileManager.default.removeItem(at: work) }
            let (text, config) = try DeployFiles.embeddedConfig()
            let minimum = DeployFiles.map(config, "safety")?["min_inventory"] as? Int ?? 10
            let cluster = work.appendingPathComponent("cluster")
            try FileManager.default.createDirectory(at: cluster, withIntermediateDirectories: true)
            let images = ["\(registry.hostPort)/shop/app:v3"] + (1...minimum).map { "\(registry.hostPort)/services/s\($0):1.0" }
            try Self.podList(images).write(to: cluster.appendingPathComponent("pods.json"))
            let server = try await KubernetesAPIServer.start(clusters: ["cluster": cluster])
            do {
                let kubeconfig = work.appendingPathComponent("kubeconfig")
                try server.writeKubeconfig(to: kubeconfig, currentContext: "cluster")

                // The Secret's template filled in for this registry, and the pod's volumes under work/pod.
                let secret = try DeployFiles.object("Secret")
                var contents = try DeployFiles.contents(of: secret)
                let template = try #require(contents[".dockerconfigjson"])
                let auths = try #require(
                    (try JSONSerialization.jsonObject(with: Data(template.utf8)) as? [String: Any])?["auths"] as? [String: [String: String]])
                let (host, entry) = try #require(auths.first)
                let placeholder = try #require(entry["auth"])
                contents[".dockerconfigjson"] = template.replacingOccurrences(of: "\"\(host)\"", with: "\"\(registry.hostPort)\"")
                    .replacingOccurrences(of: placeholder, with: Data("\(user):\(password)".utf8).base64EncodedString())
                let secretName = try #require(DeployFiles.map(secret, "metadata")?["name"] as? String)
                let pod = try PodFileSystem(root: work.appendingPathComponent("pod"), secrets: [secretName: contents])

                // The ConfigMap's config, as mounted, pointed at this registry.
                let url = try #require((config["registries"] as? [[String: Any]])?.first?["url"] as? String)
                #expect(text.components(separatedBy: url).count == 2, "the registry url \(url) appears more than once in the config")
                let arguments = try pod.rooted(try #require(try DeployFiles.container()["args"] as? [String]).joined(separator: "\u{0}"))
                    .split(separator: "\u{0}").map(String.init)
                let configFile = try Self.configArgument(arguments)
                try Data(try pod.rooted(text.replacingOccurrences(of: url, with: registry.url)).utf8).write(to: URL(fileURLWithPath: configFile))

                var environment = try Self.environment(pod).merging(try Self.dummyVariables(text)) { first, _ in first }
                environment["KUBECONFIG"] = kubeconfig.path
                let run = try await EvictorBinary.run(arguments, environment: environment, timeout: .seconds(300))
                #expect(run.status == 0, "exit \(run.status): \(run.stdoutText)\(run.stderrText)")
                #expect(run.stdoutText.contains("dry run: nothing deleted"), "\(run.stdoutText)")
                #expect(run.stdoutText.contains("plan: delete 1 of 4 tags"), "\(run.stdoutText)")
                #expect(run.stdoutText.contains("would delete\told/tool@"), "\(run.stdoutText)")

                // The run record in the state volume: a clean dry run over the cluster's images and the registry's tags.
                let state = try pod.rooted(try #require(DeployFiles.map(config, "state")?["directory"] as? String))
                let runs = try FileManager.default.contentsOfDirectory(atPath: "\(state)/runs").filter { $0.hasSuffix(".json") }
                #expect(runs.count == 1, "\(runs)")
                let recordFile = URL(fileURLWithPath: "\(state)/runs/\(try #require(runs.first))")
                let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: recordFile)) as? [String: Any])
                #expect(record["exit_code"] as? Int == 0 && record["delete"] as? Bool == false)
                #expect((record["inventory"] as? [String: Any])?["images"] as? Int == images.count)
                let part = try #require((record["registries"] as? [[String: Any]])?.first)
                #expect((part["check"] as? [String: Any])?["tags_checked"] as? Int == 4)
                #expect((part["plan"] as? [String: Any])?["tags_planned"] as? Int == 1)

                let basic = Data("\(user):\(password)".utf8).base64EncodedString()
                let written = try FileManager.default.subpathsOfDirectory(atPath: state).compactMap {
                    try? Data(contentsOf: URL(fileURLWithPath: "\(state)/\($0)"))
                }
                for secret in [password, basic] {
                    #expect(![run.stdoutText, run.stderrText].contains { $0.contains(secret) }, "the secret is in the output")
                    #expect(!written.contains { String(decoding: $0, as: UTF8.self).contains(secret) }, "the secret is in the state directory")
                }
                let after = try await EvictorBinary.run(["ls", registry.url], environment: credentials)
                #expect(after.status == 0)
                #expect(after.stdoutText == before.stdoutText, "a dry run changed the registry")
            } catch {
                try? await server.stop()
                throw error
            }
            try await server.stop()
        }
    }
}
