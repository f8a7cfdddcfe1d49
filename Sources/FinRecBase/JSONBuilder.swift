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
///
/// The buffer is plain memory grown by doubling: a token is a capacity check and a copy, with no
/// array uniqueness check, and a whole number is written as digits without a `String`. Copies of
/// a writer share its buffer: write through one (`inout`, as the builder's functions do).
/// On the 61.5 KB score document of one applicant: 199–218 µs against 227–268 µs through an
/// `[UInt8]` (finrec-bench assess, the two builds alternately), the same bytes.
package struct CompactJSONWriter: JSONBuilder {
    /// The memory the tokens go to; freed with the writer.
    private final class Buffer {
        var start: UnsafeMutablePointer<UInt8>
        var count = 0
        var capacity: Int

        init(capacity: Int) {
            self.capacity = max(capacity, 64)
            start = .allocate(capacity: self.capacity)
        }

        deinit { start.deallocate() }

        /// Room for `n` more bytes.
        @inline(__always) func reserve(_ n: Int) {
            if count + n > capacity { grow(count + n) }
        }

        private func grow(_ needed: Int) {
            var larger = capacity * 2
            while larger < needed { larger *= 2 }
            let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
            moved.update(from: start, count: count)
            start.deallocate()
            start = moved
            capacity = larger
        }

        @inline(__always) func append(_ byte: UInt8) {
            reserve(1)
            start[count] = byte
            count += 1
        }

        @inline(__always) func append(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
            reserve(bytes.count)
            (start + count).update(from: base, count: bytes.count)
            count += bytes.count
        }

        /// `s` as a JSON string: its bytes copied at once when nothing needs escaping.
        func appendString(_ s: String) {
            var s = s
            let clean = s.withUTF8 { bytes -> Bool in
                guard !JSONValue.needsEscape(bytes) else { return false }
                reserve(bytes.count + 2)
                start[count] = UInt8(ascii: "\"")
                count += 1
                append(bytes)
                start[count] = UInt8(ascii: "\"")
                count += 1
                return true
            }
            if !clean {
                var escaped: [UInt8] = []
                JSONValue.writeString(s, to: &escaped)
                escaped.withUnsafeBufferPointer { append($0) }
            }
        }

        /// A whole number below 10^15 in magnitude, as `String(Int64(x))` writes it.
        func appendWhole(_ n: Int64) {
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes, more than 16 digits and a sign
            withUnsafeMutableBytes(of: &digits) { raw in
                var magnitude = n.magnitude, end = raw.count, at = end
                repeat {
                    at -= 1
                    raw[at] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    magnitude /= 10
                } while magnitude > 0
                if n < 0 { at -= 1; raw[at] = UInt8(ascii: "-") }
                append(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + at, count: end - at))
            }
        }
    }

    private let buffer: Buffer
    /// Whether the next key or value follows another in its container.
    private var comma = false

    package init(capacity: Int = 16_384) { buffer = Buffer(capacity: capacity) }

    /// The document so far.
    package var bytes: [UInt8] { Array(UnsafeBufferPointer(start: buffer.start, count: buffer.count)) }

    @inline(__always) private func separate() {
        if comma { buffer.append(UInt8(ascii: ",")) }
    }

    package mutating func beginObject() { separate(); buffer.append(UInt8(ascii: "{")); comma = false }
    package mutating func endObject() { buffer.append(UInt8(ascii: "}")); comma = true }
    package mutating func beginArray() { separate(); buffer.append(UInt8(ascii: "[")); comma = false }
    package mutating func endArray() { buffer.append(UInt8(ascii: "]")); comma = true }

    package mutating func key(_ key: String) {
        separate()
        buffer.appendString(key)
        buffer.append(UInt8(ascii: ":"))
        comma = false
    }

    package mutating func string(_ s: String) { separate(); buffer.appendString(s); comma = true }

    package mutating func number(_ x: Double) {
        separate()
        // The text of JSONValue.format, whole numbers without a String.
        if let n = JSONValue.whole(x) {
            buffer.appendWhole(n)
        } else {
            var text = JSONValue.format(x)
            text.withUTF8 { buffer.append($0) }
        }
        comma = true
    }

    package mutating func bool(_ b: Bool) { separate(); literal(b ? "true" : "false"); comma = true }
    package mutating func null() { separate(); literal("null"); comma = true }

    @inline(__always) private func literal(_ text: StaticString) {
        buffer.append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Adds a line feed (after a whole document, as JSON Lines and the service end it).
    package mutating func newline() { buffer.append(0x0A) }
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
