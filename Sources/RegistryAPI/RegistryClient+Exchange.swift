import AsyncHTTPClient
import NIOCore
import NIOHTTP1

extension RegistryClient {
    /// One attempt of a request whose whole answer is read: on the registry's own origin through
    /// `pool`, anywhere else (and when the registry redirects, as it does to a storage
    /// backend's URL for blobs) through async-http-client, which follows redirects. A redirected
    /// request is sent again from the start that way, and counted again.
    func exchange(_ method: HTTPMethod, _ url: String, headers: HTTPHeaders, body: [UInt8]?, limit: Int) async throws -> WholeResponse {
        let seconds = max(1, configuration.requestTimeout)
        if let target = pool.target(of: url) {
            let deadline = NIODeadline.now() + .milliseconds(Int64(seconds * 1000))
            let response = try await pool.execute(method, target: target, headers: headers, body: body, deadline: deadline, limit: limit)
            guard Self.isRedirect(response) else { return response }
            countRequest(retry: false)
        }
        let request = try HTTPClient.Request(url: url, method: method, headers: headers, body: body.map { .bytes($0) })
        return try await http.executeWhole(request, within: seconds, limit: limit)
    }

    /// A redirect async-http-client would follow: 301, 302, 303, 307 or 308 with a `Location`.
    static func isRedirect(_ response: WholeResponse) -> Bool {
        [301, 302, 303, 307, 308].contains(response.status.code) && response.headers.first(name: "Location") != nil
    }
}
