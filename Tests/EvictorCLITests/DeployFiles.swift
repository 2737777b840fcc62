import EvictorTestSupport
import Foundation
import Testing
import Yams

/// The packaging files in `deploy/`, read from the source tree: YAML documents, the Kubernetes
/// objects by kind, the CronJob's container, and the pod's files laid out under a directory.
enum DeployFiles {
    /// `deploy/` in the source tree.
    static var directory: URL { Fixtures.url("deploy") }

    /// Paths under `deploy/` (relative to it, sorted) whose name ends in one of `suffixes`.
    static func files(endingIn suffixes: [String]) throws -> [String] {
        let enumerator = try #require(FileManager.default.enumerator(atPath: directory.path))
        return enumerator.compactMap { $0 as? String }.filter { path in suffixes.contains { path.hasSuffix($0) } }.sorted()
    }

    /// The text of `deploy/RELATIVE`.
    static func text(_ relative: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(relative), encoding: .utf8)
    }

    /// Every document of a YAML file (multi-document files too), as Yams loads them.
    static func documents(_ relative: String) throws -> [Any?] {
        Array(try Yams.load_all(yaml: text(relative)))
    }

    /// Every object of `deploy/kubernetes/*.yaml`.
    static func kubernetesObjects() throws -> [[String: Any]] {
        try files(endingIn: [".yaml", ".yml"]).filter { $0.hasPrefix("kubernetes/") }.flatMap { file in
            try documents(file).map { document in try #require(document as? [String: Any], "\(file): a document that is not a mapping") }
        }
    }

    /// The one object of `kind` in `deploy/kubernetes/`.
    static func object(_ kind: String) throws -> [String: Any] {
        let found = try kubernetesObjects().filter { $0["kind"] as? String == kind }
        #expect(found.count == 1, "\(found.count) objects of kind \(kind) in deploy/kubernetes")
        return try #require(found.first, "no \(kind) in deploy/kubernetes")
    }

    /// The CronJob's pod spec.
    static func podSpec() throws -> [String: Any] {
        let cronJob = try object("CronJob")
        return try #require(map(cronJob, "spec", "jobTemplate", "spec", "template", "spec"), "CronJob without a pod template")
    }

    /// The CronJob's one container.
    static func container() throws -> [String: Any] {
        let containers = try #require(podSpec()["containers"] as? [[String: Any]])
        #expect(containers.count == 1)
        return try #require(containers.first)
    }

    /// The `evictor.yaml` embedded in the ConfigMap (text) and as Yams loads it.
    static func embeddedConfig() throws -> (text: String, value: [String: Any]) {
        let text = try #require(map(object("ConfigMap"), "data")?["evictor.yaml"] as? String, "the ConfigMap has no evictor.yaml")
        return (text, try #require(try Yams.load(yaml: text) as? [String: Any]))
    }

    /// The mapping at `keys` below `root`, or nil.
    static func map(_ root: [String: Any], _ keys: String...) -> [String: Any]? {
        var current: [String: Any]? = root
        for key in keys { current = current?[key] as? [String: Any] }
        return current
    }

    /// The key/value files a ConfigMap or Secret holds (`data` of a Secret is base64).
    static func contents(of object: [String: Any]) throws -> [String: String] {
        var files: [String: String] = [:]
        let isSecret = object["kind"] as? String == "Secret"
        for (key, value) in object["data"] as? [String: Any] ?? [:] {
            let text = try #require(value as? String)
            files[key] = isSecret ? String(decoding: try #require(Data(base64Encoded: text)), as: UTF8.self) : text
        }
        for (key, value) in object["stringData"] as? [String: Any] ?? [:] { files[key] = try #require(value as? String) }
        return files
    }
}

/// The CronJob's pod, its file system rooted at a local directory: each volume mount at
/// `root + mountPath` (ConfigMap and Secret items written out, emptyDirs and claims created),
/// and the paths in commands, environment and config rewritten to match.
struct PodFileSystem {
    let root: URL
    /// Mount paths, longest first (a nested mount wins).
    let mountPaths: [String]

    /// Lays out the CronJob's volumes under `root`. `secrets` replaces a Secret's contents by
    /// name (the shipped one is a template).
    init(root: URL, secrets: [String: [String: String]] = [:]) throws {
        self.root = root
        let spec = try DeployFiles.podSpec()
        let mounts = try #require(try DeployFiles.container()["volumeMounts"] as? [[String: Any]])
        let volumes = try #require(spec["volumes"] as? [[String: Any]])
        let objects = try DeployFiles.kubernetesObjects()
        func named(_ kind: String, _ name: String?) throws -> [String: Any] {
            try #require(objects.first { $0["kind"] as? String == kind && DeployFiles.map($0, "metadata")?["name"] as? String == name })
        }
        var paths: [String] = []
        for mount in mounts {
            let path = try #require(mount["mountPath"] as? String)
            let volume = try #require(volumes.first { $0["name"] as? String == mount["name"] as? String }, "no volume for mount \(path)")
            let directory = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            paths.append(path)
            var files: [String: String]
            let items: [[String: Any]]?
            if let source = volume["configMap"] as? [String: Any] {
                files = try DeployFiles.contents(of: named("ConfigMap", source["name"] as? String))
                items = source["items"] as? [[String: Any]]
            } else if let source = volume["secret"] as? [String: Any], let name = source["secretName"] as? String {
                files = try secrets[name] ?? DeployFiles.contents(of: named("Secret", name))
                items = source["items"] as? [[String: Any]]
            } else {
                continue
            }
            // Without items every key is a file of its own name; with items only those, at their paths.
            let layout =
                items?.compactMap { item in (item["key"] as? String).map { ($0, item["path"] as? String ?? $0) } } ?? files.keys.map { ($0, $0) }
            for (key, relative) in layout {
                let file = directory.appendingPathComponent(relative)
                try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(try #require(files[key], "volume \(path): no key \(key)").utf8).write(to: file)
            }
        }
        mountPaths = paths.sorted { $0.count > $1.count }
    }

    /// `text` with every mount path (as a whole path component) moved under `root`, in one pass
    /// (the root itself may lie under a mount path such as `/tmp`).
    func rooted(_ text: String) throws -> String {
        let alternatives = mountPaths.map(NSRegularExpression.escapedPattern(for:)).joined(separator: "|")
        let regex = try NSRegularExpression(pattern: "(?<![A-Za-z0-9_./-])(?:\(alternatives))(?![A-Za-z0-9_.-])")
        let replacement = NSRegularExpression.escapedTemplate(for: root.path) + "$0"
        return regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: replacement)
    }
}
