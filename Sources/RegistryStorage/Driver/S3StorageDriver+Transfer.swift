import ObjectStorage

extension S3StorageDriver: LocalFileTransfer {
    /// A streamed GET whose length is checked. (Not against the ETag: with SSE-KMS or SSE-C it
    /// is no MD5 even for one PUT, so a mismatch would prove nothing.)
    public func download(_ path: String, to file: String?) throws(StorageError) -> TransferredFile? {
        guard let received = try call("read", path, { () throws(S3Error) in try client.download(path, to: file) }) else { return nil }
        return TransferredFile(size: received.size, sha256: received.sha256)
    }

    public func upload(_ file: String, to path: String) throws(StorageError) {
        try call("write", path) { () throws(S3Error) in try client.upload(file, to: path) }
    }

    public func deleteFile(_ path: String) throws(StorageError) {
        try call("delete", path) { () throws(S3Error) in try client.delete(path) }
    }
}
