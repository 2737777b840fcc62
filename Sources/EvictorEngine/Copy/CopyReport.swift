import Foundation

/// What a copy did, for the summary line and `--output json`.
public struct CopyReport: Sendable, Codable, Equatable {
    /// An image that failed, or a tag left alone, and why.
    public struct Note: Sendable, Codable, Equatable {
        public var image: String
        public var reason: String
    }

    public var source: String
    public var destination: String
    public var dryRun: Bool
    public var journal: String?
    /// Images selected on the source.
    public var images = 0
    /// Images whose manifests and tags were all at the destination already.
    public var imagesPresent = 0
    public var imagesCopied = 0
    public var imagesFailed = 0
    /// Images not started because a stop was requested.
    public var imagesNotStarted = 0
    public var failures: [Note] = []
    /// Inventory references on other registries.
    public var skippedReferences: [String] = []
    public var tagsSet = 0
    public var tagsPresent = 0
    /// Destination tags on another digest, left alone (no `--overwrite-tags`).
    public var tagsSkipped: [Note] = []
    public var manifestsPut = 0
    public var manifestsPresent = 0
    public var blobsSent = 0
    public var blobsMounted = 0
    public var blobsPresent = 0
    public var bytesSent: Int64 = 0
    /// Blobs an earlier run with the same journal recorded at the destination (an image whose
    /// manifest is there has them all; the others' blobs are looked for before any is sent).
    public var blobsByEarlierRun = 0
    public var seconds = 0.0
    /// The signal that stopped the run, if one did.
    public var stoppedBy: Int32?

    public init(source: String, destination: String, dryRun: Bool, journal: String?) {
        self.source = source
        self.destination = destination
        self.dryRun = dryRun
        self.journal = journal
    }

    /// 0 done, 1 some failed, 3 some tags left alone, 130/143 stopped.
    public var exitStatus: Int32 {
        if let stoppedBy { return 128 + stoppedBy }
        if imagesFailed > 0 { return 1 }
        if !tagsSkipped.isEmpty { return 3 }
        return 0
    }
}
