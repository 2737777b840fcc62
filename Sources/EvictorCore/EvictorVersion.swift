/// Evictor's version, printed by `evictor --version` and recorded in plans and reports.
public enum EvictorVersion {
    public static let current = "0.1.0"
}
