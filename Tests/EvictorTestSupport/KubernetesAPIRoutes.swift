import Foundation
import NIOHTTP1
import Synchronization

/// Answers Kubernetes API requests for several clusters from recorded JSON; safe from any event loop.
///
/// Paths look like `/clusters/NAME/<API path>`. Fixture files are read at request time, so a
/// directory's contents decide the answer: `<resource>.json` (served as recorded), no file (an
/// empty `...List`), or `<resource>.forbidden` (403 for that resource).
final class KubernetesAPIRoutes: Sendable {
    /// The user the 403 messages name (the kubeconfig's dummy user).
    static let userName = "evictor-test"

    let clusters: [String: URL]
    private let log = Mutex<[String]>([])

    init(clusters: [String: URL]) {
        self.clusters = clusters
    }

    /// Every request target (path and query, with the `/clusters/NAME` prefix) in arrival order.
    var requestLog: [String] { log.withLock { $0 } }

    /// One answer for one request.
    func respond(_ request: LocalHTTPRequest) -> LocalHTTPResponse {
        log.withLock { $0.append(request.uri) }
        guard request.method == .GET || request.method == .HEAD else {
            return failure(.methodNotAllowed, reason: "MethodNotAllowed", message: "the fake API server is read-only")
        }
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 2, parts[0] == "clusters", let directory = clusters[parts[1]] else {
            return notFound()
        }
        guard Self.acceptsPlainJSON(request.headers) else {
            // Only aggregated discovery (or another representation) was asked for: legacy JSON is all there is.
            return failure(.notAcceptable, reason: "NotAcceptable", message: "only application/json is served")
        }
        return route(Array(parts.dropFirst(2)), directory: directory)
    }

    private func route(_ path: [String], directory: URL) -> LocalHTTPResponse {
        switch path.count {
        case 1 where path[0] == "version": return json(KubernetesDiscovery.version)
        case 1 where path[0] == "api": return json(KubernetesDiscovery.apiVersions)
        case 1 where path[0] == "apis": return json(KubernetesDiscovery.groupList)
        case 2 where path[0] == "api": return json(KubernetesDiscovery.resourceList(group: "", version: path[1]))
        case 2 where path[0] == "apis": return json(KubernetesDiscovery.group(path[1]))
        case 3 where path[0] == "apis": return json(KubernetesDiscovery.resourceList(group: path[1], version: path[2]))
        case 3 where path[0] == "api":
            return list(KubernetesResource.find(group: "", version: path[1], name: path[2]), namespace: nil, directory: directory)
        case 4 where path[0] == "apis":
            return list(KubernetesResource.find(group: path[1], version: path[2], name: path[3]), namespace: nil, directory: directory)
        case 5 where path[0] == "api" && path[2] == "namespaces":
            return list(KubernetesResource.find(group: "", version: path[1], name: path[4]), namespace: path[3], directory: directory)
        case 6 where path[0] == "apis" && path[3] == "namespaces":
            return list(KubernetesResource.find(group: path[1], version: path[2], name: path[5]), namespace: path[4], directory: directory)
        default: return notFound()
        }
    }

    /// A collection, all namespaces or one; `?limit=`/`continue` are ignored (everything in one page).
    private func list(_ resource: KubernetesResource?, namespace: String?, directory: URL) -> LocalHTTPResponse {
        guard let resource, namespace == nil || resource.namespaced else { return notFound() }
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("\(resource.name).forbidden").path) {
            return forbidden(resource, namespace: namespace)
        }
        let file = directory.appendingPathComponent("\(resource.name).json")
        do {
            if FileManager.default.fileExists(atPath: file.path) {
                let data = try Data(contentsOf: file)
                guard let namespace else { return LocalHTTPResponse(status: .ok, body: data) }
                var document = try Self.object(data, file: file)
                let items = document["items"] as? [[String: Any]] ?? []
                document["items"] = items.filter { Self.namespace(of: $0) == namespace }
                return json(document)
            }
            if resource.name == "namespaces" { return json(try derivedNamespaces(directory: directory)) }
            return json(Self.emptyList(resource))
        } catch {
            return failure(.internalServerError, reason: "InternalError", message: "fixture \(file.path): \(error)")
        }
    }

    /// A `NamespaceList` of every namespace the cluster's other fixtures mention, sorted.
    private func derivedNamespaces(directory: URL) throws -> [String: Any] {
        var names = Set<String>()
        for resource in KubernetesResource.all where resource.namespaced {
            let file = directory.appendingPathComponent("\(resource.name).json")
            guard FileManager.default.fileExists(atPath: file.path) else { continue }
            let items = try Self.object(Data(contentsOf: file), file: file)["items"] as? [[String: Any]] ?? []
            names.formUnion(items.compactMap(Self.namespace(of:)))
        }
        var document = Self.emptyList(KubernetesResource.find(group: "", version: "v1", name: "namespaces"))
        document["items"] = names.sorted().map { name -> [String: Any] in
            [
                "apiVersion": "v1", "kind": "Namespace",
                "metadata": ["name": name, "labels": ["kubernetes.io/metadata.name": name]],
                "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"],
            ]
        }
        return document
    }

    private func forbidden(_ resource: KubernetesResource, namespace: String?) -> LocalHTTPResponse {
        let scope = namespace.map { "in the namespace \"\($0)\"" } ?? "at the cluster scope"
        let message =
            "\(resource.name) is forbidden: User \"\(Self.userName)\" cannot list resource \"\(resource.name)\" "
            + "in API group \"\(resource.group)\" \(scope)"
        var details: [String: Any] = ["kind": resource.name]
        if !resource.group.isEmpty { details["group"] = resource.group }
        return failure(.forbidden, reason: "Forbidden", message: message, details: details)
    }

    private func notFound() -> LocalHTTPResponse {
        failure(.notFound, reason: "NotFound", message: "the server could not find the requested resource")
    }

    private func failure(
        _ status: HTTPResponseStatus, reason: String, message: String, details: [String: Any] = [:]
    ) -> LocalHTTPResponse {
        let body = KubernetesDiscovery.status(code: Int(status.code), reason: reason, message: message, details: details)
        var response = json(body)
        response.status = status
        return response
    }

    /// 200 with the document as JSON, or 404 when there is none.
    private func json(_ document: [String: Any]?) -> LocalHTTPResponse {
        guard let document else { return notFound() }
        do {
            return LocalHTTPResponse(
                status: .ok, body: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes]))
        } catch {
            return LocalHTTPResponse(status: .internalServerError, body: Data(#"{"kind":"Status","status":"Failure","code":500}"#.utf8))
        }
    }

    /// `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[]}` and the like.
    static func emptyList(_ resource: KubernetesResource?) -> [String: Any] {
        [
            "kind": resource?.listKind ?? "List", "apiVersion": resource?.groupVersion ?? "v1",
            "metadata": ["resourceVersion": "1"], "items": [[String: Any]](),
        ]
    }

    /// Whether the `Accept` header allows plain JSON: empty, `*/*`, `application/*` or
    /// `application/json` without an `as=` parameter (which would ask for aggregated discovery or a Table).
    static func acceptsPlainJSON(_ headers: HTTPHeaders) -> Bool {
        let ranges = headers["Accept"].flatMap { $0.split(separator: ",") }
        if ranges.isEmpty { return true }
        return ranges.contains { range in
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let type = parts.first, ["application/json", "application/*", "*/*"].contains(type) else { return false }
            return !parts.dropFirst().contains { $0.hasPrefix("as=") }
        }
    }

    private static func object(_ data: Data, file: URL) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestSupportError("\(file.lastPathComponent): not a JSON object")
        }
        return object
    }

    private static func namespace(of item: [String: Any]) -> String? {
        (item["metadata"] as? [String: Any])?["namespace"] as? String
    }
}
