import CLua
import CLuaShim
import Synchronization

/// One sandboxed Lua 5.4 state with limits. Not thread-safe and not `Sendable`: own it from one
/// actor (`LuaEngine`) and let only values cross.
///
/// Swift only ever runs Lua through `evictor_vm_pcall` / `evictor_vm_load`, and only uses API
/// calls that cannot raise while Swift holds the state, so no Lua error longjmps through Swift.
public final class LuaVM {
    private let state: OpaquePointer
    /// Distinguishes this VM's function references from other VMs'.
    public let identity: UInt64
    public let limits: LuaLimits
    private var hostFunctions: [LuaHostFunctionBox] = []
    private let logHandler: LuaLogHandler

    private static let nextIdentity = Atomic<UInt64>(1)

    /// A fresh sandboxed VM.
    public init(
        limits: LuaLimits = LuaLimits(),
        sandbox: LuaSandbox = LuaSandbox(),
        logHandler: @escaping LuaLogHandler = { _, _ in }
    ) throws(LuaError) {
        let packagePath = try sandbox.packagePath()
        let namespaces = try sandbox.namespaceTable()
        guard let state = evictor_vm_new(limits.memoryBytes > 0 ? limits.memoryBytes : 0, luaHostDispatch) else {
            throw .setupFailed("cannot allocate a Lua state")
        }
        self.state = state
        self.identity = Self.nextIdentity.wrappingAdd(1, ordering: .relaxed).oldValue
        self.limits = limits
        self.logHandler = logHandler
        evictor_vm_set_call_limits(state, limits.instructionsPerCall, limits.secondsPerCall)
        evictor_vm_open_safe_libs(state)
        let log = register(function: "print") { [logHandler] arguments in
            let level = arguments.first?.stringValue.flatMap(LuaLogLevel.init(rawValue:)) ?? .info
            logHandler(level, arguments.count > 1 ? arguments[1].description : "")
            return []
        }
        defer { release(log) }
        _ = try runEngineChunk(
            named: "sandbox.lua", source: EngineLua.source("sandbox.lua"),
            arguments: [
                .string(LuaString(packagePath)), .function(log), .table(sandbox.builtInTable()),
                .string(LuaString(sandbox.searchedDescription)), .string(LuaString(sandbox.missingModuleHint)), .table(namespaces),
            ])
    }

    deinit {
        evictor_vm_close(state)
    }

    // MARK: - Loading

    /// Compiles a text chunk. `chunkName` is how errors name it: `@policies/x.lua` for a file,
    /// `=name` for a literal name; a bare name is treated as `=name`.
    public func load(string source: String, chunkName: String) throws(LuaError) -> LuaFunctionReference {
        try load(bytes: Array(source.utf8), chunkName: chunkName)
    }

    /// Compiles a text chunk given as bytes (binary chunks are refused).
    public func load(bytes: [UInt8], chunkName: String) throws(LuaError) -> LuaFunctionReference {
        let name = chunkName.hasPrefix("@") || chunkName.hasPrefix("=") ? chunkName : "=" + chunkName
        let top = lua_gettop(state)
        let source = bytes.isEmpty ? [UInt8(ascii: " ")] : bytes
        let status = source.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                evictor_vm_load(state, chars.baseAddress, chars.count, name)
            }
        }
        defer { lua_settop(state, top) }
        guard status == LUA_OK else {
            throw loadError(status: status, chunkName: String(name.dropFirst()))
        }
        return LuaFunctionReference(slot: luaL_ref(state, clua_registryindex()), owner: identity)
    }

    /// Compiles a file; errors name it as `displayName` (default: the path as given).
    public func load(file path: String, displayName: String? = nil) throws(LuaError) -> LuaFunctionReference {
        let bytes: [UInt8]
        do {
            bytes = try LuaFileReader.read(path)
        } catch {
            throw .cannotRead(path: displayName ?? path, reason: error.reason)
        }
        return try load(bytes: bytes, chunkName: "@" + (displayName ?? path))
    }

    private func loadError(status: Int32, chunkName: String) -> LuaError {
        if evictor_vm_stop_reason(state) == EVICTOR_STOP_MEMORY || status == LUA_ERRMEM {
            return .outOfMemory(limit: limits.memoryBytes, location: chunkName)
        }
        let message = lua_type(state, -1) == LUA_TSTRING ? String(decoding: LuaStack.readBytes(state, at: -1), as: UTF8.self) : "unknown error"
        return LuaSyntaxMessage.parse(message, chunkName: chunkName)
    }

    // MARK: - The engine's own Lua

    /// Runs one of the engine's own Lua chunks (not a plugin's): compiles `source` under the
    /// literal chunk name `=evictor/NAME` and calls it with `raise`, then `arguments`; returns
    /// its results. Errors and stop locations prefer plugin lines on the stack to the lines of
    /// literal (`=`) chunks, so a plugin's misuse of the engine's Lua names the plugin's line.
    ///
    /// `raise(message [, fallback])` raises `message` at the innermost plugin line on the
    /// stack, or at `fallback` (`"file:line"`) when there is none because the plugin called the
    /// engine in tail position and Lua dropped its frame. The engine's Lua reports misuse with
    /// it, so no message ever needs its position rewritten.
    public func runEngineChunk(named name: String, source: String, arguments: [LuaValue] = []) throws(LuaError) -> [LuaValue] {
        let chunk = try load(string: source, chunkName: Self.engineChunkName(name))
        defer { release(chunk) }
        let top = lua_gettop(state)
        evictor_vm_push_raise_function(state)
        let raise = LuaFunctionReference(slot: luaL_ref(state, clua_registryindex()), owner: identity)
        lua_settop(state, top)
        defer { release(raise) }
        return try call(chunk, [.function(raise)] + arguments)
    }

    /// How the engine's chunk `name` (`policy_prelude.lua`) is named: `=evictor/policy_prelude.lua`.
    public static func engineChunkName(_ name: String) -> String {
        "=evictor/" + name
    }

    // MARK: - Calling

    /// Calls a function under the limits; returns all its results. Functions among the results
    /// come back as references the caller must `release`.
    public func call(_ function: LuaFunctionReference, _ arguments: [LuaValue] = []) throws(LuaError) -> [LuaValue] {
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        try LuaStack.push(state, .function(function), owner: identity)
        for argument in arguments {
            do { try LuaStack.push(state, argument, owner: identity) } catch {
                throw .invalidValue(message: "argument to \(location(of: function)): \(error.description)", location: "")
            }
        }
        let status = evictor_vm_pcall(state, Int32(arguments.count), clua_multret())
        guard status == LUA_OK else { throw callError(status: status, function: function) }
        var results: [LuaValue] = []
        let count = lua_gettop(state) - top
        for index in stride(from: top + 1, through: top + count, by: 1) {
            do { results.append(try LuaStack.read(state, at: index, owner: identity)) } catch {
                for case .function(let reference) in results { release(reference) }
                throw .invalidValue(message: "result of function: \(error.description)", location: location(of: function))
            }
        }
        return results
    }

    /// Calls the global function at a dotted path such as `evictor.policy`.
    public func call(global path: String, _ arguments: [LuaValue] = []) throws(LuaError) -> [LuaValue] {
        guard case .function(let function) = try global(path, allowFunctions: true) else {
            throw .invalidValue(message: "global '\(path)' is not a function", location: "")
        }
        defer { release(function) }
        return try call(function, arguments)
    }

    /// For host functions doing long work outside Lua (a regular expression on a large text):
    /// whether the running call was cancelled or is past its time limit. Once this is `true`
    /// the host function should give up at once (throw or return anything); the call then
    /// fails with the cancellation or time-limit error at the calling Lua line.
    public var callShouldStop: Bool { evictor_vm_host_should_stop(state) != 0 }

    /// The serial number and cancel handle for the next call, for cancellation from elsewhere.
    public func cancellationHandle() -> LuaCancellationHandle {
        LuaCancellationHandle(control: evictor_vm_control(state), serial: evictor_vm_next_call_serial(state))
    }

    private func callError(status: Int32, function: LuaFunctionReference) -> LuaError {
        let stopLocation = String(cString: evictor_vm_stop_location(state))
        let whereStopped = stopLocation.isEmpty ? location(of: function) : stopLocation
        switch evictor_vm_stop_reason(state) {
        case EVICTOR_STOP_MEMORY:
            return .outOfMemory(limit: limits.memoryBytes, location: whereStopped)
        case EVICTOR_STOP_BUDGET:
            return .budgetExceeded(detail: "instruction budget of \(limits.instructionsPerCall)", location: whereStopped)
        case EVICTOR_STOP_DEADLINE:
            return .budgetExceeded(detail: "time limit of \(limits.secondsPerCall) seconds", location: whereStopped)
        case EVICTOR_STOP_CANCELLED:
            return .cancelled(location: whereStopped)
        default:
            break
        }
        if status == LUA_ERRMEM {
            return .outOfMemory(limit: limits.memoryBytes, location: location(of: function))
        }
        let text =
            lua_type(state, -1) == LUA_TSTRING
            ? String(decoding: LuaStack.readBytes(state, at: -1), as: UTF8.self)
            : "(error object is not a string)"
        return LuaTraceback.split(text)
    }

    /// `file:line` where a function is defined, for messages.
    public func location(of function: LuaFunctionReference) -> String {
        guard function.owner == identity else { return "?" }
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        lua_rawgeti(state, clua_registryindex(), lua_Integer(function.slot))
        guard lua_type(state, -1) == LUA_TFUNCTION else { return "?" }
        var debug = lua_Debug()
        guard lua_getinfo(state, ">S", &debug) != 0 else { return "?" }
        let source = withUnsafeBytes(of: debug.short_src) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return debug.linedefined > 0 ? "\(source):\(debug.linedefined)" : source
    }

    // MARK: - Globals and host functions

    /// Makes `function` callable from Lua as the dotted global `path` (`evictor.log.info`),
    /// creating namespace tables on the way. Returns a reference to the new Lua function.
    @discardableResult
    public func register(function path: String, _ function: @escaping LuaHostFunction) -> LuaFunctionReference {
        precondition(!path.isEmpty, "a host function needs a name")
        let reference = makeFunction(named: path, function)
        // Only an empty path can fail here, and that is excluded above.
        try? setGlobal(path, .function(reference))
        return reference
    }

    /// A Lua function that calls `function`, reachable only through the returned reference (no
    /// global names it): for the engine's private functions, handed to its own Lua chunks as
    /// arguments so plugins can neither see nor replace them. `name` prefixes its errors.
    public func makeFunction(named name: String, _ function: @escaping LuaHostFunction) -> LuaFunctionReference {
        let box = LuaHostFunctionBox(name: name, owner: identity, function: function)
        hostFunctions.append(box)
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        evictor_vm_push_host_function(state, Unmanaged.passUnretained(box).toOpaque())
        return LuaFunctionReference(slot: luaL_ref(state, clua_registryindex()), owner: identity)
    }

    /// Sets the dotted global `path` to a value, creating namespace tables on the way.
    public func setGlobal(_ path: String, _ value: LuaValue) throws(LuaError) {
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        let components = path.split(separator: ".").map(String.init)
        guard let last = components.last else { throw .invalidValue(message: "empty global name", location: "") }
        clua_pushglobaltable(state)
        for component in components.dropLast() {
            LuaStack.pushString(state, component)
            lua_rawget(state, -2)
            if lua_type(state, -1) != LUA_TTABLE {
                clua_pop(state, 1)
                lua_createtable(state, 0, 4)
                LuaStack.pushString(state, component)
                lua_pushvalue(state, -2)
                lua_rawset(state, -4)
            }
            clua_remove(state, -2)
        }
        LuaStack.pushString(state, last)
        try LuaStack.push(state, value, owner: identity)
        lua_rawset(state, -3)
    }

    /// The value of the dotted global `path`, `.nil` when any part is missing.
    public func global(_ path: String, allowFunctions: Bool = true) throws(LuaError) -> LuaValue {
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        clua_pushglobaltable(state)
        for component in path.split(separator: ".") {
            guard lua_type(state, -1) == LUA_TTABLE else { return .nil }
            LuaStack.pushString(state, String(component))
            lua_rawget(state, -2)
            clua_remove(state, -2)
        }
        return try LuaStack.read(state, at: -1, owner: allowFunctions ? identity : nil)
    }

    /// Drops a function reference so Lua can collect the function.
    public func release(_ function: LuaFunctionReference) {
        guard function.owner == identity else { return }
        luaL_unref(state, clua_registryindex(), function.slot)
    }

    // MARK: - Memory

    /// Bytes the VM holds now.
    public var memoryInUse: Int { evictor_vm_memory_used(state) }
    /// Most bytes the VM has held at once.
    public var peakMemory: Int { evictor_vm_memory_peak(state) }

    /// Runs a full garbage collection.
    public func collectGarbage() {
        _ = clua_gc_collect(state)
    }
}

/// Lets another thread stop one particular call of a VM.
public struct LuaCancellationHandle: @unchecked Sendable {
    // The control block outlives every call; the C side only does an atomic store through it.
    fileprivate let control: UnsafeMutableRawPointer?
    fileprivate let serial: UInt64

    /// Asks the call to stop at its next hook check (or not to start).
    public func cancel() {
        guard let control else { return }
        evictor_vm_cancel(control, serial)
    }
}
