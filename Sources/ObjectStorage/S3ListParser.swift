import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// One page of a ListObjectsV2 answer.
public struct S3ListPage: Sendable, Equatable {
    public struct Object: Sendable, Equatable {
        public var key: String
        public var size: Int64
        /// The `ETag` without its quotes, lowercased (for a single-part upload without KMS
        /// encryption, the hex MD5 of the content); nil when the listing had none.
        public var etag: String?

        /// One listed object (tests and other listers build pages too).
        public init(key: String, size: Int64, etag: String? = nil) {
            self.key = key
            self.size = size
            self.etag = etag
        }
    }

    public var objects: [Object] = []
    /// `CommonPrefixes` (with the delimiter), when the listing used one.
    public var commonPrefixes: [String] = []
    public var isTruncated = false
    public var nextContinuationToken: String?
}

/// Reads S3's XML answers: a `ListBucketResult` page, or the `Code` of an `Error`.
final class S3ListParser: NSObject, XMLParserDelegate {
    private var page = S3ListPage()
    private var path: [String] = []
    private var text = ""
    private var key = ""
    private var size: Int64 = 0
    private var etag: String?
    private var errorCode: String?
    private var sawListResult = false

    /// The page, or nil when `data` is not a ListBucketResult.
    static func page(from data: Data) -> S3ListPage? {
        let parser = S3ListParser()
        let xml = XMLParser(data: data)
        xml.delegate = parser
        guard xml.parse(), parser.sawListResult else { return nil }
        return parser.page
    }

    /// The `Code` of an S3 error document.
    static func errorCode(in data: Data) -> String? {
        let parser = S3ListParser()
        let xml = XMLParser(data: data)
        xml.delegate = parser
        _ = xml.parse()
        return parser.errorCode
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        path.append(elementName)
        text = ""
        if elementName == "ListBucketResult" { sawListResult = true }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        let parent = path.dropLast().last ?? ""
        switch (parent, elementName) {
        case ("Contents", "Key"): key = text
        case ("Contents", "Size"): size = Int64(text) ?? 0
        case ("Contents", "ETag"): etag = text.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")).lowercased()
        case (_, "Contents"):
            page.objects.append(.init(key: key, size: size, etag: etag))
            key = ""
            size = 0
            etag = nil
        case ("CommonPrefixes", "Prefix"): page.commonPrefixes.append(text)
        case ("ListBucketResult", "IsTruncated"): page.isTruncated = text == "true"
        case ("ListBucketResult", "NextContinuationToken"): page.nextContinuationToken = text
        case ("Error", "Code"): errorCode = text
        default: break
        }
        path.removeLast()
        text = ""
    }
}
