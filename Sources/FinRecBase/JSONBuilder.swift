/// Where a JSON document is written one token at a time: straight into compact bytes
/// (``CompactJSONWriter``, what the service sends and the audit log keeps) or into a tree
/// (``JSONTreeBuilder``, for the pretty form and for code that reads the document). A document
/// described once against this protocol gives both, with the same keys in the same order.
package protocol JSONBuilder {
    mutating func beginObject()
    mutating func endObject()
    mutating func beginArray()
    mutating func endArray()
    /// The key of the next value, inside an object.
    mutating func key(_ key: String)
    mutating func string(_ s: String)
    /// - Precondition: `x` is finite (JSON has no NaN or infinity).
    mutating func number(_ x: Double)
    mutating func bool(_ b: Bool)
    mutating func null()
}

extension JSONBuilder {
    package mutating func object(_ body: (inout Self) -> Void) {
        beginObject()
        body(&self)
        endObject()
    }

    package mutating func array<S: Sequence>(_ items: S, _ each: (inout Self, S.Element) -> Void) {
        beginArray()
        for item in items { each(&self, item) }
        endArray()
    }

    /// A finite number, or null (as `JSONValue.optional`).
    package mutating func optional(_ x: Double?) {
        if let x, x.isFinite { number(x) } else { null() }
    }

    /// A text, or null.
    package mutating func text(_ s: String?) {
        if let s { string(s) } else { null() }
    }

    /// A whole number, or null.
    package mutating func count(_ n: Int?) {
        if let n { number(Double(n)) } else { null() }
    }

    package mutating func strings(_ list: [String]) {
        array(list) { $0.string($1) }
    }

    /// A value already built as a tree.
    package mutating func value(_ v: JSONValue) {
        switch v {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let x): number(x)
        case .string(let s): string(s)
        case .array(let items): array(items) { $0.value($1) }
        case .object(let object):
            beginObject()
            for member in object.members {
                key(member.key)
                value(member.value)
            }
            endObject()
        }
    }
}

/// Compact JSON (no spaces, as ``JSONValue/compact()`` writes it) appended to a byte buffer.
package struct CompactJSONWriter: JSONBuilder {
    package private(set) var bytes: [UInt8] = []
    /// Whether the next key or value follows another in its container.
    private var comma = false

    package init(capacity: Int = 16_384) { bytes.reserveCapacity(capacity) }

    private mutating func separate() {
        if comma { bytes.append(UInt8(ascii: ",")) }
    }

    package mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); comma = false }
    package mutating func endObject() { bytes.append(UInt8(ascii: "}")); comma = true }
    package mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); comma = false }
    package mutating func endArray() { bytes.append(UInt8(ascii: "]")); comma = true }

    package mutating func key(_ key: String) {
        separate()
        JSONValue.writeString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        comma = false
    }

    package mutating func string(_ s: String) { separate(); JSONValue.writeString(s, to: &bytes); comma = true }
    package mutating func number(_ x: Double) { separate(); bytes.append(contentsOf: JSONValue.format(x).utf8); comma = true }
    package mutating func bool(_ b: Bool) { separate(); bytes.append(contentsOf: (b ? "true" : "false").utf8); comma = true }
    package mutating func null() { separate(); bytes.append(contentsOf: "null".utf8); comma = true }

    /// Adds a line feed (after a whole document, as JSON Lines and the service end it).
    package mutating func newline() { bytes.append(0x0A) }
}

/// The same tokens built into a ``JSONValue``.
package struct JSONTreeBuilder: JSONBuilder {
    private struct Container {
        var isObject: Bool
        var members: [(String, JSONValue)] = []
        var items: [JSONValue] = []
        var key: String?
    }
    private var stack: [Container] = []
    /// The value built, once its outermost container is closed (or its one scalar written).
    package private(set) var result: JSONValue?

    package init() {}

    private mutating func add(_ v: JSONValue) {
        guard !stack.isEmpty else {
            result = v
            return
        }
        if stack[stack.count - 1].isObject {
            guard let key = stack[stack.count - 1].key else { preconditionFailure("a value in an object needs a key first") }
            stack[stack.count - 1].members.append((key, v))
            stack[stack.count - 1].key = nil
        } else {
            stack[stack.count - 1].items.append(v)
        }
    }

    package mutating func beginObject() { stack.append(Container(isObject: true)) }
    package mutating func endObject() {
        let top = stack.removeLast()
        add(.object(JSONObject(top.members)))
    }
    package mutating func beginArray() { stack.append(Container(isObject: false)) }
    package mutating func endArray() {
        let top = stack.removeLast()
        add(.array(top.items))
    }
    package mutating func key(_ key: String) { stack[stack.count - 1].key = key }
    package mutating func string(_ s: String) { add(.string(s)) }
    package mutating func number(_ x: Double) { add(.number(x)) }
    package mutating func bool(_ b: Bool) { add(.bool(b)) }
    package mutating func null() { add(.null) }
}

extension JSONValue {
    /// The tree that `describe` writes.
    package static func build(_ describe: (inout JSONTreeBuilder) -> Void) -> JSONValue {
        var builder = JSONTreeBuilder()
        describe(&builder)
        guard let result = builder.result else { preconditionFailure("nothing was written") }
        return result
    }
}
