import Foundation

/// Where a bucket is and how to reach it: path-style requests (`ENDPOINT/BUCKET/KEY`) to any
/// S3-compatible endpoint.
public struct S3Configuration: Sendable {
    /// `scheme://host[:port]`; AWS's regional endpoint when built with `endpoint: nil`.
    public var endpoint: String
    public var bucket: String
    public var region: String
    public var credentials: AWSCredentials
    /// Every request is tried at most this often (500, 502, 503, 504, SlowDown, no answer).
    public var maxAttempts = 5
    /// The first retry's delay; it doubles (with jitter) up to `maxBackoff`.
    public var initialBackoff: Duration = .milliseconds(200)
    public var maxBackoff: Duration = .seconds(5)
    /// One request's deadline, body included.
    public var timeout: Duration = .seconds(60)
    /// Connections kept open to the endpoint (the most requests in flight).
    public var maxConnections = 32

    /// `endpoint` as given (`http://127.0.0.1:9000`), or, when nil, `https://s3.REGION.amazonaws.com`
    /// (`http` when `secure` is false).
    public init(endpoint: String?, bucket: String, region: String, credentials: AWSCredentials, secure: Bool = true) throws(S3Error) {
        let given = endpoint.flatMap { $0.isEmpty ? nil : $0 } ?? "\(secure ? "https" : "http")://s3.\(region).amazonaws.com"
        let withScheme = given.contains("://") ? given : "\(secure ? "https" : "http")://\(given)"
        guard let url = URL(string: withScheme), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw .configuration("endpoint \(given) is not an http(s) URL")
        }
        guard !bucket.isEmpty, !bucket.contains("/") else { throw .configuration("bucket '\(bucket)' is not a bucket name") }
        self.endpoint = withScheme.hasSuffix("/") ? String(withScheme.dropLast()) : withScheme
        self.bucket = bucket
        self.region = region.isEmpty ? "us-east-1" : region
        self.credentials = credentials
    }

    /// The `Host` header: host, and the port when it is not the scheme's default.
    var hostHeader: String {
        guard let url = URL(string: endpoint), let host = url.host else { return endpoint }
        guard let port = url.port, !(url.scheme == "http" && port == 80), !(url.scheme == "https" && port == 443) else { return host }
        return "\(host):\(port)"
    }
}
