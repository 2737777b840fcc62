import Foundation

/// One resource type the fake Kubernetes API server serves, as legacy discovery describes it.
struct KubernetesResource: Sendable {
    /// `""` for the core group.
    var group: String
    var version: String
    /// The plural resource name, also the fixture file's base name (`pods` -> `pods.json`).
    var name: String
    var singularName: String
    var kind: String
    var namespaced: Bool
    var shortNames: [String] = []
    var categories: [String] = []

    /// `v1` or `apps/v1`.
    var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// The `...List` kind of a collection.
    var listKind: String { kind + "List" }

    /// Everything served: core pods and namespaces, apps workloads, batch jobs.
    static let all: [KubernetesResource] = [
        .init(
            group: "", version: "v1", name: "pods", singularName: "pod", kind: "Pod", namespaced: true,
            shortNames: ["po"], categories: ["all"]),
        .init(
            group: "", version: "v1", name: "namespaces", singularName: "namespace", kind: "Namespace", namespaced: false,
            shortNames: ["ns"]),
        .init(
            group: "apps", version: "v1", name: "deployments", singularName: "deployment", kind: "Deployment", namespaced: true,
            shortNames: ["deploy"], categories: ["all"]),
        .init(
            group: "apps", version: "v1", name: "statefulsets", singularName: "statefulset", kind: "StatefulSet", namespaced: true,
            shortNames: ["sts"], categories: ["all"]),
        .init(
            group: "apps", version: "v1", name: "daemonsets", singularName: "daemonset", kind: "DaemonSet", namespaced: true,
            shortNames: ["ds"], categories: ["all"]),
        .init(
            group: "apps", version: "v1", name: "replicasets", singularName: "replicaset", kind: "ReplicaSet", namespaced: true,
            shortNames: ["rs"], categories: ["all"]),
        .init(
            group: "batch", version: "v1", name: "jobs", singularName: "job", kind: "Job", namespaced: true,
            categories: ["all"]),
        .init(
            group: "batch", version: "v1", name: "cronjobs", singularName: "cronjob", kind: "CronJob", namespaced: true,
            shortNames: ["cj"], categories: ["all"]),
    ]

    /// The resource at `group`/`version`/`name`, if served.
    static func find(group: String, version: String, name: String) -> KubernetesResource? {
        all.first { $0.group == group && $0.version == version && $0.name == name }
    }

    /// The named API groups (not core), in first-seen order.
    static var groups: [String] {
        var names: [String] = []
        for resource in all where !resource.group.isEmpty && !names.contains(resource.group) {
            names.append(resource.group)
        }
        return names
    }
}

/// The JSON documents of legacy discovery and `/version`, as `[String: Any]` trees.
enum KubernetesDiscovery {
    /// The server version `/version` reports.
    static var version: [String: Any] {
        [
            "major": "1", "minor": "31", "gitVersion": "v1.31.4", "gitCommit": "a78aa47129b8539636eb86a9d00e31b2720fe06b",
            "gitTreeState": "clean", "buildDate": "2024-12-10T11:36:37Z", "goVersion": "go1.22.9",
            "compiler": "gc", "platform": "linux/amd64",
        ]
    }

    /// `GET /api`: the core group's versions.
    static var apiVersions: [String: Any] { ["kind": "APIVersions", "versions": ["v1"]] }

    /// `GET /apis`: every named group.
    static var groupList: [String: Any] {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": KubernetesResource.groups.compactMap(group)]
    }

    /// `GET /apis/NAME`: one group, or nil when unknown.
    static func group(_ name: String) -> [String: Any]? {
        let versions = KubernetesResource.all.filter { $0.group == name }.map(\.version)
        guard let preferred = versions.first else { return nil }
        var unique: [String] = []
        for version in versions where !unique.contains(version) { unique.append(version) }
        return [
            "kind": "APIGroup", "apiVersion": "v1", "name": name,
            "versions": unique.map { ["groupVersion": "\(name)/\($0)", "version": $0] },
            "preferredVersion": ["groupVersion": "\(name)/\(preferred)", "version": preferred],
        ]
    }

    /// `GET /api/v1` or `/apis/G/V`: the resources of one group version, or nil when unknown.
    static func resourceList(group: String, version: String) -> [String: Any]? {
        let resources = KubernetesResource.all.filter { $0.group == group && $0.version == version }
        guard let first = resources.first else { return nil }
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": first.groupVersion,
            "resources": resources.map { resource -> [String: Any] in
                var entry: [String: Any] = [
                    "name": resource.name, "singularName": resource.singularName, "namespaced": resource.namespaced,
                    "kind": resource.kind, "verbs": ["get", "list", "watch"],
                ]
                if !resource.shortNames.isEmpty { entry["shortNames"] = resource.shortNames }
                if !resource.categories.isEmpty { entry["categories"] = resource.categories }
                return entry
            },
        ]
    }

    /// A `meta/v1 Status` failure body.
    static func status(code: Int, reason: String, message: String, details: [String: Any] = [:]) -> [String: Any] {
        [
            "kind": "Status", "apiVersion": "v1", "metadata": [String: Any](), "status": "Failure",
            "message": message, "reason": reason, "details": details, "code": code,
        ]
    }
}
