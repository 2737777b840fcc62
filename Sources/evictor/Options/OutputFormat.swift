import ArgumentParser
import EvictorCore
import Foundation

/// Human text or JSON for machines.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Writes JSON to stdout: sorted keys, pretty, ending in a newline.
enum JSONOutput {
    static func print<T: Encodable>(_ value: T) throws {
        var data = try VersionedDocument.encoder().encode(value)
        data.append(0x0A)
        FileHandle.standardOutput.write(data)
    }
}
