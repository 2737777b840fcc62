import CLua
import CLuaShim

/// A Swift function callable from Lua. It receives the arguments as values (functions refused)
/// and returns the results; a thrown error becomes a Lua error at the caller's file:line,
/// catchable by `pcall`.
public typealias LuaHostFunction = ([LuaValue]) throws -> [LuaValue]

/// The error a host function throws to give Lua a plain message.
public struct LuaHostError: Error, Sendable, CustomStringConvertible {
    /// The message Lua sees (after the caller's position).
    public var description: String
    public init(_ message: String) { description = message }
}

/// Keeps a host function alive for the VM's lifetime; its address is the closure's upvalue.
final class LuaHostFunctionBox {
    let name: String
    let owner: UInt64
    let function: LuaHostFunction

    init(name: String, owner: UInt64, function: @escaping LuaHostFunction) {
        self.name = name
        self.owner = owner
        self.function = function
    }

    /// Runs the function for the trampoline: results pushed, or -1 with a message on top.
    func invoke(_ L: OpaquePointer) -> Int32 {
        let count = lua_gettop(L)
        var arguments: [LuaValue] = []
        arguments.reserveCapacity(Int(count))
        for index in stride(from: Int32(1), through: count, by: 1) {
            do {
                arguments.append(try LuaStack.read(L, at: index, owner: nil))
            } catch {
                return fail(L, "bad argument #\(index) to '\(name)' (\(error.description))")
            }
        }
        let results: [LuaValue]
        do {
            results = try function(arguments)
        } catch {
            return fail(L, "\(name): \(error)")
        }
        let base = lua_gettop(L)
        do {
            for value in results { try LuaStack.push(L, value, owner: owner) }
        } catch {
            lua_settop(L, base)
            return fail(L, "\(name) returned a value Lua cannot hold (\(error.description))")
        }
        return Int32(results.count)
    }

    private func fail(_ L: OpaquePointer, _ message: String) -> Int32 {
        LuaStack.pushString(L, message)
        return -1
    }
}

/// The C trampoline's way back into Swift: finds the box and invokes it.
let luaHostDispatch: evictor_host_dispatch = { state, context in
    guard let state, let context else { return 0 }
    let box = Unmanaged<LuaHostFunctionBox>.fromOpaque(context).takeUnretainedValue()
    return box.invoke(state)
}
