import EvictorCore
import Foundation
import Testing

/// The append-only record file under journals and quarantine records, after crashes.
@Suite("JSON lines files after a crash")
struct JSONLinesFileTests {
    struct Record: Codable, Equatable {
        var n: Int
        var text: String
    }

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("evictor-lines-\(UUID().uuidString).jsonl").path
    }

    static func read(_ path: String) throws -> [Record] {
        try JSONLinesFile.read(Record.self, from: path) { .invalidJournal(path, reason: $0) }
    }

    @Test("a torn last line is ignored on reading and cut off before the next append")
    func tornTail() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let file = try JSONLinesFile(path: path)
            try file.append(Record(n: 1, text: "one"))
            try file.append(Record(n: 2, text: String(repeating: "x", count: 100_000)))
        }
        // A process killed in the middle of the third record (longer than one read chunk).
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"n":3,"text":""#.utf8) + Data(repeating: UInt8(ascii: "y"), count: 70_000))
        try handle.close()
        #expect(try Self.read(path).map(\.n) == [1, 2])

        let reopened = try JSONLinesFile(path: path)
        try reopened.append(Record(n: 4, text: "four"))
        #expect(try Self.read(path).map(\.n) == [1, 2, 4])
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test("a file that is nothing but a torn line starts empty; a whole file is left as it is")
    func onlyTorn() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(#"{"n":1,"te"#.utf8).write(to: URL(fileURLWithPath: path))
        do {
            let file = try JSONLinesFile(path: path)
            try file.append(Record(n: 2, text: "two"))
        }
        #expect(try Self.read(path).map(\.n) == [2])
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        _ = try JSONLinesFile(path: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test("a second writer is refused while the first has the file open")
    func secondWriter() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try JSONLinesFile(path: path)
        #expect(throws: EvictorCoreError.cannotWrite(path, reason: "in use by another evictor process")) { _ = try JSONLinesFile(path: path) }
        try first.append(Record(n: 1, text: "one"))
        #expect(try Self.read(path).map(\.n) == [1])
    }

    @Test("a complete record whose newline is missing is ignored on reading, as appending cuts it off")
    func completeButUnterminated() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("{\"n\":1,\"text\":\"a\"}\n{\"n\":2,\"text\":\"b\"}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try Self.read(path).map(\.n) == [1])
        try JSONLinesFile(path: path).append(Record(n: 3, text: "c"))
        #expect(try Self.read(path).map(\.n) == [1, 3])
    }

    @Test("a bad line in the middle is an error naming the line")
    func badMiddle() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("{\"n\":1,\"text\":\"a\"}\ngarbage\n{\"n\":2,\"text\":\"b\"}\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: EvictorCoreError.invalidJournal(path, reason: "line 2 is not a record")) { try Self.read(path) }
    }
}
