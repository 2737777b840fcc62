import Crypto

/// What an object's `ETag` says about its content without reading it. For an object stored
/// by one PUT (no multipart upload, no KMS or customer-key encryption) S3 and compatible
/// stores answer the hex MD5 of the content; any other ETag simply does not match, and the
/// caller reads the object as it would have anyway.
public enum ContentETag {
    /// The ETag a single-part object holding exactly `bytes` has (hex MD5, lowercase).
    public static func of(_ bytes: [UInt8]) -> String {
        SigV4Signer.hex(Insecure.MD5.hash(data: bytes))
    }

    /// Whether `etag` (as a listing gives it: unquoted, lowercase) is that of exactly `bytes`.
    public static func matches(_ etag: String?, _ bytes: [UInt8]) -> Bool {
        guard let etag, etag.count == 32 else { return false }
        return etag == of(bytes)
    }
}
