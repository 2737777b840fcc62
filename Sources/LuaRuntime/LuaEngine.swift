/// The actor that owns one `LuaVM`. All Lua runs on its own thread, so a long policy
/// call never blocks Swift's cooperative thread pool; only `Sendable` values cross.
public actor LuaEngine {
    private let vm: LuaVM
    private let executor: LuaThreadExecutor

    /// Creates the VM (on the calling thread; nothing runs in it yet).
    public init(
        limits: LuaLimits = LuaLimits(),
        sandbox: LuaSandbox = LuaSandbox(),
        logHandler: @escaping LuaLogHandler = { _, _ in }
    ) throws(LuaError) {
        self.vm = try LuaVM(limits: limits, sandbox: sandbox, logHandler: logHandler)
        self.executor = LuaThreadExecutor(name: "evictor.lua")
    }

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    deinit {
        executor.shutdown()
    }

    /// Compiles a file (see `LuaVM.load(file:displayName:)`).
    public func load(file path: String, displayName: String? = nil) throws(LuaError) -> LuaFunctionReference {
        try vm.load(file: path, displayName: displayName)
    }

    /// Compiles a string chunk (see `LuaVM.load(string:chunkName:)`).
    public func load(string source: String, chunkName: String) throws(LuaError) -> LuaFunctionReference {
        try vm.load(string: source, chunkName: chunkName)
    }

    /// Calls a function under the VM's limits; cancelling the task stops the Lua code.
    public func call(_ function: LuaFunctionReference, _ arguments: [LuaValue] = []) async throws -> [LuaValue] {
        if Task.isCancelled { throw LuaError.cancelled(location: vm.location(of: function)) }
        let handle = vm.cancellationHandle()
        return try await withTaskCancellationHandler {
            try vm.call(function, arguments)
        } onCancel: {
            handle.cancel()
        }
    }

    /// Registers a host function under a dotted global name.
    @discardableResult
    public func register(function path: String, _ function: @escaping @Sendable LuaHostFunction) -> LuaFunctionReference {
        vm.register(function: path, function)
    }

    /// Reads a dotted global.
    public func global(_ path: String) throws(LuaError) -> LuaValue {
        try vm.global(path)
    }

    /// Sets a dotted global.
    public func setGlobal(_ path: String, _ value: LuaValue) throws(LuaError) {
        try vm.setGlobal(path, value)
    }

    /// Drops a function reference.
    public func release(_ function: LuaFunctionReference) {
        vm.release(function)
    }

    /// Bytes the VM holds now.
    public var memoryInUse: Int { vm.memoryInUse }

    /// Runs `body` with the VM on the engine's thread, for code that needs several VM steps at once.
    public func withVM<Result: Sendable>(_ body: @Sendable (LuaVM) throws -> Result) rethrows -> Result {
        try body(vm)
    }
}
