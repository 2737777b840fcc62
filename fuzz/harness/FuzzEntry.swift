import EvictorCore
import Foundation

/// libFuzzer's driver (in the fuzzer runtime that `-sanitize=fuzzer` links).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ test: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// Hands the command line to libFuzzer, which calls `fuzzOneInput` for every input.
@main
enum FuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv, fuzzOneInput))
    }
}

/// One input. `EVICTOR_FUZZ_TARGET` picks the parser: `manifest`, `reference`, `digest` or
/// `inventory` (see fuzz/README.md). A broken property stops the process, and libFuzzer keeps
/// the input that did it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch FuzzTarget.current {
    case .manifest: FuzzTarget.checkManifest(bytes)
    case .reference: FuzzTarget.checkReference(bytes)
    case .digest: FuzzTarget.checkDigest(bytes)
    case .inventory: FuzzTarget.checkInventory(bytes)
    }
    return 0
}

/// The parsers under fuzzing and the properties each must keep.
enum FuzzTarget: String, CaseIterable {
    case manifest, reference, digest, inventory

    static let current: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["EVICTOR_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            fatalError("set EVICTOR_FUZZ_TARGET to one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return target
    }()

    /// A manifest or a one-line parse error; the same result twice; the input's digest kept.
    static func checkManifest(_ bytes: [UInt8]) {
        let digest = Digest.sha256(of: bytes)
        for contentType in [nil, "application/vnd.oci.image.index.v1+json"] {
            let first = Result { () throws(ManifestParseError) in try Manifest.parse(bytes, contentType: contentType, digest: digest) }
            let second = Result { () throws(ManifestParseError) in try Manifest.parse(bytes, contentType: contentType, digest: digest) }
            switch (first, second) {
            case (.success(let a), .success(let b)):
                require(a.digest == digest, "the manifest's digest is not the input's")
                require(
                    a.mediaType == b.mediaType && a.children.map(\.digest) == b.children.map(\.digest)
                        && a.layers.map(\.digest) == b.layers.map(\.digest),
                    "two parses of the same bytes differ")
                require(a.kind != .image || a.config != nil, "an image without a config")
            case (.failure(let a), .failure(let b)):
                require(a == b && !a.reason.isEmpty && !a.reason.contains("\n"), "parse errors differ or are not one line")
            default:
                require(false, "one parse succeeded, the other failed")
            }
        }
    }

    /// A reference whose text parses back to itself, or an error naming the input.
    static func checkReference(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let reference = try? ImageReference(parsing: text) else { return }
        guard let again = try? ImageReference(parsing: reference.description) else {
            return require(false, "\(reference.description.debugDescription) does not parse again")
        }
        require(again == reference, "\(text.debugDescription) renders as \(reference.description.debugDescription), which reads back differently")
    }

    /// Exactly sha256/sha512 with lower-case hex, rendered as given.
    static func checkDigest(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let digest = try? Digest(parsing: text) else { return }
        require(digest.description == text, "\(text.debugDescription) renders as \(digest.description)")
        let hex = text.drop { $0 != ":" }.dropFirst()
        require(hex.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }, "\(text.debugDescription) accepted with non-hex digits")
    }

    /// An inventory that survives writing and reading again, or one error naming the file.
    static func checkInventory(_ bytes: [UInt8]) {
        let path = scratchDirectory + "/images.json"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let inventory: Inventory
        do {
            inventory = try InventoryFile.read(path)
        } catch {
            return require("\(error)".contains(path) && !"\(error)".contains("\n"), "the error does not name the file on one line: \(error)")
        }
        // Written, read back and written again: the two files must be the same bytes.
        let copy = scratchDirectory + "/copy.json"
        let again = scratchDirectory + "/again.json"
        do {
            try InventoryFile.write(inventory, to: copy)
            try InventoryFile.write(try InventoryFile.read(copy), to: again)
            require(
                FileManager.default.contents(atPath: copy) == FileManager.default.contents(atPath: again),
                "an inventory changed through write and read")
        } catch {
            require(false, "an inventory that was read cannot be written and read again: \(error)")
        }
    }

    static let scratchDirectory: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = base + "/evictor-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("property broken: \(message())") }
    }
}
