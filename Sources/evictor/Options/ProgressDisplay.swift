import Foundation
import Synchronization

/// `done/total, rate, ETA` on stderr when it is a terminal; silent otherwise.
final class ProgressDisplay: Sendable {
    private let label: String
    private let enabled: Bool
    private let started = ContinuousClock.now
    private let lastDraw = Mutex<ContinuousClock.Instant?>(nil)

    init(label: String) {
        self.label = label
        self.enabled = isatty(STDERR_FILENO) != 0
    }

    func update(done: Int, total: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let due = lastDraw.withLock { last -> Bool in
            if let last, now - last < .milliseconds(100), done < total { return false }
            last = now
            return true
        }
        guard due else { return }
        let seconds = max(0.001, Double((now - started).components.seconds) + Double((now - started).components.attoseconds) / 1e18)
        let rate = Double(done) / seconds
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let line = String(format: "\r%@ %d/%d  %.0f/s  ETA %.0fs   ", label, done, total, rate, eta)
        FileHandle.standardError.write(Data(line.utf8))
        if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// One progress line per phase of a use case, made as the phases start.
final class ProgressDisplays: Sendable {
    private let displays = Mutex<[String: ProgressDisplay]>([:])

    func update(phase: String, done: Int, total: Int) {
        let display = displays.withLock { known in
            if let existing = known[phase] { return existing }
            let made = ProgressDisplay(label: phase)
            known[phase] = made
            return made
        }
        display.update(done: done, total: total)
    }
}
