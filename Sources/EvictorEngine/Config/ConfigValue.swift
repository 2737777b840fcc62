/// A plugin or policy option as written in the file: a scalar keeps its YAML type (a plain
/// `5` is a number, `"5"` a string), a list holds scalars. The plugin validates it later.
public enum ConfigValue: Sendable, Equatable, Hashable {
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case list([ConfigValue])
}
