/// Manifest media types Evictor understands, and the Accept header that asks for all of them.
public enum ManifestMediaType {
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let dockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json"
    public static let dockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"

    /// Without all four modern types, Distribution 2.8 rewrites schema2 to schema1 (another
    /// digest) and answers a list with one child: always send them all.
    public static let acceptHeader = [
        ociIndex, dockerManifestList, ociManifest, dockerManifest, dockerSchema1Signed, dockerSchema1,
    ].joined(separator: ", ")

    /// Whether a media type is one of the two index kinds.
    public static func isIndex(_ mediaType: String) -> Bool {
        mediaType == ociIndex || mediaType == dockerManifestList
    }
}
