import ObjectStorage
import Yams

/// The `storage.s3` section of a registry's configuration file (Distribution's `s3` driver),
/// as far as evictor reads it. Its description never shows the secret key.
public struct RegistryS3Settings: Sendable, Equatable, CustomStringConvertible {
    public var bucket: String
    public var region: String
    /// `regionendpoint`: any S3-compatible endpoint (nil: AWS's own for `region`).
    public var endpoint: String?
    public var rootDirectory: String
    public var accessKey: String?
    public var secretKey: String?
    public var secure: Bool

    /// Reads the section; `file` names the errors.
    init(_ node: Node, file: String) throws(ConfigError) {
        guard let mapping = node.mapping else { throw .wrongType(file: file, path: "storage.s3", expected: "a mapping", got: "a scalar") }
        func text(_ key: String) -> String? {
            mapping[key]?.scalar.map(\.string).flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let bucket = text("bucket") else { throw .missingKey(file: file, path: "storage.s3.bucket") }
        guard let region = text("region") else { throw .missingKey(file: file, path: "storage.s3.region") }
        self.bucket = bucket
        self.region = region
        endpoint = text("regionendpoint")
        rootDirectory = text("rootdirectory") ?? ""
        accessKey = text("accesskey")
        secretKey = text("secretkey")
        switch text("secure")?.lowercased() {
        case nil, "true", "yes", "on": secure = true
        case "false", "no", "off": secure = false
        case .some:
            throw .wrongType(file: file, path: "storage.s3.secure", expected: "true or false", got: "another value")
        }
    }

    /// The client's settings: the file's keys, else `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`
    /// and `AWS_SESSION_TOKEN`.
    public func configuration(environment: [String: String], file: String) throws -> S3Configuration {
        let credentials: AWSCredentials
        if let accessKey, let secretKey {
            credentials = AWSCredentials(accessKeyID: accessKey, secretAccessKey: secretKey)
        } else if let fromEnvironment = AWSCredentials.fromEnvironment(environment) {
            credentials = fromEnvironment
        } else {
            throw ConfigError.missingKey(
                file: file, path: "storage.s3.accesskey and secretkey (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")
        }
        return try S3Configuration(endpoint: endpoint, bucket: bucket, region: region, credentials: credentials, secure: secure)
    }

    public var description: String {
        "s3://\(bucket) at \(endpoint ?? "AWS \(region)")\(rootDirectory.isEmpty ? "" : " under \(rootDirectory)")"
    }
}
