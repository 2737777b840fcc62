import EvictorEngine
import Foundation
import Hummingbird

/// `POST /api/v1/registries/NAME/events`: Distribution's notifications into the usage store.
/// The registry authenticates with its own token (`notifications.token`, sent through the
/// endpoint's `headers`); a body that is too large (413) or malformed (400) records nothing; a
/// replayed batch counts once.
struct NotificationReceiver: Sendable {
    let server: ServerState
    /// Bodies larger than this are refused (Distribution sends small batches).
    static let bodyLimit = 4 << 20

    func register(on router: Router<BasicRequestContext>) {
        router.post("/api/v1/registries/:name/events") { request, context in
            let name = try context.parameters.require("name")
            guard let registry = server.config.registry(named: name), let notifications = registry.notifications else {
                return ServerRoutes.text("registry \(name) takes no notifications (notifications.token in the config)\n", status: .notFound)
            }
            guard Self.authorized(request.headers[.authorization], token: notifications.token) else {
                server.metrics.recordRefusedBatch(registry: name, reason: "unauthorized")
                return ServerRoutes.text("the registry's notifications.token is required as a bearer token\n", status: .unauthorized)
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: Self.bodyLimit)
            } catch {
                server.metrics.recordRefusedBatch(registry: name, reason: "too_large")
                return ServerRoutes.text("body larger than \(Self.bodyLimit) bytes\n", status: .contentTooLarge)
            }
            let parsed: NotificationEnvelope.Parsed
            do {
                parsed = try NotificationEnvelope.parse(Data(buffer: body))
            } catch {
                server.metrics.recordRefusedBatch(registry: name, reason: "malformed")
                return ServerRoutes.text("\(error)\n", status: .badRequest)
            }
            let recorded = try server.usage.record(parsed.events, registry: name)
            server.metrics.recordEvents(
                registry: name, received: parsed.events.count + parsed.ignored, recorded: recorded.recorded, duplicates: recorded.duplicates,
                ignored: parsed.ignored)
            return ServerRoutes.text("recorded \(recorded.recorded), duplicates \(recorded.duplicates), ignored \(parsed.ignored)\n")
        }
    }

    /// `Bearer TOKEN` (the registry sends it through its endpoint's headers).
    static func authorized(_ header: String?, token: String) -> Bool {
        let given = header ?? ""
        return given.hasPrefix("Bearer ") && BearerTokenMiddleware<BasicRequestContext>.same(String(given.dropFirst(7)), token)
    }
}
