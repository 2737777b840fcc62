// libyaml itself, as Yams bundles it: Yams has no public event API, and only events give the
// nesting of a document before anything recursive touches it. CYaml is a target of the Yams
// package without a product of its own, so Package.swift cannot name it: it comes with the
// declared Yams product. A Yams release that renames it fails this import at build time (and
// the hostile-YAML tests in EvictorScriptingTests cover what it guards); Debian's libyaml as a
// system library instead would link a second copy of the same symbols beside Yams's.
import CYaml
import Foundation
import LuaRuntime
import Yams

/// `evictor.yaml.decode`: a YAML document as a Lua value, safe on hostile documents.
///
/// `Yams.load` is not: its composer recurses once per nesting level (`[[[[...` a few thousand
/// deep overflows the thread's stack, and libyaml slows down quadratically with depth), its
/// constructor expands every alias anew (a "billion laughs" document of a few hundred bytes
/// takes hours and gigabytes), and it stops the process on a mapping key that is not a
/// scalar (`{[a]: b}`). So the nesting is measured first with libyaml's iterative event
/// parser, and the composed nodes are converted here, with a budget on alias expansion.
public enum YAMLDocument {
    /// Decodes one document: mappings become tables with string keys (`<<` merge keys
    /// applied), sequences become lists, scalars take their YAML type (null becomes nil).
    static func decode(_ text: String, maxDepth: Int) throws -> LuaValue {
        try checkNesting(text, maxDepth: maxDepth)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw LuaHostError("invalid YAML: \(String(describing: error).split(separator: "\n").first ?? "")")
        } catch {
            throw LuaHostError("invalid YAML")
        }
        guard let root else { return .nil }
        // Without aliases a document has fewer values than bytes; aliases may repeat a few.
        var budget = 4 * text.utf8.count + 10_000
        return try value(of: root, depth: 0, maxDepth: maxDepth, budget: &budget)
    }

    /// Refuses a document nested deeper than `maxDepth` collections before Yams composes it.
    /// A document libyaml cannot parse passes: composing it reports the error. Public for
    /// other readers of hostile YAML (the config file) that compose with Yams themselves.
    public static func checkNesting(_ text: String, maxDepth: Int) throws {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw LuaHostError("cannot start the YAML parser") }
        defer { yaml_parser_delete(&parser) }
        try bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var depth = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    depth += 1
                    if depth > maxDepth { throw LuaHostError("document nested deeper than \(maxDepth) levels") }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                case YAML_STREAM_END_EVENT:
                    return
                default:
                    break
                }
            }
        }
    }

    private static func value(of node: Node, depth: Int, maxDepth: Int, budget: inout Int) throws -> LuaValue {
        guard depth < maxDepth else { throw LuaHostError("document nested deeper than \(maxDepth) levels") }
        try spend(&budget)
        switch node {
        case .scalar:
            return scalar(Constructor.default.any(from: node))
        case .sequence(let sequence):
            var items: [LuaValue] = []
            items.reserveCapacity(sequence.count)
            for element in sequence { items.append(try value(of: element, depth: depth + 1, maxDepth: maxDepth, budget: &budget)) }
            return .table(LuaTable(array: items))
        case .mapping(let mapping):
            var table = LuaTable()
            for (key, element) in try pairs(of: mapping, depth: depth, maxDepth: maxDepth, budget: &budget) {
                table[key] = try value(of: element, depth: depth + 1, maxDepth: maxDepth, budget: &budget)
            }
            return .table(table)
        }
    }

    /// A mapping's pairs with its `<<` merge keys applied as Yams does: merged mappings first
    /// (of a list, the first wins), the mapping's own keys last (they win over merged ones).
    private static func pairs(of mapping: Node.Mapping, depth: Int, maxDepth: Int, budget: inout Int) throws -> [(String, Node)] {
        guard depth < maxDepth else { throw LuaHostError("document nested deeper than \(maxDepth) levels") }
        var merged: [(String, Node)] = []
        var own: [(String, Node)] = []
        for (key, element) in mapping {
            try spend(&budget)
            if key.tag.description == Tag.Name.merge.rawValue {
                switch element {
                case .mapping(let inner):
                    merged += try pairs(of: inner, depth: depth + 1, maxDepth: maxDepth, budget: &budget)
                case .sequence(let list):
                    for case .mapping(let inner) in list.reversed() {
                        merged += try pairs(of: inner, depth: depth + 1, maxDepth: maxDepth, budget: &budget)
                    }
                default:
                    break
                }
            } else {
                guard case .scalar(let scalar) = key else {
                    throw LuaHostError("mapping keys must be scalars (a \(key.isMapping ? "mapping" : "sequence") is used as a key)")
                }
                own.append((scalar.string, element))
            }
        }
        return merged + own
    }

    private static func spend(_ budget: inout Int) throws {
        budget -= 1
        guard budget >= 0 else { throw LuaHostError("document expands to too many values (aliases repeat more than the text holds)") }
    }

    /// A scalar as Yams' default constructor types it.
    private static func scalar(_ value: Any) -> LuaValue {
        switch value {
        case is NSNull: .nil
        case let flag as Bool: .boolean(flag)
        case let integer as Int: .integer(Int64(integer))
        case let double as Double: .number(double)
        case let string as String: .string(LuaString(string))
        default: .string(LuaString("\(value)"))
        }
    }
}

extension Node {
    fileprivate var isMapping: Bool {
        if case .mapping = self { return true }
        return false
    }
}
