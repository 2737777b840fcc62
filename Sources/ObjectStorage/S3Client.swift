import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The S3 calls a registry store needs, signed with SigV4, each retried with backoff on 500,
/// 502, 503, 504, SlowDown and connection failures. Calls block the calling thread (they wait
/// on the HTTP client's event loops, never on Swift concurrency's threads): the storage walks
/// run them from their own threads, many at once.
public final class S3Client: Sendable {
    public let configuration: S3Configuration
    private let http: HTTPClient
    private let signer: SigV4Signer

    public init(_ configuration: S3Configuration) {
        self.configuration = configuration
        var settings = HTTPClient.Configuration()
        settings.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maxConnections)
        settings.timeout = .init(connect: .seconds(5), read: .seconds(Int64(configuration.timeout.components.seconds)))
        settings.decompression = .disabled
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
        signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
    }

    /// Starts closing the connections without waiting: the last reference may go on any thread,
    /// an event loop's included, where a synchronous shutdown traps.
    deinit { _ = http.shutdown() }

    /// `s3://bucket` at the endpoint, for messages.
    public var location: String { "s3://\(configuration.bucket)" }

    // MARK: - Objects

    /// The object's bytes; nil when there is no such key.
    public func get(_ key: String) throws(S3Error) -> [UInt8]? {
        let response = try send("GET", key: key, accept: [200, 404])
        return response.status == 404 ? nil : response.body
    }

    /// The object's size; nil when there is no such key.
    public func head(_ key: String) throws(S3Error) -> Int64? {
        let response = try send("HEAD", key: key, accept: [200, 404])
        guard response.status == 200 else { return nil }
        return response.headers.first(name: "content-length").flatMap { Int64($0) } ?? 0
    }

    public func put(_ key: String, _ bytes: [UInt8]) throws(S3Error) {
        _ = try send("PUT", key: key, body: .bytes(bytes), headers: [("content-type", "application/octet-stream")], accept: [200])
    }

    /// Server-side copy within the bucket.
    public func copy(_ source: String, to destination: String) throws(S3Error) {
        let copySource = "/\(configuration.bucket)/\(SigV4Signer.encode(source, keepSlash: true))"
        let response = try send("PUT", key: destination, headers: [("x-amz-copy-source", copySource)], accept: [200])
        // A copy can fail after its 200 has been sent: the error is then in the body.
        if let code = S3ListParser.errorCode(in: Data(response.body)) {
            throw .status(200, code: code, operation: "copy from \(source) to", target: target(destination), endpoint: configuration.endpoint)
        }
    }

    /// Deletes a key (a key that is not there is no error).
    public func delete(_ key: String) throws(S3Error) {
        _ = try send("DELETE", key: key, accept: [200, 204, 404])
    }

    /// Creates the bucket (an existing one of ours is fine).
    public func createBucket() throws(S3Error) {
        _ = try send("PUT", key: nil, accept: [200, 409])
    }

    // MARK: - Listing

    /// Every key under `prefix` (with `delimiter`, also the common prefixes one level down),
    /// page after page; a page that fails after its retries fails the whole listing.
    public func list(prefix: String, delimiter: String? = nil, maxKeys: Int = 1000) throws(S3Error) -> S3ListPage {
        var all = S3ListPage()
        var token: String?
        repeat {
            let page = try listPage(prefix: prefix, delimiter: delimiter, continuationToken: token, maxKeys: maxKeys)
            all.objects += page.objects
            all.commonPrefixes += page.commonPrefixes
            guard page.isTruncated else { return all }
            guard let next = page.nextContinuationToken, !next.isEmpty, next != token else {
                throw .invalidResponse(
                    "truncated listing without a new continuation token", operation: "list", target: target(prefix),
                    endpoint: configuration.endpoint)
            }
            token = next
        } while true
    }

    /// One ListObjectsV2 page.
    public func listPage(prefix: String, delimiter: String?, continuationToken: String?, maxKeys: Int) throws(S3Error) -> S3ListPage {
        var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(maxKeys))]
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let response = try send("GET", key: nil, query: query, accept: [200], operation: "list", described: prefix)
        guard let page = S3ListParser.page(from: Data(response.body)) else {
            throw .invalidResponse("not a ListBucketResult", operation: "list", target: target(prefix), endpoint: configuration.endpoint)
        }
        return page
    }

    // MARK: - Requests

    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    func target(_ key: String?) -> String {
        key.map { "\(configuration.bucket)/\($0)" } ?? configuration.bucket
    }

    /// A request's body: bytes in memory, or a local file streamed.
    enum Payload {
        case bytes([UInt8])
        case file(S3LocalFile)
    }

    /// One request, retried. With `sink`, a 200's body is streamed into it instead of kept; a
    /// streamed request (a file body or a sink) has no whole-request deadline, only the idle
    /// read timeout: its body can be gigabytes.
    func send(
        _ method: String, key: String?, query: [(String, String)] = [], body: Payload = .bytes([]), headers: [(String, String)] = [],
        accept: Set<Int>, operation: String? = nil, described: String? = nil, sink: S3FileSink? = nil
    ) throws(S3Error) -> Response {
        let operation = operation ?? method
        let target = target(described ?? key)
        let path = "/\(SigV4Signer.encode(configuration.bucket))" + (key.map { "/\(SigV4Signer.encode($0, keepSlash: true))" } ?? "")
        let queryString = query.map { (SigV4Signer.encode($0.0), SigV4Signer.encode($0.1)) }.sorted { $0 < $1 }.map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
        let url = configuration.endpoint + path + (queryString.isEmpty ? "" : "?\(queryString)")
        let payloadHash: String
        switch body {
        case .bytes(let bytes): payloadHash = bytes.isEmpty ? SigV4Signer.emptyPayloadHash : SHA256Hex.of(bytes)
        case .file(let file): payloadHash = file.sha256
        }
        var attempt = 0
        var delay = configuration.initialBackoff
        while true {
            attempt += 1
            let outcome: Result<Response, S3Error>
            let signedHeaders = [("host", configuration.hostHeader)] + headers
            let extra = signer.sign(method: method, path: path, query: query, headers: signedHeaders, payloadHash: payloadHash, date: Date())
            try sink?.reset()
            do {
                var request = try HTTPClient.Request(url: url, method: HTTPMethod(rawValue: method))
                for (name, value) in signedHeaders + extra { request.headers.replaceOrAdd(name: name, value: value) }
                switch body {
                case .bytes(let bytes): if !bytes.isEmpty || method == "PUT" { request.body = .bytes(bytes) }
                case .file(let file): request.body = file.body(eventLoop: http.eventLoopGroup.any())
                }
                if let sink {
                    outcome = .success(try http.execute(request: request, delegate: S3StreamDelegate(sink: sink), deadline: nil).futureResult.wait())
                } else {
                    let deadline: NIODeadline? =
                        if case .file = body { nil } else {
                            NIODeadline.now() + .nanoseconds(Int64(configuration.timeout.components.seconds) * 1_000_000_000)
                        }
                    let response = try http.execute(request: request, deadline: deadline).wait()
                    let bytes = response.body.map { Array($0.readableBytesView) } ?? []
                    outcome = .success(Response(status: Int(response.status.code), headers: response.headers, body: bytes))
                }
            } catch let error as S3Error {
                // A local file that cannot be read or written: another attempt would not help.
                throw error
            } catch {
                outcome = .failure(.transport(Self.describe(error), operation: operation, target: target, endpoint: configuration.endpoint))
            }
            let failure: S3Error
            switch outcome {
            case .success(let response) where accept.contains(response.status):
                return response
            case .success(let response):
                let code = S3ListParser.errorCode(in: Data(response.body))
                failure = .status(response.status, code: code, operation: operation, target: target, endpoint: configuration.endpoint)
                let retryable = [500, 502, 503, 504].contains(response.status) || code == "SlowDown" || code == "InternalError"
                if !retryable { throw failure }
            case .failure(let error):
                failure = error
            }
            guard attempt < configuration.maxAttempts else { throw failure }
            let jittered = delay * Double.random(in: 0.5...1.0)
            Thread.sleep(forTimeInterval: Double(jittered.components.seconds) + Double(jittered.components.attoseconds) / 1e18)
            delay = min(delay * 2, configuration.maxBackoff)
        }
    }

    private static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectTimeout") || text.contains("connectionRefused") || text.contains("Connection refused") {
            return "cannot connect"
        }
        if text.contains("deadlineExceeded") || text.contains("readTimeout") { return "timed out" }
        return String(text.prefix(200))
    }
}
