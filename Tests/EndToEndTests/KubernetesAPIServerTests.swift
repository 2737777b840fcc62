import EvictorTestSupport
import Foundation
import Testing

/// The real `kubectl` with its own kubeconfig and discovery cache (nothing lands in `~/.kube`).
private struct Kubectl {
    let kubeconfig: URL
    let cacheDirectory: URL

    /// A scratch directory holding the kubeconfig and the cache; `remove()` deletes it.
    static func temporary() throws -> Kubectl {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-kube-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return Kubectl(
            kubeconfig: directory.appendingPathComponent("kubeconfig"),
            cacheDirectory: directory.appendingPathComponent("cache")
        )
    }

    func run(_ arguments: [String]) async throws -> ProcessResult {
        try await ProcessRunner.run(
            "kubectl", ["--kubeconfig", kubeconfig.path, "--cache-dir", cacheDirectory.path] + arguments,
            timeout: .seconds(60)
        )
    }

    /// `get RESOURCE --all-namespaces -o json` in `context`; throws unless kubectl exits 0.
    func list(_ resource: String, context: String, namespace: String? = nil) async throws -> [[String: Any]] {
        let scope = namespace.map { ["--namespace", $0] } ?? ["--all-namespaces"]
        let result = try await run(["--context", context, "get", resource] + scope + ["-o", "json", "--request-timeout=5s"])
        guard result.status == 0 else {
            throw TestSupportError("kubectl get \(resource) (\(context)) exited \(result.status): \(result.stderrText)")
        }
        guard let list = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any],
            let items = list["items"] as? [[String: Any]]
        else { throw TestSupportError("kubectl get \(resource): no items in \(result.stdoutText)") }
        return items
    }

    func remove() {
        try? FileManager.default.removeItem(at: kubeconfig.deletingLastPathComponent())
    }
}

/// `namespace/name` of each item, sorted.
private func names(_ items: [[String: Any]]) -> [String] {
    items.compactMap { item in
        guard let metadata = item["metadata"] as? [String: Any], let name = metadata["name"] as? String else { return nil }
        return "\(metadata["namespace"] as? String ?? "")/\(name)"
    }.sorted()
}

/// The item called `namespace/name`.
private func item(_ items: [[String: Any]], _ qualifiedName: String) -> [String: Any]? {
    items.first { names([$0]) == [qualifiedName] }
}

/// `path` (keys and array indexes) into a JSON tree.
private func value(_ tree: Any?, _ path: [Any]) -> Any? {
    var current = tree
    for step in path {
        if let key = step as? String { current = (current as? [String: Any])?[key] }
        if let index = step as? Int {
            guard let array = current as? [Any], array.indices.contains(index) else { return nil }
            current = array[index]
        }
    }
    return current
}

/// The queries (name -> value) of every logged request for exactly `path`.
private func requested(_ log: [String], _ path: String) -> [[String: String]] {
    log.compactMap { entry in
        guard let components = URLComponents(string: "http://log.invalid\(entry)"), components.path == path else { return nil }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
        return query
    }
}

/// Starts the server on `clusters`, writes a kubeconfig (current context `prod` if present), runs `body`, stops.
private func withServer(
    _ clusters: [String: URL], _ body: (KubernetesAPIServer, Kubectl) async throws -> Void
) async throws {
    let server = try await KubernetesAPIServer.start(clusters: clusters)
    let kubectl = try Kubectl.temporary()
    defer { kubectl.remove() }
    do {
        try server.writeKubeconfig(to: kubectl.kubeconfig, currentContext: clusters["prod"] == nil ? nil : "prod")
        try await body(server, kubectl)
    } catch {
        try await server.stop()
        throw error
    }
    try await server.stop()
}

private let fixtureClusters = [
    "prod": Fixtures.url("Tests/Fixtures/kubernetes/prod"),
    "staging": Fixtures.url("Tests/Fixtures/kubernetes/staging"),
]

/// What each context lists, per resource (`namespace/name`, sorted).
private let expectedNames: [String: [String: [String]]] = [
    "prod": [
        "pods": ["data/postgres-0", "default/one-off-backfill", "monitoring/node-exporter-7m4qz", "shop/web-7d4b9c6f5-x2k8p"],
        "deployments": ["shop/web"],
        "replicasets": ["shop/web-5f8c7b6d9", "shop/web-7d4b9c6f5"],
        "cronjobs": ["reports/nightly-report"],
        "jobs": [],
        "daemonsets": ["monitoring/node-exporter"],
        "statefulsets": ["data/postgres"],
    ],
    "staging": [
        "pods": ["shop/api-6c9f8d7b5-q2w3e", "shop/api-6c9f8d7b5-r4t5y", "shop/db-seed-7kq2m", "shop/frontend-84d7f6c9b8-z9x8c"],
        "deployments": ["shop/api", "shop/frontend"],
        "replicasets": ["shop/api-6c9f8d7b5", "shop/frontend-84d7f6c9b8"],
        "cronjobs": [],
        "jobs": ["shop/db-seed"],
        "daemonsets": [],
        "statefulsets": [],
    ],
]

@Suite("Test support: the real kubectl against the fake Kubernetes API server")
struct KubernetesAPIServerTests {
    @Test("kubectl lists every recorded workload of each context", arguments: ["prod", "staging"])
    func listsRecordedWorkloads(context: String) async throws {
        let expected = try #require(expectedNames[context])
        try await withServer(fixtureClusters) { server, kubectl in
            for (resource, expectedItems) in expected.sorted(by: { $0.key < $1.key }) {
                let items = try await kubectl.list(resource, context: context)
                #expect(names(items) == expectedItems, "\(context) \(resource)")
            }
            let log = server.requestLog
            // kubectl pages with ?limit=500 (and adds &timeout=5s for --request-timeout).
            #expect(requested(log, "/clusters/\(context)/api/v1/pods").contains { $0["limit"] == "500" })
            #expect(requested(log, "/clusters/\(context)/apis/batch/v1/cronjobs").contains { $0["limit"] == "500" })
            // Legacy discovery, once: the discovery cache in --cache-dir serves the later commands.
            for path in ["/api", "/apis", "/api/v1", "/apis/apps/v1", "/apis/batch/v1"] {
                #expect(requested(log, "/clusters/\(context)\(path)").count == 1, "\(path)")
            }
            let other = context == "prod" ? "staging" : "prod"
            #expect(!log.contains { $0.hasPrefix("/clusters/\(other)/") })
        }
    }

    @Test("recorded fields come back intact: digests, the old ReplicaSet, the ephemeral container")
    func recordedFieldsSurvive() async throws {
        try await withServer(fixtureClusters) { _, kubectl in
            let pods = try await kubectl.list("pods", context: "prod")
            let web = item(pods, "shop/web-7d4b9c6f5-x2k8p")
            #expect(value(web, ["status", "phase"]) as? String == "Running")
            #expect(value(web, ["spec", "initContainers", 0, "image"]) as? String == "registry.example.com:5000/shop/web-migrate:1.4.0")
            let statuses = value(web, ["status", "containerStatuses"]) as? [[String: Any]] ?? []
            #expect(
                statuses.compactMap { $0["imageID"] as? String }.contains(
                    "docker-pullable://registry.example.com:5000/shop/web@sha256:58221f2328b1b99f340482a7b04a9718080a2710d0e2ccff9af5df289df31653"
                ))
            let backfill = item(pods, "default/one-off-backfill")
            #expect(value(backfill, ["status", "phase"]) as? String == "Succeeded")
            #expect(value(backfill, ["status", "containerStatuses", 0, "state", "terminated", "finishedAt"]) as? String == "2020-03-14T09:26:53Z")
            let exporter = item(pods, "monitoring/node-exporter-7m4qz")
            #expect(value(exporter, ["spec", "ephemeralContainers", 0, "image"]) as? String == "busybox:1.36")

            let replicaSets = try await kubectl.list("replicasets", context: "prod")
            let old = item(replicaSets, "shop/web-5f8c7b6d9")
            #expect(value(old, ["spec", "replicas"]) as? Int == 0)
            #expect(value(old, ["spec", "template", "spec", "containers", 0, "image"]) as? String == "registry.example.com:5000/shop/web:1.3.0")

            let cronJobs = try await kubectl.list("cronjobs", context: "prod")
            #expect(
                value(item(cronJobs, "reports/nightly-report"), ["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "image"])
                    as? String == "registry.example.com:5000/tools/report:2.1")

            let stagingPods = try await kubectl.list("pods", context: "staging")
            #expect(value(item(stagingPods, "shop/frontend-84d7f6c9b8-z9x8c"), ["spec", "containers", 0, "image"]) as? String == "nginx:1.25")
        }
    }

    @Test("namespaced lists are filtered; namespaces are recorded or derived")
    func namespacesAndNamespacedLists() async throws {
        try await withServer(fixtureClusters) { _, kubectl in
            let shopPods = try await kubectl.list("pods", context: "prod", namespace: "shop")
            #expect(names(shopPods) == ["shop/web-7d4b9c6f5-x2k8p"])
            let nowhere = try await kubectl.list("deployments", context: "staging", namespace: "nowhere")
            #expect(names(nowhere).isEmpty)
            // prod has namespaces.json (with kube-system); staging's are derived from its other files.
            let prodNamespaces = try await kubectl.list("namespaces", context: "prod")
            #expect(names(prodNamespaces) == ["/data", "/default", "/kube-system", "/monitoring", "/reports", "/shop"])
            let stagingNamespaces = try await kubectl.list("namespaces", context: "staging")
            #expect(names(stagingNamespaces) == ["/shop"])
        }
    }

    @Test("kubectl config sees one context per cluster; the kubeconfig can be narrowed")
    func contexts() async throws {
        try await withServer(fixtureClusters) { server, kubectl in
            let all = try await kubectl.run(["config", "get-contexts", "-o", "name"])
            #expect(all.status == 0, "\(all.stderrText)")
            #expect(all.stdoutText.split(separator: "\n") == ["prod", "staging"])
            let current = try await kubectl.run(["config", "current-context"])
            #expect(current.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "prod")
            // Without --context, the current context (prod) is used.
            let items = try await kubectl.run(["get", "deployments", "--all-namespaces", "-o", "name"])
            #expect(items.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "deployment.apps/web")

            try server.writeKubeconfig(to: kubectl.kubeconfig, contexts: ["staging"], currentContext: nil)
            let narrowed = try await kubectl.run(["config", "get-contexts", "-o", "name"])
            #expect(narrowed.stdoutText.split(separator: "\n") == ["staging"])
            #expect(throws: (any Error).self) {
                try server.writeKubeconfig(to: kubectl.kubeconfig, contexts: ["nope"], currentContext: nil)
            }
        }
    }

    @Test("a forbidden resource and an unknown path make kubectl exit non-zero")
    func forbiddenAndUnknown() async throws {
        let locked = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-locked-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: locked) }
        try FileManager.default.copyItem(
            at: Fixtures.url("Tests/Fixtures/kubernetes/prod/deployments.json"), to: locked.appendingPathComponent("deployments.json")
        )
        try Data().write(to: locked.appendingPathComponent("pods.forbidden"))

        try await withServer(["prod": fixtureClusters["prod"] ?? locked, "locked": locked]) { _, kubectl in
            let pods = try await kubectl.run(["--context", "locked", "get", "pods", "--all-namespaces", "-o", "json", "--request-timeout=5s"])
            #expect(pods.status != 0)
            #expect(pods.stderrText.contains("Forbidden"), "\(pods.stderrText)")
            #expect(pods.stderrText.contains("cannot list resource \"pods\""), "\(pods.stderrText)")
            // Other resources of the same cluster still answer.
            let deployments = try await kubectl.list("deployments", context: "locked")
            #expect(names(deployments) == ["shop/web"])

            let unknown = try await kubectl.run(["--context", "prod", "get", "--raw", "/no/such/path", "--request-timeout=5s"])
            #expect(unknown.status != 0)
            #expect(unknown.stderrText.contains("NotFound"), "\(unknown.stderrText)")
        }
    }

    @Test("a context pointing at a stopped server fails quickly")
    func stoppedServer() async throws {
        let server = try await KubernetesAPIServer.start(clusters: fixtureClusters)
        let kubectl = try Kubectl.temporary()
        defer { kubectl.remove() }
        try server.writeKubeconfig(to: kubectl.kubeconfig, currentContext: "prod")
        try await server.stop()
        try await server.stop()

        let clock = ContinuousClock()
        let started = clock.now
        let result = try await kubectl.run(["--context", "prod", "get", "pods", "--all-namespaces", "-o", "json", "--request-timeout=5s"])
        let elapsed = clock.now - started
        #expect(result.status != 0)
        #expect(result.stderrText.contains("refused"), "\(result.stderrText)")
        // kubectl retries discovery on its own before giving up; on a loaded CI machine that took
        // 22 s once. The point is that it ends with "refused", not that it ends by a given time.
        #expect(elapsed < .seconds(60), "kubectl took \(elapsed)")
    }
}
