/// A value inside a JSON document together with its key path (`features.statistics[6].count`),
/// so that every decoding error of a model, feature spec or catalog file says where it is.
///
/// ```swift
/// let root = JSONField(document)
/// let count = try root["features"]["statistics"].items()[6]["count"].wholeNumber()
/// ```
package struct JSONField: Sendable {
    package let value: JSONValue
    /// Empty at the top of the document.
    package let keyPath: String

    package init(_ value: JSONValue, keyPath: String = "") {
        self.value = value
        self.keyPath = keyPath
    }

    /// The key path as messages show it.
    package var name: String { keyPath.isEmpty ? "(top level)" : keyPath }

    package func error(_ message: String) -> JSONFieldError { JSONFieldError(keyPath: name, message: message) }

    private func child(_ key: String) -> String { keyPath.isEmpty ? key : "\(keyPath).\(key)" }

    private func mismatch(_ expected: String) -> JSONFieldError { error("should be \(expected), is \(value.typeName)") }

    /// The members of an object.
    package func object() throws(JSONFieldError) -> JSONObject {
        guard case .object(let o) = value else { throw mismatch("an object") }
        return o
    }

    /// A member that must be there.
    package func required(_ key: String) throws(JSONFieldError) -> JSONField {
        guard let v = try object()[key] else { throw JSONFieldError(keyPath: child(key), message: "missing") }
        return JSONField(v, keyPath: child(key))
    }

    /// A member that may be absent (nil then).
    package func optional(_ key: String) throws(JSONFieldError) -> JSONField? {
        try object()[key].map { JSONField($0, keyPath: child(key)) }
    }

    /// Fails on the first member whose key is not in `known`.
    package func rejectUnknownKeys(_ known: Set<String>, hint: String? = nil) throws(JSONFieldError) {
        if let unknown = try object().keys.first(where: { !known.contains($0) }) {
            throw JSONFieldError(keyPath: child(unknown), message: hint ?? "unknown field")
        }
    }

    /// The elements of an array, each with its index in the key path.
    package func items() throws(JSONFieldError) -> [JSONField] {
        guard case .array(let a) = value else { throw mismatch("an array") }
        return a.enumerated().map { JSONField($1, keyPath: "\(keyPath)[\($0)]") }
    }

    package func string() throws(JSONFieldError) -> String {
        guard case .string(let s) = value else { throw mismatch("a string") }
        return s
    }

    package func nonEmptyString() throws(JSONFieldError) -> String {
        guard case .string(let s) = value, !s.isEmpty else { throw error("should be a non-empty string, is \(value.summary)") }
        return s
    }

    package func number() throws(JSONFieldError) -> Double {
        guard case .number(let x) = value else { throw mismatch("a number") }
        return x
    }

    package func finiteNumber() throws(JSONFieldError) -> Double {
        let x = try number()
        guard x.isFinite else { throw error("should be a finite number, is \(x)") }
        return x
    }

    /// A whole number in `range`.
    package func wholeNumber(in range: ClosedRange<Int> = 0...Int.max) throws(JSONFieldError) -> Int {
        let x = try number()
        guard let n = Int(exactly: x), range.contains(n) else {
            throw error("should be a whole number from \(range.lowerBound) to \(range.upperBound), is \(value.summary)")
        }
        return n
    }

    package func bool() throws(JSONFieldError) -> Bool {
        guard case .bool(let b) = value else { throw mismatch("true or false") }
        return b
    }

    package var isNull: Bool { value == .null }
}

/// A field of a JSON document that is missing or malformed: its key path and what is wrong.
package struct JSONFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    /// E.g. `features.statistics[6].count`.
    package let keyPath: String
    package let message: String

    package var description: String { "\(keyPath): \(message)" }

    package init(keyPath: String, message: String) {
        self.keyPath = keyPath
        self.message = message
    }

    /// The same error for a document embedded at `prefix` of another (a model's `catalog`).
    package func nested(in prefix: String) -> JSONFieldError {
        JSONFieldError(keyPath: keyPath == "(top level)" ? prefix : "\(prefix).\(keyPath)", message: message)
    }
}

extension JSONValue {
    /// The value as a user would recognise it in a message: strings quoted, numbers as written.
    package var summary: String {
        switch self {
        case .string(let s): "\"\(s)\""
        case .number(let x): x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : x.description
        default: typeName
        }
    }
}
