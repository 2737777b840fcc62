import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Answers 401 unless the request carries `Authorization: Bearer TOKEN` (compared in constant
/// time). Without a configured token it lets everything through.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token else { return try await next(request, context) }
        let given = request.headers[.authorization] ?? ""
        guard Self.same(Self.presentedToken(given), token) else {
            // Basic as well, so a browser asks for it (any user name, the token as the password).
            var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
            headers.append(HTTPField(name: .wwwAuthenticate, value: "Bearer realm=\"evictor\""))
            headers.append(HTTPField(name: .wwwAuthenticate, value: "Basic realm=\"evictor\", charset=\"UTF-8\""))
            return Response(
                status: .unauthorized, headers: headers,
                body: ResponseBody(
                    byteBuffer: ByteBuffer(string: "the token of serve.token is required (Bearer, or Basic with it as the password)\n")))
        }
        return try await next(request, context)
    }

    /// The token an `Authorization` header presents: `Bearer TOKEN`, or `Basic` with the
    /// token as the password.
    static func presentedToken(_ header: String) -> String {
        if header.hasPrefix("Bearer ") { return String(header.dropFirst(7)) }
        guard header.hasPrefix("Basic "), let decoded = Data(base64Encoded: String(header.dropFirst(6))),
            let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return "" }
        return String(text[text.index(after: colon)...])
    }

    /// Compared as hashes of equal length, without an early exit.
    static func same(_ given: String, _ expected: String) -> Bool {
        let left = Array(SHA256.hash(data: Data(given.utf8)))
        let right = Array(SHA256.hash(data: Data(expected.utf8)))
        return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
