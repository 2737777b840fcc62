import EvictorEngine
import Foundation
import LuaRuntime
import RegistryAPI
import Synchronization

/// Progress and warnings on stderr, so stdout stays clean for results.
enum CommandLog {
    static func info(_ message: String) {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("evictor: warning: \(message)\n".utf8))
    }

    /// Shows a use case's events: progress lines on a terminal, warnings always.
    static func events() -> EngineEvents {
        let displays = ProgressDisplays()
        return { event in
            switch event {
            case .progress(let phase, let done, let total): displays.update(phase: phase, done: done, total: total)
            case .warning(let text): warn(text)
            case .pluginLog(let plugin, let level, let message): handler(prefix: plugin)(level, message)
            }
        }
    }

    /// With EVICTOR_STATS=1, the number of HTTP requests made (for bench/run's rates) and of
    /// connections opened for them.
    static func stats(_ client: RegistryClient) {
        guard ProcessInfo.processInfo.environment["EVICTOR_STATS"] == "1" else { return }
        FileHandle.standardError.write(Data("evictor-stats: requests=\(client.requestCount) connections=\(client.connectionCount)\n".utf8))
    }

    private static let pluginInfo = Atomic<Bool>(false)

    /// `-v/--verbose`: plugins' `print` and info/debug logs are shown.
    static func showPluginInfo() { pluginInfo.store(true, ordering: .relaxed) }

    /// Where plugin logs go: warnings and errors always, the rest with -v (or EVICTOR_VERBOSE=1).
    static func handler(prefix: String) -> LuaLogHandler {
        let verbose = pluginInfo.load(ordering: .relaxed) || ProcessInfo.processInfo.environment["EVICTOR_VERBOSE"] == "1"
        return { level, message in
            switch level {
            case .warning, .error: warn(message)
            case .info, .debug: if verbose { info("\(prefix): \(message)") }
            }
        }
    }
}
