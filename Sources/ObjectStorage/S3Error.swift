/// A failed S3 request, one line naming the operation, bucket, key and endpoint (never a
/// credential).
public enum S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// The endpoint answered with an error status (`code` from its XML error body, if any).
    case status(Int, code: String?, operation: String, target: String, endpoint: String)
    /// No answer: refused, reset, timed out.
    case transport(String, operation: String, target: String, endpoint: String)
    /// An answer that cannot be used (not XML, a listing without its continuation token).
    case invalidResponse(String, operation: String, target: String, endpoint: String)
    /// A setting that cannot work (no credentials, a malformed endpoint).
    case configuration(String)
    /// A local file a transfer reads or writes cannot be used (named by its path).
    case localFile(String, reason: String)

    public var description: String {
        switch self {
        case .status(let status, let code, let operation, let target, let endpoint):
            return "s3 \(endpoint): \(operation) \(target): HTTP \(status)\(code.map { " \($0)" } ?? "")"
        case .transport(let reason, let operation, let target, let endpoint):
            return "s3 \(endpoint): \(operation) \(target): \(reason)"
        case .invalidResponse(let reason, let operation, let target, let endpoint):
            return "s3 \(endpoint): \(operation) \(target): unusable answer: \(reason)"
        case .configuration(let reason):
            return "s3: \(reason)"
        case .localFile(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}
