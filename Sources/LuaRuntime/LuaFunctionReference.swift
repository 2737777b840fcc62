/// A handle to a Lua function kept alive in one VM's registry.
///
/// It is only meaningful to the `LuaEngine`/`LuaVM` that made it; release it with
/// `release(_:)` when done. Passing it to another VM is refused.
public struct LuaFunctionReference: Sendable, Hashable {
    /// The registry slot (`luaL_ref`).
    public let slot: Int32
    /// The identity of the VM that owns the slot.
    public let owner: UInt64
}
