import Foundation

/// A fake Kubernetes API server for tests: the real `kubectl` talks to it over plain HTTP.
///
/// One NIO server on `127.0.0.1` (free port) serves every cluster under `/clusters/NAME`, from a
/// directory of recorded `kubectl get -o json`-style lists (`pods.json`, `deployments.json`, ...).
/// It answers `/version`, legacy discovery (`/api`, `/apis`, `/api/v1`, `/apis/apps/v1`,
/// `/apis/batch/v1`; requests that only accept aggregated discovery get 406) and list requests
/// for all namespaces or one; `?limit=` paging is ignored (one page holds everything).
/// A missing `<resource>.json` is an empty list, a `<resource>.forbidden` file makes that resource
/// answer 403, and anything else is 404, all with a Kubernetes `Status` body.
/// `namespaces` comes from `namespaces.json`, or else from the namespaces the other files mention.
public final class KubernetesAPIServer: Sendable {
    /// The dummy user every kubeconfig context uses (the server accepts any credentials).
    public static let userName = KubernetesAPIRoutes.userName
    /// That user's bearer token.
    public static let token = "evictor-test-token"

    /// The port the server listens on.
    public let port: Int
    /// Cluster name -> directory of recorded JSON.
    public let clusters: [String: URL]

    private let routes: KubernetesAPIRoutes
    private let server: LocalHTTPServer

    /// The cluster names, sorted.
    public var clusterNames: [String] { clusters.keys.sorted() }

    /// Every request target so far (path and query, e.g. `/clusters/prod/api/v1/pods?limit=500`), in arrival order.
    public var requestLog: [String] { routes.requestLog }

    private init(port: Int, clusters: [String: URL], routes: KubernetesAPIRoutes, server: LocalHTTPServer) {
        self.port = port
        self.clusters = clusters
        self.routes = routes
        self.server = server
    }

    /// Starts serving these clusters (name -> fixture directory). Names must be non-empty and
    /// use only letters, digits, `.`, `_` and `-`; every directory must exist.
    public static func start(clusters: [String: URL]) async throws -> KubernetesAPIServer {
        guard !clusters.isEmpty else { throw TestSupportError("fake Kubernetes API: no clusters") }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._-"))
        for (name, directory) in clusters {
            guard !name.isEmpty, name.unicodeScalars.allSatisfy(allowed.contains) else {
                throw TestSupportError("fake Kubernetes API: bad cluster name \(name.debugDescription)")
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw TestSupportError("fake Kubernetes API: \(directory.path) is not a directory")
            }
        }
        let routes = KubernetesAPIRoutes(clusters: clusters)
        let server = try await LocalHTTPServer.start { routes.respond($0) }
        return KubernetesAPIServer(port: server.port, clusters: clusters, routes: routes, server: server)
    }

    /// `http://127.0.0.1:PORT/clusters/NAME`: the `server:` of that cluster's kubeconfig entry.
    public func serverURL(cluster: String) -> String {
        "http://127.0.0.1:\(port)/clusters/\(cluster)"
    }

    /// Writes a kubeconfig with one context per cluster (named after it, default: every cluster),
    /// plain HTTP and the dummy token user. `currentContext` is written as given (nil: none), so a
    /// test can also name a context that does not exist.
    public func writeKubeconfig(to file: URL, contexts: [String]? = nil, currentContext: String?) throws {
        let names = contexts ?? clusterNames
        for name in names where clusters[name] == nil {
            throw TestSupportError("fake Kubernetes API: no cluster named \(name.debugDescription)")
        }
        var lines = ["apiVersion: v1", "kind: Config", "preferences: {}", "clusters:"]
        for name in names {
            lines += ["- name: \(Self.quoted(name))", "  cluster:", "    server: \(Self.quoted(serverURL(cluster: name)))"]
        }
        lines += ["users:", "- name: \(Self.quoted(Self.userName))", "  user:", "    token: \(Self.quoted(Self.token))"]
        lines.append(names.isEmpty ? "contexts: []" : "contexts:")
        for name in names {
            lines += [
                "- name: \(Self.quoted(name))", "  context:",
                "    cluster: \(Self.quoted(name))", "    user: \(Self.quoted(Self.userName))",
            ]
        }
        if let currentContext { lines.append("current-context: \(Self.quoted(currentContext))") }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file, options: .atomic)
    }

    /// Stops accepting connections and closes open ones; later requests are refused.
    public func stop() async throws {
        try await server.stop()
    }

    /// A double-quoted YAML scalar (JSON string syntax, which YAML accepts).
    private static func quoted(_ text: String) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed, .withoutEscapingSlashes]) else {
            return "\"\(text)\""
        }
        return String(decoding: data, as: UTF8.self)
    }
}
