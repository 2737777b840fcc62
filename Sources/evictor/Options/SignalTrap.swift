import Dispatch
import EvictorCore
import Foundation
import Synchronization

/// SIGINT and SIGTERM for the commands that write: the first one asks the work to stop taking
/// new steps (what is in flight finishes and is journaled), a second one ends the process at
/// once (the journal, written before every step, still lets the next run resume).
enum SignalTrap {
    private static let sources = Mutex<[DispatchSourceSignal]>([])
    private static let queue = DispatchQueue(label: "evictor.signals")

    /// Installs the handlers; returns the request they set.
    static func install() -> StopRequest {
        let stop = StopRequest()
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            // Made and kept inside the lock: the sources live as long as the process.
            sources.withLock { kept in
                // A queue of its own (an overcommitting one): work that fills the global queues'
                // threads (a parallel sweep through concurrentPerform) must not hold the
                // handler back until it has finished.
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler {
                    if stop.isRequested { exit(128 + number) }
                    stop.request(signal: number)
                    CommandLog.info("evictor: \(name(number)) received: finishing what is in flight, starting nothing new (again to quit at once)")
                }
                source.resume()
                kept.append(source)
            }
        }
        return stop
    }

    /// The one line a stopped run ends with: what happened and the exact command that resumes
    /// (the command as it was run, unless `resume` says otherwise).
    static func reportStopped(_ signal: Int32, what: String, resume: [String] = CommandLine.arguments) {
        CommandLog.info("evictor: stopped by \(name(signal)): \(what); resume with: \(resume.map(ApplyRun.shellQuoted).joined(separator: " "))")
    }

    /// The exit status for a run stopped by `signal`: 128 + its number (130, 143).
    static func exitCode(_ signal: Int32) -> Int32 { 128 + signal }

    static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(number)"
        }
    }
}
