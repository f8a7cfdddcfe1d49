package import FinRecBase
/// What kind of value a field holds, with its unit and allowed range. This is the one place the
/// readers, the docs (DATASET.md, `finrec schema`) and the tests take field definitions from.
package enum FieldKind: Sendable, Equatable {
    /// The unified social credit code (统一社会信用代码), check character validated.
    case creditCode
    /// Free text of at most `maxLength` characters.
    case text(maxLength: Int)
    /// One of a closed set of values; stored as the value's index.
    case category([CategoryValue])
    /// A whole number in `range`.
    case integer(ClosedRange<Double>)
    /// A decimal number in `range`, in `unit`.
    case number(ClosedRange<Double>, unit: String)
    /// A fraction in `range` (0.12 = 12%); a cell may also say "12%".
    case ratio(ClosedRange<Double>)
    /// Yes or no: 1/0, true/false, yes/no, y/n, 是/否; stored as 1 or 0.
    case flag
    /// A calendar date, YYYY-MM-DD or YYYY/MM/DD; stored as days since 1970-01-01.
    case date

    /// True when the value is stored in a numeric column (all kinds but text and credit code).
    package var isNumeric: Bool {
        switch self {
        case .creditCode, .text: false
        default: true
        }
    }

    /// How a user should write a value of this kind, for messages and docs.
    package var expectedForm: String {
        switch self {
        case .creditCode: return "an 18-character unified social credit code, e.g. 91370100MA3C5YQ12X"
        case .text(let n): return "text of at most \(n) characters"
        case .category(let values): return "one of " + values.map { "\($0.code) (\($0.chinese))" }.joined(separator: ", ")
        case .integer(let r): return "a whole number from \(Self.format(r.lowerBound)) to \(Self.format(r.upperBound))"
        case .number(let r, let unit):
            let upper = r.upperBound.isInfinite ? "" : " to \(Self.format(r.upperBound))"
            let lower = r.lowerBound.isInfinite ? "any number" : "a number from \(Self.format(r.lowerBound))"
            return r.lowerBound.isInfinite && r.upperBound.isInfinite
                ? "a number in \(unit), e.g. 1234.5 (no thousands separators or units)"
                : "\(lower)\(upper) in \(unit), e.g. 1234.5 (no thousands separators or units)"
        case .ratio(let r): return "a fraction from \(Self.format(r.lowerBound)) to \(Self.format(r.upperBound)), e.g. 0.12 or 12%"
        case .flag: return "1 or 0 (also true/false, yes/no, 是/否)"
        case .date: return "a date written YYYY-MM-DD, e.g. 2027-06-30"
        }
    }

    /// A short type name for the docs.
    package var typeName: String {
        switch self {
        case .creditCode: "credit code"
        case .text: "text"
        case .category: "category"
        case .integer: "integer"
        case .number: "number"
        case .ratio: "ratio"
        case .flag: "flag"
        case .date: "date"
        }
    }

    static func format(_ x: Double) -> String {
        if x.isInfinite { return x < 0 ? "−∞" : "∞" }
        return x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
    }
}

/// One value of a category field: a stable English code, its Chinese name, and other spellings
/// a file may use.
package struct CategoryValue: Sendable, Equatable {
    package let code: String
    package let chinese: String
    package let aliases: [String]

    package init(_ code: String, _ chinese: String, aliases: [String] = []) {
        self.code = code
        self.chinese = chinese
        self.aliases = aliases
    }

    /// Every spelling a file may use (code, Chinese name, aliases), normalised as the readers
    /// compare them (``RecordSchema/normalise(_:)``), each once, in that order.
    package var normalisedSpellings: [String] {
        var out: [String] = []
        for s in [code, chinese] + aliases where !out.contains(RecordSchema.normalise(s)) { out.append(RecordSchema.normalise(s)) }
        return out
    }
}

/// One field of a record: its English snake_case name, Chinese name, other header spellings,
/// kind, and meaning.
package struct FieldSpec: Sendable, Equatable {
    package let name: String
    package let chineseName: String
    package let aliases: [String]
    package let kind: FieldKind
    package let required: Bool
    package let summary: String
    /// When the enterprise can change the value, which is what a gap on it can promise
    /// (``EligibilityGap``): now, only with its next annual accounts, or not at all.
    package var change = Change.now

    /// When an enterprise can change a field's value.
    package enum Change: String, Sendable, Equatable {
        /// By its own steps today: hire, file a patent, raise its market value, convert (股改).
        case now
        /// Only with its next annual accounts: a figure of a closed fiscal year (revenue_y1 …)
        /// and the fiscal year itself.
        case withAccounts = "accounts"
        /// Not by the enterprise, at least not soon: its industry, a dishonesty listing, an accident on record.
        case notByEnterprise = "fixed"
    }

    package init(_ name: String, _ chineseName: String, _ kind: FieldKind, required: Bool = false,
                aliases: [String] = [], _ summary: String) {
        self.name = name
        self.chineseName = chineseName
        self.aliases = aliases
        self.kind = kind
        self.required = required
        self.summary = summary
    }

    /// The same field with `change` set.
    package func changing(_ change: Change) -> FieldSpec {
        var copy = self
        copy.change = change
        return copy
    }

    /// "revenue_y1 (营业收入（最近一年）)": how messages name the field.
    package var displayName: String { "\(name) (\(chineseName))" }

    /// How reasons name the field: "营业收入（最近一年）（revenue_y1）" in Chinese, the column name in English.
    package func label(_ language: Language) -> String { language == .zh ? "\(chineseName)（\(name)）" : name }
}

/// A list of fields with header lookup by English name, Chinese name or alias, and the
/// cross-field checks that a record must pass.
package struct RecordSchema: Sendable {
    package let name: String
    package let fields: [FieldSpec]
    /// Checks on a whole row (e.g. R&D staff ≤ employees); each returns a problem or nil.
    package let rowChecks: [RowCheck]
    /// Column name of the record id, if any (used to detect duplicates and to label outputs).
    package let idField: String?
    /// Indexes of the required fields.
    package let requiredFields: [Int]
    /// For each row check, the indexes of the fields it reads.
    let rowCheckFields: [[Int]]
    private let lookup: [String: Int]
    private let byName: [String: Int]
    /// Each field's cell decoder, made once with the schema (a category's spellings table costs
    /// more to build than a one-applicant request costs to decode).
    package let decoders: [CellDecoder]

    package init(name: String, fields: [FieldSpec], rowChecks: [RowCheck] = [], idField: String? = nil) {
        self.name = name
        self.fields = fields
        self.rowChecks = rowChecks
        self.idField = idField
        var lookup: [String: Int] = [:]
        for (i, f) in fields.enumerated() {
            for spelling in [f.name, f.chineseName] + f.aliases {
                let key = Self.normalise(spelling)
                precondition(lookup[key] == nil || lookup[key] == i, "schema \(name): header spelling '\(spelling)' is used twice")
                lookup[key] = i
            }
        }
        self.lookup = lookup
        self.byName = Dictionary(uniqueKeysWithValues: fields.enumerated().map { ($1.name, $0) })
        self.decoders = fields.map(CellDecoder.init)
        self.requiredFields = fields.indices.filter { fields[$0].required }
        self.rowCheckFields = rowChecks.map { check in
            check.fields.map { name in
                guard let i = fields.firstIndex(where: { $0.name == name }) else {
                    preconditionFailure("schema \(name): row check '\(check.summary)' reads unknown field \(name)")
                }
                return i
            }
        }
    }

    /// The index of the field a header cell names, or nil for an unknown column. Matching ignores
    /// ASCII case, white space, and full-width versus half-width brackets.
    package func fieldIndex(forHeader header: String) -> Int? {
        lookup[Self.normalise(header)]
    }

    package func index(of name: String) -> Int? {
        byName[name]
    }

    package static func normalise(_ s: String) -> String {
        // Most spellings are already normal (lower-case codes, Chinese names): no byte that could
        // start a change (a space, a tab, an upper-case letter, or the lead byte of U+3000 or of a
        // full-width parenthesis) means the string is returned as it is.
        var copy = s
        let unchanged = copy.withUTF8 { bytes in
            !bytes.contains { $0 == 0x20 || $0 == 0x09 || (0x41...0x5A).contains($0) || $0 == 0xE3 || $0 == 0xEF }
        }
        if unchanged { return s }
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            switch scalar {
            case " ", "\t", "\u{3000}": continue
            case "（": out.append("(")
            case "）": out.append(")")
            case "A"..."Z": out.append(Unicode.Scalar(scalar.value + 32)!)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// A schema of plain numeric columns, as a model's ready-made features or a generic CSV.
    package static func numeric(_ names: [String], required: Bool = true, idField: String? = "id") -> RecordSchema {
        var fields = names.map { FieldSpec($0, $0, .number(-Double.infinity...Double.infinity, unit: "model units"), required: required, $0) }
        if let idField, !names.contains(idField) {
            fields.insert(FieldSpec(idField, "编号", .text(maxLength: 256), aliases: ["enterprise_id"], "row id"), at: 0)
        }
        return RecordSchema(name: "numeric", fields: fields, idField: idField)
    }
}

/// A check on a whole row: it names the fields it reads and gets their values (nil when
/// missing) in that order; it returns the field at fault and what is wrong, or nil.
package struct RowCheck: Sendable {
    package let summary: String
    package let fields: [String]
    package let check: @Sendable (RowValues) -> (field: String, message: String)?

    package init(_ summary: String, fields: [String],
                _ check: @escaping @Sendable (RowValues) -> (field: String, message: String)?) {
        self.summary = summary
        self.fields = fields
        self.check = check
    }
}

/// The values of a ``RowCheck``'s fields in the row being checked, in the order the check
/// named them; nil when missing.
package struct RowValues {
    let values: UnsafeBufferPointer<Double?>
    package subscript(_ position: Int) -> Double? { values[position] }
}
