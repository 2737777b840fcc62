import EvictorCore
import NIOCore
import NIOPosix

/// The one event loop every `RegistryClient` of the process sends its requests on, and a task
/// executor over it: work run with `RegistryEventLoop.run` (and its child tasks) resumes on the
/// thread that received the answer, rather than being handed to another thread of the global
/// pool for every answer, every actor hop and every continuation.
///
/// One thread is enough: a request costs the client a small fraction of what it costs the
/// registry, and the registry (often on the same machine) needs the other cores. Nothing run
/// on it may block its thread (a semaphore, a `wait()` on a future, a synchronous subprocess):
/// blocking work belongs on threads of its own, as Lua and storage sweeps already have.
public enum RegistryEventLoop {
    /// The event loop group of one thread that registry clients use.
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// The task executor over the group's one loop.
    public static let executor = EventLoopTaskExecutor(group.next())

    /// Runs `body` with the registry event loop as its task executor (inherited by child tasks).
    public static func run<Result>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Result
    ) async throws -> Result {
        try await InheritedExecutor.$preferred.withValue(executor) {
            try await withTaskExecutorPreference(executor, isolation: isolation) { try await body() }
        }
    }
}

/// A `TaskExecutor` that runs jobs on one NIO event loop.
public final class EventLoopTaskExecutor: TaskExecutor {
    private let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
