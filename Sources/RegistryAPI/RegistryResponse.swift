import NIOHTTP1

/// A registry answer with its whole (size-capped) body.
public struct RegistryResponse: Sendable {
    public var status: UInt
    public var headers: HTTPHeaders
    public var body: [UInt8]

    /// The first value of a header.
    public func header(_ name: String) -> String? { headers.first(name: name) }
}
