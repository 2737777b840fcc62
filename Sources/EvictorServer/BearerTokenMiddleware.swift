import Crypto
import Foundation
import Hummingbird

/// Answers 401 unless the request carries `Authorization: Bearer TOKEN` (compared in constant
/// time). Without a configured token it lets everything through.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token else { return try await next(request, context) }
        let given = request.headers[.authorization] ?? ""
        let expected = "Bearer \(token)"
        // Hashes of equal length, compared without an early exit.
        let left = Array(SHA256.hash(data: Data(given.utf8)))
        let right = Array(SHA256.hash(data: Data(expected.utf8)))
        guard zip(left, right).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else {
            return Response(
                status: .unauthorized, headers: [.wwwAuthenticate: "Bearer realm=\"evictor\"", .contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "a bearer token is required (serve.token)\n")))
        }
        return try await next(request, context)
    }
}
