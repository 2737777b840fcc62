import EvictorScripting
import EvictorTestSupport
import Foundation
import LuaRuntime
import Testing

@Suite("plugins/types/evictor.d.lua matches the real API")
struct TypeDefinitionTests {
    @Test("every declared function exists, every API function is declared")
    func inStep() async throws {
        let text = try String(contentsOf: Fixtures.url("plugins/types/evictor.d.lua"), encoding: .utf8)
        var declared: Set<String> = []
        for line in text.split(separator: "\n") where line.hasPrefix("function evictor.") {
            let name = line.dropFirst("function ".count).prefix { $0 != "(" }
            declared.insert(String(name))
        }
        let actual = try await EvictorScripting.apiFunctionNames()
        #expect(!actual.isEmpty)
        #expect(declared == actual, "undeclared: \(actual.subtracting(declared).sorted()), stale: \(declared.subtracting(actual).sorted())")
    }
}
