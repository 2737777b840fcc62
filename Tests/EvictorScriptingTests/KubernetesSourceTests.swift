import EvictorCore
import EvictorScripting
import EvictorTestSupport
import Foundation
import Testing

@Suite("plugins/sources/k8s.lua with the real kubectl")
struct KubernetesSourceTests {
    /// Starts the recorded API server for prod and staging (or copies of them) with a kubeconfig.
    func withClusters(_ clusters: [String: URL]? = nil, _ body: (KubernetesAPIServer, URL) async throws -> Void) async throws {
        let directories =
            clusters ?? [
                "prod": Fixtures.url("Tests/Fixtures/kubernetes/prod"),
                "staging": Fixtures.url("Tests/Fixtures/kubernetes/staging"),
            ]
        let server = try await KubernetesAPIServer.start(clusters: directories)
        let kubeconfig = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-kubeconfig-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: kubeconfig) }
        do {
            try server.writeKubeconfig(to: kubeconfig, currentContext: "prod")
            try await body(server, kubeconfig)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test("both contexts: pods with init/ephemeral containers and digests, every workload template, rollback targets, CronJobs")
    func collectsEverything() async throws {
        try await withClusters { _, kubeconfig in
            let images = try await runBundled("k8s", options: [("kubeconfig", kubeconfig.path)])
            let references = Set(images.map(\.reference.description))
            let digest = { (repository: String, hex: String) in "\(repository)@sha256:\(hex)" }
            let expected: Set<String> = [
                // prod: templates (tags) and running pods (tag + the digest the kubelet pulled)
                "registry.example.com:5000/shop/web:1.4.0",
                "registry.example.com:5000/shop/web:1.3.0",
                "registry.example.com:5000/shop/web-migrate:1.4.0",
                "registry.example.com:5000/shop/web-migrate:1.3.0",
                "registry.example.com:5000/infra/fluent-bit:2.2.0",
                "registry.example.com:5000/data/postgres:16.2",
                "registry.example.com:5000/tools/report:2.1",
                "quay.io/prometheus/node-exporter:v1.7.0",
                digest("registry.example.com:5000/shop/web-migrate:1.4.0", "aed9099bb117cdeed8156c64b8912c5c238f1d1657b4a4db95bede5bd5f1a8d3"),
                digest("registry.example.com:5000/shop/web:1.4.0", "58221f2328b1b99f340482a7b04a9718080a2710d0e2ccff9af5df289df31653"),
                digest("registry.example.com:5000/infra/fluent-bit:2.2.0", "2c72753515753ee76930b4bb94830cbbd962857f0637dddcd130f45a5a2c014a"),
                digest("quay.io/prometheus/node-exporter:v1.7.0", "4f104b8aaf35f801b05ff2a973fb10302f707dd984cb1b51f481994870450be5"),
                digest("docker.io/library/busybox:1.36", "f7f564dd52f7a338234317ebb7626cfb65ddea6b6fdb1ce0ba0c5d00ae64a5b0"),
                digest("registry.example.com:5000/data/postgres:16.2", "722bfac7ea925f3833059c8d323f572fa82ba4bff4bd29f35e4df86492dd8343"),
                // staging
                "registry.example.com:5000/shop/api:0.9-rc1",
                "docker.io/library/nginx:1.25",
                digest("registry.example.com:5000/shop/api:0.9-rc1", "040d14ce0191c24a77f56c30b1469261e41c37527027d962ade06d6b90e7d2c2"),
                digest("docker.io/library/nginx:1.25", "3ff7c6e94728491d27aec9bed9189f3b663624cd92cb9372036c151bb6dd8090"),
            ]
            #expect(references == expected, "missing \(expected.subtracting(references)), extra \(references.subtracting(expected))")
            // The pod finished in 2020 is older than max-age and left out.
            #expect(!references.contains { $0.contains("tools/backfill") })
            var inventory = Inventory()
            inventory.add(images)
            let report = try #require(inventory.images.first { $0.reference.description == "registry.example.com:5000/tools/report:2.1" })
            #expect(report.seenAt == ["k8s;prod;reports;CronJob/nightly-report"])
            let rollback = try #require(inventory.images.first { $0.reference.description == "registry.example.com:5000/shop/web:1.3.0" })
            #expect(rollback.seenAt == ["k8s;prod;shop;ReplicaSet/web-5f8c7b6d9"])
            let web = try #require(inventory.images.first { $0.reference.description == "registry.example.com:5000/shop/web:1.4.0" })
            #expect(web.seenAt == ["k8s;prod;shop;Deployment/web", "k8s;prod;shop;ReplicaSet/web-7d4b9c6f5"])
            #expect(inventory.images.allSatisfy { $0.lastWanted != nil })
        }
    }

    @Test("one context; max-age keeps an old finished pod when asked")
    func oneContext() async throws {
        try await withClusters { _, kubeconfig in
            let images = try await runBundled("k8s", argument: "prod", options: [("kubeconfig", kubeconfig.path), ("max-age", "100000")])
            let references = Set(images.map(\.reference.description))
            #expect(
                references.contains(
                    "registry.example.com:5000/tools/backfill:0.3.1@sha256:5d4dcd902fc80086dce41af1651837f39156203cef38bd8ce9ae32c0cda0cc81"))
            #expect(!references.contains { $0.contains("shop/api") })
        }
    }

    @Test("an unreachable context or a forbidden resource fails the source")
    func failures() async throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-k8s-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.copyItem(at: Fixtures.url("Tests/Fixtures/kubernetes/prod"), to: copy)
        try Data().write(to: copy.appendingPathComponent("cronjobs.forbidden"))
        try await withClusters(["prod": copy]) { _, kubeconfig in
            do {
                _ = try await runBundled("k8s", options: [("kubeconfig", kubeconfig.path)])
                Issue.record("a forbidden resource must fail the source")
            } catch {
                let text = String(describing: error)
                #expect(text.contains("source k8s failed"))
                #expect(text.contains("context prod: kubectl get cronjobs"))
            }
        }
        var stoppedConfig: URL?
        try await withClusters { server, kubeconfig in
            stoppedConfig = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-kubeconfig-stopped-\(UUID().uuidString)")
            try FileManager.default.copyItem(at: kubeconfig, to: try #require(stoppedConfig))
            _ = server
        }
        let kubeconfig = try #require(stoppedConfig)
        defer { try? FileManager.default.removeItem(at: kubeconfig) }
        do {
            _ = try await runBundled("k8s", argument: "staging", options: [("kubeconfig", kubeconfig.path), ("timeout", "5")])
            Issue.record("an unreachable context must fail the source")
        } catch {
            #expect(String(describing: error).contains("context staging: kubectl get pods"))
        }
    }
}
