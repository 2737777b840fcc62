import Foundation

/// A minimal POSIX ustar archive holding regular files: enough for real, unique image layers.
public enum TarArchive {
    /// An archive with one regular file per entry, mode 0644, mtime 0 (deterministic bytes).
    public static func make(files: [(name: String, contents: Data)]) -> Data {
        var archive = Data()
        for file in files {
            archive.append(header(name: file.name, size: file.contents.count))
            archive.append(file.contents)
            let padding = (512 - file.contents.count % 512) % 512
            archive.append(Data(count: padding))
        }
        archive.append(Data(count: 1024))
        return archive
    }

    private static func header(name: String, size: Int) -> Data {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
        }
        put(name, at: 0, width: 100)
        put(octal(0o644, width: 8), at: 100, width: 8)
        put(octal(0, width: 8), at: 108, width: 8)
        put(octal(0, width: 8), at: 116, width: 8)
        put(octal(size, width: 12), at: 124, width: 12)
        put(octal(0, width: 12), at: 136, width: 12)
        put("        ", at: 148, width: 8)
        block[156] = UInt8(ascii: "0")
        put("ustar", at: 257, width: 6)
        put("00", at: 263, width: 2)
        let checksum = block.reduce(0) { $0 + Int($1) }
        put(octal(checksum, width: 7), at: 148, width: 7)
        block[155] = 0x20
        return Data(block)
    }
}
