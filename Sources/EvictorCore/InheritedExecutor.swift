/// The task executor that work started from here should prefer, carried as a task-local value
/// so unstructured tasks (`Task { }`, which do not inherit a task executor preference) can
/// keep to it as child tasks do. `RegistryEventLoop.run` sets it to the registry event loop.
public enum InheritedExecutor {
    /// The preferred executor of the work in progress, nil for the global one.
    @TaskLocal public static var preferred: (any TaskExecutor)?

    /// Starts an unstructured task on the preferred executor of the work in progress.
    public static func task<Success: Sendable>(_ operation: sending @escaping @isolated(any) () async -> Success) -> Task<Success, Never> {
        Task(executorPreference: preferred, operation: operation)
    }

    /// Starts an unstructured throwing task on the preferred executor of the work in progress.
    public static func throwingTask<Success: Sendable>(
        _ operation: sending @escaping @isolated(any) () async throws -> Success
    ) -> Task<Success, any Error> {
        Task(executorPreference: preferred, operation: operation)
    }
}
