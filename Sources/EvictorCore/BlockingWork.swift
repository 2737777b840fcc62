import Dispatch

/// Runs synchronous work that may block its thread (file system sweeps, the S3 driver's
/// requests, which wait on their answers) on a dispatch queue of its own, so an async caller
/// never blocks the thread it runs on: registry work runs on an event loop (see
/// `RegistryEventLoop`), where a blocked thread stalls every connection and a `wait()` traps.
public enum BlockingWork {
    public static let queue = DispatchQueue(label: "evictor.blocking-work", attributes: .concurrent)

    /// `work`'s result, computed on `queue` (by default a concurrent queue for such work; a
    /// serial queue of the caller's keeps its pieces of work in the order they were handed in).
    public static func run<Result: Sendable, Failure: Error>(
        on queue: DispatchQueue = BlockingWork.queue, _ work: @escaping @Sendable () throws(Failure) -> Result
    ) async throws(Failure) -> Result {
        let outcome: Swift.Result<Result, Failure> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Swift.Result { () throws(Failure) -> Result in try work() }) }
        }
        return try outcome.get()
    }
}
