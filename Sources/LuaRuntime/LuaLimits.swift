/// Resource limits of one VM: a memory cap for the VM's lifetime, a budget for every call.
public struct LuaLimits: Sendable, Equatable {
    /// Bytes the VM may hold at once; 0 means no cap.
    public var memoryBytes: Int
    /// VM instructions one call may execute (checked every 1,000); 0 means no limit.
    public var instructionsPerCall: UInt64
    /// Wall-clock seconds one call may take; 0 means no limit.
    public var secondsPerCall: Double

    /// Limits suited to policies and plugins: 256 MiB, 1e9 instructions, 30 s per call.
    public init(memoryBytes: Int = 256 << 20, instructionsPerCall: UInt64 = 1_000_000_000, secondsPerCall: Double = 30) {
        self.memoryBytes = memoryBytes
        self.instructionsPerCall = instructionsPerCall
        self.secondsPerCall = secondsPerCall
    }
}
