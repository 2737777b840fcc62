import EvictorCore
import EvictorEngine
import Foundation
import Hummingbird

/// The HTTP endpoints of `evictor serve`: health and readiness, Prometheus metrics, the
/// original monitoring endpoints, the versioned JSON API and the web report.
struct ServerRoutes: Sendable {
    let server: ServerState

    func register(on router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in Self.text("ok\n") }
        router.get("/_health") { _, _ in Self.text("OK\n") }
        router.get("/readyz") { _, _ in
            if let problem = server.readinessProblem() { return Self.text("not ready: \(problem)\n", status: .serviceUnavailable) }
            return Self.text("ready\n")
        }

        NotificationReceiver(server: server).register(on: router)

        let guarded = router.group().add(middleware: BearerTokenMiddleware<BasicRequestContext>(token: server.config.serve.token))
        guarded.get("/metrics") { _, _ in
            Self.text(server.metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        guarded.get("/_nagios_check_registry") { request, _ in
            let (healthy, text) = try server.nagiosStatus(registry: request.uri.queryParameters.get("registry"))
            return Self.text(text + "\n", status: healthy ? .ok : .serviceUnavailable)
        }
        guarded.get("/_report.json") { request, _ in
            try Self.latestReport(server, registry: request.uri.queryParameters.get("registry"), csv: false)
        }
        guarded.get("/_report.csv") { request, _ in
            try Self.latestReport(server, registry: request.uri.queryParameters.get("registry"), csv: true)
        }
        guarded.get("/_images.json") { _, _ in try Self.inventory(server) }

        let api = guarded.group("/api/v1")
        api.get("/registries") { _, _ in try Self.json(try server.registrySummaries()) }
        api.get("/runs") { request, _ in
            try Self.json(try server.history.runs(limit: min(1000, request.uri.queryParameters.get("limit", as: Int.self) ?? 100)))
        }
        api.get("/runs/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let record = try server.runRecord(id: id) else { return Self.text("no run \(id)\n", status: .notFound) }
            return Self.response(Data(record.utf8), contentType: "application/json")
        }
        api.get("/registries/:name/report") { _, context in
            try Self.latestReport(server, registry: try context.parameters.require("name"), csv: false)
        }
        api.get("/registries/:name/plan") { request, context in
            let name = try context.parameters.require("name")
            guard let plan = try server.latestPlan(registry: name, search: request.uri.queryParameters.get("repository")) else {
                return Self.text("no plan of \(name) yet\n", status: .notFound)
            }
            return try Self.json(plan)
        }
        api.get("/registries/:name/runs") { request, context in
            let name = try context.parameters.require("name")
            return try Self.json(try server.history.figures(registry: name, limit: request.uri.queryParameters.get("limit", as: Int.self) ?? 100))
        }
        api.get("/inventory") { _, _ in try Self.inventory(server) }
        api.get("/registries/:name/usage") { _, context in
            let name = try context.parameters.require("name")
            guard server.config.registry(named: name) != nil else { return Self.text("no registry named \(name)\n", status: .notFound) }
            return try Self.json(UsageView(since: try server.usage.since(registry: name), manifests: try server.usage.manifests(registry: name)))
        }
        api.post("/registries/:name/jobs/:job") { request, context in
            let name = try context.parameters.require("name")
            let jobName = try context.parameters.require("job")
            guard let job = ScheduleConfig.Job(rawValue: jobName) else {
                return Self.text(
                    "no job \(jobName) (jobs: \(ScheduleConfig.Job.allCases.map(\.rawValue).joined(separator: ", ")))\n", status: .notFound)
            }
            // Starting jobs changes things (a run may delete): never open to anyone who can connect.
            guard server.config.serve.token != nil else {
                return Self.text("starting jobs over HTTP needs serve.token in the config\n", status: .forbidden)
            }
            let delete = request.uri.queryParameters.get("delete") == "true"
            do {
                try await server.runner.start(job, registry: job == .inventory ? nil : name, delete: delete && job == .run, trigger: "api")
            } catch let error as JobRunner.Refusal {
                switch error {
                case .unknownRegistry: return Self.text("\(error)\n", status: .notFound)
                case .deleteNotAllowed: return Self.text("\(error)\n", status: .forbidden)
                case .busy, .stopping: return Self.text("\(error)\n", status: .conflict)
                }
            }
            return Self.text("started \(job.rawValue) on \(name)\(delete && job == .run ? " (deleting)" : "")\n", status: .accepted)
        }

        let pages = ReportPages(server: server)
        guarded.get("/") { request, _ in
            Self.response(
                Data(try pages.overview(search: request.uri.queryParameters.get("repository")).utf8), contentType: "text/html; charset=utf-8")
        }
    }

    // MARK: - Helpers

    static func text(_ text: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func response(_ data: Data, status: HTTPResponse.Status = .ok, contentType: String) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func json<Value: Encodable>(_ value: Value) throws -> Response {
        response(try VersionedDocument.encoder().encode(value), contentType: "application/json")
    }

    static func latestReport(_ server: ServerState, registry: String?, csv: Bool) throws -> Response {
        guard let name = registry ?? server.config.registries.first?.name else { return text("no registries\n", status: .notFound) }
        guard server.config.registry(named: name) != nil else { return text("no registry named \(name)\n", status: .notFound) }
        guard let report = try server.history.latestReport(registry: name) else { return text("no check of \(name) yet\n", status: .notFound) }
        guard csv else { return response(Data(report.json.utf8), contentType: "application/json") }
        let decoded = try VersionedDocument.decoder().decode(HealthReport.self, from: Data(report.json.utf8))
        return text(HealthReportWriter.csv(decoded.findings), contentType: "text/csv; charset=utf-8")
    }

    static func inventory(_ server: ServerState) throws -> Response {
        guard let path = server.inventoryPath, let data = FileManager.default.contents(atPath: path) else {
            return text("no inventory yet\n", status: .notFound)
        }
        return response(data, contentType: "application/json")
    }
}
