import AsyncHTTPClient
import EvictorCore
import NIOCore
import NIOHTTP1

/// Reading a blob as it arrives, for copies: layers can be gigabytes and are never held whole.
extension RegistryClient {
    /// GETs a blob and hands `read` its body as it arrives. Auth, retryable answers and
    /// connection failures are retried up to the response head (no byte has been read yet);
    /// one of the client's request slots is held until `read` returns. The caller hashes
    /// what it reads: nothing here has seen the whole blob.
    public func withBlobStream<Result: Sendable>(
        _ repository: String, digest: Digest, _ read: (HTTPClientResponse.Body) async throws -> Result
    ) async throws -> Result {
        try RepositoryName.validate(repository)
        let what = "blob \(repository)@\(digest)"
        let url = configuration.endpoint.baseURL + "/v2/\(repository)/blobs/\(digest)"
        let scope = AuthScope.pull(repository)
        var attempt = 0
        var authRounds = 0
        while true {
            attempt += 1
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            request.headers.add(name: "User-Agent", value: configuration.userAgent)
            if let authorization = authenticator.authorization(for: scope) {
                request.headers.add(name: "Authorization", value: authorization)
            }
            await limiter.acquire()
            countRequest(retry: attempt > 1)
            let response: HTTPClientResponse
            do {
                response = try await http.execute(request, timeout: .milliseconds(Int64(max(1, configuration.requestTimeout) * 1000)))
            } catch {
                limiter.release()
                let retrying = attempt < retry.maxAttempts && !Task.isCancelled && !Self.isPermanent(error)
                guard retrying else {
                    if Self.isTimeout(error) { throw RegistryAPIError.timeout(registry: registry, what: what, attempts: attempt) }
                    throw RegistryAPIError.unreachable(registry: registry, detail: Self.describe(error))
                }
                await pauseBeforeRetry(afterAttempt: attempt)
                continue
            }
            let status = response.status.code
            if status == 200 {
                do {
                    let result = try await read(response.body)
                    limiter.release()
                    return result
                } catch {
                    limiter.release()
                    throw error
                }
            }
            // Not the blob: read the (small) answer, free the slot, then decide.
            let body = (try? await response.body.collect(upTo: 1 << 16)).map { Array(buffer: $0) } ?? []
            limiter.release()
            let answer = RegistryResponse(status: status, headers: response.headers, body: body)
            if status == 401, authRounds < 2 {
                authRounds += 1
                attempt -= 1
                try await authenticator.handleUnauthorized(header: answer.header("WWW-Authenticate"), scope: scope)
                continue
            }
            if RetryPolicy.isRetryable(status: status), attempt < retry.maxAttempts {
                try? await Task.sleep(for: .seconds(retry.delay(afterAttempt: attempt, retryAfter: answer.header("Retry-After"))))
                continue
            }
            if status == 401 {
                throw RegistryAPIError.unauthorized(registry: registry, detail: "\(authenticator.describeUser()) was refused for \(what) (HTTP 401)")
            }
            if RetryPolicy.isRetryable(status: status) {
                throw RegistryAPIError.serverError(registry: registry, what: what, status: Int(status), attempts: attempt)
            }
            _ = try expect(answer, [200], what: what)
        }
    }
}
