import Foundation

/// Reads chunk files, turning failures into a short reason.
enum LuaFileReader {
    struct Failure: Error {
        let reason: String
    }

    static func read(_ path: String) throws(Failure) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Failure(reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw Failure(reason: "is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(reason: "permission denied or unreadable")
        }
        return [UInt8](data)
    }
}
