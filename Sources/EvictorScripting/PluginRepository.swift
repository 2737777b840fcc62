import Foundation
import LuaRuntime

/// A shared plugin repository: a plugin directory (usually a git checkout) with `sources/`,
/// `policies/`, `fixers/`, `lib/` and tests beside each plugin, and a manifest,
/// `evictor-plugins.yaml`:
///
/// ```yaml
/// name: acme            # its modules are require("acme.NAME") (lib/NAME.lua)
/// version: 1.4.0
/// api: 1                # the Evictor plugin API it needs
/// description: ACME's retention rules
/// ```
///
/// Its `lib/` modules are reachable only by its name, so two repositories with a module of the
/// same name cannot shadow each other. A repository needing a newer API than this Evictor
/// provides is refused when one of its plugins loads, in one line.
public struct PluginRepository: Sendable, Equatable {
    /// The manifest's file name.
    public static let manifestName = "evictor-plugins.yaml"

    public var directory: String
    public var name: String
    public var version: String
    public var api: Int
    public var description: String

    /// The repository `directory` holds, or nil when it has no manifest.
    public static func load(directory: String) throws(ScriptingError) -> PluginRepository? {
        let file = URL(fileURLWithPath: directory).appendingPathComponent(manifestName).path
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        guard let data = FileManager.default.contents(atPath: file) else { throw .invalidSpec(file: file, reason: "cannot read it") }
        let document: LuaValue
        do {
            document = try YAMLDocument.decode(String(decoding: data, as: UTF8.self), maxDepth: 8)
        } catch {
            throw .invalidSpec(file: file, reason: "\(error)")
        }
        guard case .table(let fields) = document else { throw .invalidSpec(file: file, reason: "expected a mapping (name, version, api)") }
        let known: Set<String> = ["name", "version", "api", "description"]
        if let unknown = fields.entries.keys.compactMap(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw .invalidSpec(file: file, reason: "unknown key '\(unknown)' (name, version, api, description)")
        }
        guard let name = fields["name"].stringValue, PluginOption.isSnakeCase(name), name != "lib" else {
            throw .invalidSpec(file: file, reason: "name: expected a lower-case name such as acme (letters, digits, _; not lib)")
        }
        var api = 1
        if fields["api"] != .nil {
            guard case .integer(let value) = fields["api"], value >= 1 else {
                throw .invalidSpec(file: file, reason: "api: expected an integer of 1 or more")
            }
            api = Int(value)
        }
        for key in ["version", "description"] where fields[key] != .nil && fields[key].stringValue == nil {
            throw .invalidSpec(file: file, reason: "\(key): expected a string")
        }
        return PluginRepository(
            directory: directory, name: name, version: fields["version"].stringValue ?? "", api: api,
            description: fields["description"].stringValue ?? "")
    }

    /// Refused when it needs a newer plugin API than this Evictor's.
    func checkAPI() throws(ScriptingError) {
        guard api <= PluginAPI.version else {
            throw .invalidSpec(
                file: URL(fileURLWithPath: directory).appendingPathComponent(Self.manifestName).path,
                reason: "repository \(name) needs plugin API \(api); this evictor provides API \(PluginAPI.version) (upgrade evictor)")
        }
    }
}

/// The plugin API this Evictor provides. A plugin (`api = N` in its spec) or a plugin
/// repository (`api: N` in its manifest) needing a newer one is refused when it loads.
public enum PluginAPI {
    public static let version = 1
}
