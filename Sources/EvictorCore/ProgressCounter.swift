import Synchronization

/// Counts finished items from any task and reports `(done, total)` to an optional callback
/// (the CLI's progress display).
public final class ProgressCounter: Sendable {
    private let done = Atomic<Int>(0)
    private let total: Int
    private let report: (@Sendable (Int, Int) -> Void)?

    public init(total: Int, report: (@Sendable (Int, Int) -> Void)?) {
        self.total = total
        self.report = report
    }

    public func advance() {
        let finished = done.wrappingAdd(1, ordering: .relaxed).newValue
        report?(finished, total)
    }
}
