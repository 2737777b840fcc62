/// What is wrong with a config file: one line, the file first, then the key path
/// (`registries[0].policies[1].options.keep`) and what is wrong there.
public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file cannot be read.
    case unreadable(file: String, reason: String)
    /// Not YAML, or YAML evictor refuses (too deep, too many aliases).
    case invalidYAML(file: String, reason: String)
    /// `version` is missing or not one this evictor reads.
    case unsupportedVersion(file: String, found: String)
    /// A key the schema does not have at that place.
    case unknownKey(file: String, path: String)
    /// A required key is absent.
    case missingKey(file: String, path: String)
    /// A value of the wrong kind: `expected a number, got "five"`.
    case wrongType(file: String, path: String, expected: String, got: String)
    /// `${VAR}` without a default, and VAR is not set.
    case missingVariable(file: String, path: String, variable: String)
    /// A `$` sequence that is not `$$`, `${VAR}` or `${VAR:-default}`.
    case badInterpolation(file: String, path: String, reason: String)
    /// A value of the right kind that is still wrong (a cron expression, a duration, a range).
    case invalidValue(file: String, path: String, reason: String)
    /// A name that must be unique is used twice.
    case duplicateName(file: String, path: String, name: String)
    /// Keys that exclude each other are given together (two credential kinds).
    case conflictingKeys(file: String, path: String, keys: [String])
    /// A password written into the file instead of `${VAR}` or an environment variable's name.
    case inlineSecret(file: String, path: String)
    /// A REGISTRY argument that is neither a registry's name in the file nor a host or URL.
    case unknownRegistry(file: String, name: String, known: [String])

    /// The file the error is about.
    public var file: String {
        switch self {
        case .unreadable(let file, _), .invalidYAML(let file, _), .unsupportedVersion(let file, _), .unknownKey(let file, _),
            .missingKey(let file, _), .wrongType(let file, _, _, _), .missingVariable(let file, _, _), .badInterpolation(let file, _, _),
            .invalidValue(let file, _, _), .duplicateName(let file, _, _), .conflictingKeys(let file, _, _), .inlineSecret(let file, _),
            .unknownRegistry(let file, _, _):
            return file
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read the config file: \(reason)"
        case .invalidYAML(let file, let reason):
            return "\(file): invalid YAML: \(reason)"
        case .unsupportedVersion(let file, let found):
            return "\(file): version: expected 1, got \(found)"
        case .unknownKey(let file, let path):
            return "\(file): \(path): unknown key"
        case .missingKey(let file, let path):
            return "\(file): \(path): missing (required)"
        case .wrongType(let file, let path, let expected, let got):
            return "\(file): \(path): expected \(expected), got \(got)"
        case .missingVariable(let file, let path, let variable):
            return "\(file): \(path): environment variable \(variable) is not set (write ${\(variable):-default} to give a default)"
        case .badInterpolation(let file, let path, let reason):
            return "\(file): \(path): \(reason)"
        case .invalidValue(let file, let path, let reason):
            return "\(file): \(path): \(reason)"
        case .duplicateName(let file, let path, let name):
            return "\(file): \(path): duplicate name \"\(name)\""
        case .conflictingKeys(let file, let path, let keys):
            return "\(file): \(path): give only one of \(keys.joined(separator: ", "))"
        case .inlineSecret(let file, let path):
            return "\(file): \(path): no secrets in the config file: write ${VARIABLE}\(path.hasSuffix("password") ? " or use password_env" : "")"
        case .unknownRegistry(let file, let name, let known):
            let names = known.isEmpty ? "none" : known.joined(separator: ", ")
            return "\(file): no registry named \"\(name)\" (registries: \(names)); a host or URL needs a dot, a colon or ://"
        }
    }
}
