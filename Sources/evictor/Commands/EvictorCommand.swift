import ArgumentParser
import EvictorCore
import Foundation

/// The `evictor` command line: thin subcommands over the engine.
@main
struct EvictorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evictor",
        abstract: "Keep self-hosted Docker/OCI registries lean and healthy.",
        discussion: """
            Evictor collects the images in use, lists and health-checks a registry, decides with \
            a Lua retention policy what may go and deletes it safely, and repairs a registry's \
            on-disk storage.
            """,
        version: EvictorVersion.current,
        subcommands: [
            ListCommand.self, CountCommand.self, CheckCommand.self, InventoryCommand.self, PlanCommand.self, ApplyCommand.self, EvictCommand.self,
            RestoreCommand.self, PolicyCommand.self, StorageCommand.self, PluginsCommand.self, ConfigCommand.self, RunCommand.self, ServeCommand.self,
            UsageCommand.self, CopyCommand.self,
        ]
    )

    /// Exit status of a command that could not run (bad input, unreachable registry, a refused
    /// plan): one `Error:` line on stderr. Commands give 0 and 1 (and more) their own meanings.
    static let couldNotRun: Int32 = 2

    /// Parses and runs like ArgumentParser's own `main`, except that an error a command throws
    /// while running is one line and exit 2 for every command (usage errors keep exit 64).
    static func main() async {
        let parsed: ParsableCommand
        do {
            parsed = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        guard var command = parsed as? AsyncParsableCommand else {
            // ArgumentParser's own commands (help): their errors are its business.
            do {
                var builtIn = parsed
                try builtIn.run()
                exit()
            } catch {
                exit(withError: error)
            }
        }
        do {
            try await command.run()
        } catch let code as ExitCode {
            exit(withError: code)
        } catch let clean as CleanExit {
            exit(withError: clean)
        } catch {
            FileHandle.standardError.write(Data("Error: \(message(for: error))\n".utf8))
            Foundation.exit(couldNotRun)
        }
    }
}
