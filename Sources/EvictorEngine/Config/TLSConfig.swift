/// `tls` of a registry.
public struct TLSConfig: Sendable, Equatable {
    /// PEM file with the CA certificates to trust (besides the system's).
    public var caFile: String?
    /// Skip certificate verification (warned about at run time).
    public var insecure: Bool

    public init(caFile: String? = nil, insecure: Bool = false) {
        self.caFile = caFile
        self.insecure = insecure
    }
}
