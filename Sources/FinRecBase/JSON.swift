/// A JSON value as FinRec reads and writes it: objects keep their key order, numbers are
/// `Double` parsed with correct rounding, and every parse error names a line and column.
///
/// FinRec uses its own small parser rather than Foundation's `JSONDecoder` because the
/// latter reports only "The given data was not valid JSON" for a syntax error, while a
/// user with a broken model or applicant file needs to know where it broke.
package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// A short name of the value's type, for error messages.
    package var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON object whose members keep the order they were read or built in.
package struct JSONObject: Sendable, Equatable {
    package private(set) var members: [(key: String, value: JSONValue)] = []

    package init(_ members: [(String, JSONValue)] = []) {
        // As `self[k] = v` for each in turn (a repeated key keeps its first place and its last
        // value). A key is searched for only when a 64-bit filter of its length and end bytes
        // says it may have been seen: the usual object of distinct keys is built in one pass.
        var seen: UInt64 = 0
        self.members.reserveCapacity(members.count)
        for (k, v) in members {
            let bit = Self.filterBit(k)
            if seen & bit != 0, let i = self.members.firstIndex(where: { $0.key == k }) {
                self.members[i].value = v
            } else {
                seen |= bit
                self.members.append((k, v))
            }
        }
    }

    /// Members whose keys are known to be distinct (the parser has checked them).
    init(distinct members: [(key: String, value: JSONValue)]) { self.members = members }

    /// One of 64 bits, from a key's length and end bytes: two keys with different bits differ,
    /// so a set of bits filters out most searches for a key not seen.
    static func filterBit(_ key: String) -> UInt64 {
        let utf8 = key.utf8
        return UInt64(1) << UInt64((utf8.count &* 31 &+ Int(utf8.first ?? 0) &* 7 &+ Int(utf8.last ?? 0)) & 63)
    }

    package var keys: [String] { members.map(\.key) }

    package subscript(key: String) -> JSONValue? {
        get { members.first(where: { $0.key == key })?.value }
        set {
            if let i = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    package static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

/// A JSON syntax error at a 1-based line and column (columns count Unicode scalars).
package struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    package let line: Int
    package let column: Int
    package let message: String
    package var description: String { "line \(line), column \(column): \(message)" }
}

// MARK: - Parsing

extension JSONValue {
    /// The deepest nesting of arrays and objects accepted; deeper input is refused,
    /// not parsed, so hostile files cannot exhaust the stack.
    package static let maximumDepth = 256

    /// Parses one JSON document (RFC 8259) from UTF-8 bytes. A leading UTF-8 byte-order
    /// mark is skipped. Duplicate object keys, numbers out of Double's range and
    /// trailing content are errors.
    package static func parse(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) -> JSONValue in
            var parser = JSONParser(bytes: buffer)
            parser.skipByteOrderMark()
            parser.skipWhitespace()
            let value = try parser.parseValue(depth: 0)
            parser.skipWhitespace()
            if !parser.atEnd { throw parser.error("unexpected content after the JSON value") }
            return value
        }
    }

    package static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }

    mutating func skipByteOrderMark() {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// The 1-based line and column of byte offset `offset`.
    func position(of offset: Int) -> (line: Int, column: Int) {
        var line = 1, lineStart = 0
        let end = min(offset, bytes.count)
        for i in 0..<end where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        // Count scalars, not bytes: continuation bytes (10xxxxxx) do not start a column.
        var column = 1
        for i in lineStart..<end where bytes[i] & 0xC0 != 0x80 { column += 1 }
        return (line, column)
    }

    func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        let (line, column) = position(of: offset ?? index)
        return JSONSyntaxError(line: line, column: column, message: message)
    }

    func describeByte(at i: Int) -> String {
        guard i < bytes.count else { return "the end of the file" }
        let b = bytes[i]
        if b >= 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x\(String(b, radix: 16, uppercase: true))"
    }

    mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard index < bytes.count else {
            throw error("the file ends where a value was expected (is it truncated?)")
        }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("expected a JSON value, found \(describeByte(at: index))")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let start = index
        let utf8 = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for expected in utf8 {
            guard index < bytes.count else {
                throw error("the file ends inside '\(literal)' (is it truncated?)", at: start)
            }
            guard bytes[index] == expected else { throw error("expected a JSON value", at: start) }
            index += 1
        }
    }

    mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        if depth > JSONValue.maximumDepth {
            throw error("nesting is deeper than \(JSONValue.maximumDepth) levels; FinRec refuses such files")
        }
        index += 1  // {
        // Members in order; a repeated name is searched for only when the filter of the names
        // seen says it may be one (two linear searches per member made parsing quadratic).
        var members: [(key: String, value: JSONValue)] = []
        var seen: UInt64 = 0
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(JSONObject())
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw error("the file ends inside an object (is it truncated?)") }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a member name in double quotes, found \(describeByte(at: index))")
            }
            let keyStart = index
            let key = try parseString()
            let bit = JSONObject.filterBit(key)
            if seen & bit != 0, members.contains(where: { $0.key == key }) { throw error("duplicate member name \"\(key)\"", at: keyStart) }
            seen |= bit
            skipWhitespace()
            guard index < bytes.count else { throw error("the file ends inside an object (is it truncated?)") }
            guard bytes[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after member name \"\(key)\", found \(describeByte(at: index))")
            }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            members.append((key, value))
            skipWhitespace()
            guard index < bytes.count else { throw error("the file ends inside an object (is it truncated?)") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(JSONObject(distinct: members))
            default: throw error("expected ',' or '}' in an object, found \(describeByte(at: index))")
            }
        }
    }

    mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        if depth > JSONValue.maximumDepth {
            throw error("nesting is deeper than \(JSONValue.maximumDepth) levels; FinRec refuses such files")
        }
        index += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw error("the file ends inside an array (is it truncated?)") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(items)
            default: throw error("expected ',' or ']' in an array, found \(describeByte(at: index))")
            }
        }
    }

    mutating func parseNumber() throws(JSONSyntaxError) -> Double {
        let start = index
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else {
            throw error("a number needs a digit after '-'", at: start)
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw error("numbers may not have leading zeros", at: start)
            }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("a number needs digits after the decimal point", at: start)
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("a number needs digits in its exponent", at: start)
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw error("number \(text) is outside the range of a 64-bit float", at: start)
        }
        return value
    }

    mutating func parseString() throws(JSONSyntaxError) -> String {
        let start = index
        index += 1  // opening quote
        // Most strings hold no escape: one scan to the closing quote and one UTF-8 check.
        var end = index
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 { end += 1 }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            guard let text = UTF8Validation.validUTF8String(UnsafeBufferPointer(rebasing: bytes[index..<end])) else {
                throw error("a string holds bytes that are not UTF-8; save the file as UTF-8", at: index)
            }
            index = end + 1
            return text
        }
        var scalars = String.UnicodeScalarView()
        var runStart = index
        func flushRun(_ parser: JSONParser, upTo end: Int, into scalars: inout String.UnicodeScalarView) throws(JSONSyntaxError) {
            guard end > runStart else { return }
            let run = UnsafeBufferPointer(rebasing: parser.bytes[runStart..<end])
            guard let text = String(validating: run, as: UTF8.self) else {
                throw parser.error("a string holds bytes that are not UTF-8; save the file as UTF-8", at: runStart)
            }
            scalars.append(contentsOf: text.unicodeScalars)
        }
        while true {
            guard index < bytes.count else { throw error("the file ends inside a string (is it truncated?)", at: start) }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                try flushRun(self, upTo: index, into: &scalars)
                index += 1
                return String(scalars)
            } else if b == UInt8(ascii: "\\") {
                try flushRun(self, upTo: index, into: &scalars)
                index += 1
                guard index < bytes.count else { throw error("the file ends inside a string (is it truncated?)", at: start) }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"): scalars.append(try parseUnicodeEscape())
                default: throw error("unknown escape '\\\(describeByte(at: index - 1))' in a string", at: index - 2)
                }
                runStart = index
            } else if b < 0x20 {
                throw error("a control character (byte 0x\(String(b, radix: 16))) must be escaped inside a string")
            } else {
                index += 1
            }
        }
    }

    mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("the file ends inside a \\u escape (is it truncated?)") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("a \\u escape needs four hexadecimal digits")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    mutating func parseUnicodeEscape() throws(JSONSyntaxError) -> Unicode.Scalar {
        let escapeStart = index - 2
        let first = try parseHex4()
        if (0xD800...0xDBFF).contains(first) {
            guard index + 2 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw error("a high surrogate \\u escape must be followed by a low surrogate", at: escapeStart)
            }
            index += 2
            let second = try parseHex4()
            guard (0xDC00...0xDFFF).contains(second) else {
                throw error("a high surrogate \\u escape must be followed by a low surrogate", at: escapeStart)
            }
            return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
        }
        guard let scalar = Unicode.Scalar(first) else {
            throw error("a lone low surrogate \\u escape is not a character", at: escapeStart)
        }
        return scalar
    }
}

// MARK: - Writing

extension JSONValue {
    /// Pretty-printed JSON with two-space indentation; arrays of numbers, strings and
    /// booleans stay on one line so weight vectors read as rows. Numbers are written in
    /// Swift's shortest round-trip form, so parsing the text gives back the same bits.
    /// - Precondition: every number is finite (JSON has no NaN or infinity).
    package func prettyPrinted() -> String {
        var out: [UInt8] = []
        out.reserveCapacity(4_096)
        write(to: &out, indent: 0)
        out.append(0x0A)
        return String(decoding: out, as: UTF8.self)
    }

    /// JSON on one line, without spaces (for JSON Lines).
    /// - Precondition: every number is finite.
    package func compact() -> String {
        var out: [UInt8] = []
        out.reserveCapacity(16_384)
        writeCompact(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    // The writers append UTF-8 bytes: a string is copied whole unless it holds a byte to escape.

    private func writeCompact(to out: inout [UInt8]) {
        switch self {
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.writeCompact(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (i, member) in object.members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.writeCompact(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        default:
            write(to: &out, indent: 0)
        }
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    private static func spaces(_ n: Int, to out: inout [UInt8]) {
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: n))
    }

    private func write(to out: inout [UInt8], indent: Int) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let x): out.append(contentsOf: Self.format(x).utf8)
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let items):
            if items.isEmpty {
                out.append(contentsOf: "[]".utf8)
            } else if items.allSatisfy(\.isScalar) {
                out.append(UInt8(ascii: "["))
                for (i, item) in items.enumerated() {
                    if i > 0 { out.append(contentsOf: ", ".utf8) }
                    item.write(to: &out, indent: indent)
                }
                out.append(UInt8(ascii: "]"))
            } else {
                out.append(contentsOf: "[\n".utf8)
                for (i, item) in items.enumerated() {
                    Self.spaces(indent + 2, to: &out)
                    item.write(to: &out, indent: indent + 2)
                    out.append(contentsOf: (i + 1 < items.count ? ",\n" : "\n").utf8)
                }
                Self.spaces(indent, to: &out)
                out.append(UInt8(ascii: "]"))
            }
        case .object(let object):
            if object.members.isEmpty {
                out.append(contentsOf: "{}".utf8)
                return
            }
            out.append(contentsOf: "{\n".utf8)
            for (i, member) in object.members.enumerated() {
                Self.spaces(indent + 2, to: &out)
                Self.writeString(member.key, to: &out)
                out.append(contentsOf: ": ".utf8)
                member.value.write(to: &out, indent: indent + 2)
                out.append(contentsOf: (i + 1 < object.members.count ? ",\n" : "\n").utf8)
            }
            Self.spaces(indent, to: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Shortest text that parses back to exactly `x`.
    static func format(_ x: Double) -> String {
        precondition(x.isFinite, "JSON cannot hold the non-finite number \(x)")
        return whole(x).map { String($0) } ?? x.description
    }

    /// `x` when it prints as a whole number: whole numbers below 10^15 in magnitude print
    /// without a fraction ("3", not "3.0"); -0 keeps its sign ("-0.0") and so is not one.
    @inline(__always)
    static func whole(_ x: Double) -> Int64? {
        x == x.rounded() && abs(x) < 1e15 && !(x == 0 && x.sign == .minus) ? Int64(x) : nil
    }

    /// Whether any byte is a control character, a quote or a backslash, eight bytes at a time.
    @inline(__always)
    static func needsEscape(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        ByteScan.contains(bytes, marked: { v in
            ByteScan.lanes(v, below: 0x20) | ByteScan.lanes(v, equalTo: 0x22) | ByteScan.lanes(v, equalTo: 0x5C)
        }, test: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C })
    }

    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        // Contiguous UTF-8: one scan and one copy for the usual string with nothing to escape.
        let clean = s.withUTF8 { bytes in
            guard !needsEscape(bytes) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if !clean {
            for byte in s.utf8 {
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
                case 0x0A: out.append(contentsOf: "\\n".utf8)
                case 0x0D: out.append(contentsOf: "\\r".utf8)
                case 0x09: out.append(contentsOf: "\\t".utf8)
                case let c where c < 0x20:
                    let hex = String(c, radix: 16)
                    out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
