import Foundation

/// The financing offers FinRec recommends, each with its eligibility rule as named conditions in
/// the expression language and the source of every condition (`Models/catalog.json`).
///
/// A bank changes a threshold or adds an offer by editing that file; conditions whose source could
/// not be confirmed carry `"status": "unconfirmed"`, and every output that cites them says so.
public struct Catalog: Sendable {
    /// `product`: a generic model's product (trained with `finrec train --label`), with no rules.
    public enum Kind: String, Sendable { case loan, board, product }

    /// How a value is shown in a reason: 万元 amounts, percentages, years, counts.
    public enum Unit: String, Sendable { case money, percent, years, count, number }

    /// A named derived value, e.g. `rd_ratio_2y`, usable in every rule (and in features).
    public struct Definition: Sendable {
        public let name: String
        public let chinese: String
        public let english: String
        public let unit: Unit
        public let expression: ParsedExpression
    }

    public struct Condition: Sendable {
        public let id: String
        public let chinese: String
        public let english: String
        public let text: String
        public let expression: ParsedExpression
        public let source: String
        /// The DOMAIN-RULES status tag: OK-news, OK-2nd, OK-code or unconfirmed.
        public let status: String
        public var unconfirmed: Bool { status == "unconfirmed" }
    }

    public indirect enum Rule: Sendable {
        case condition(Condition)
        /// Every child must pass.
        case all(id: String, chinese: String, english: String, [Rule])
        /// At least one child must pass.
        case any(id: String, chinese: String, english: String, [Rule])

        /// Every condition in the rule, depth first.
        public var conditions: [Condition] {
            switch self {
            case .condition(let c): [c]
            case .all(_, _, _, let children), .any(_, _, _, let children): children.flatMap(\.conditions)
            }
        }
    }

    /// Typical size, term and price of a loan, as published.
    public struct Terms: Sendable {
        public let amountChinese: String, amountEnglish: String
        public let termChinese: String, termEnglish: String
        public let rateChinese: String, rateEnglish: String
        public let source: String, status: String
    }

    public struct Offer: Sendable {
        public let id: String
        public let kind: Kind
        public let chineseName: String
        public let englishName: String
        public let description: String
        public let terms: Terms?
        public let rule: Rule

        /// "北交所 (bse)": how every user-facing text names the offer.
        public var displayName: String { "\(chineseName) (\(id))" }
    }

    public static let formatIdentifier = "finrec-catalog"
    public static let formatVersion = 1

    public let definitions: [Definition]
    public let offers: [Offer]
    /// The JSON the catalog was read from, kept so a model file can carry it verbatim.
    public private(set) var source: JSONValue?

    init(definitions: [Definition], offers: [Offer]) {
        self.definitions = definitions
        self.offers = offers
    }

    public func offer(_ id: String) -> Offer? { offers.first { $0.id == id } }

    /// The expression environment of this catalog over `schema`: its definitions and `as_of_date`.
    public func environment(schema: RecordSchema) -> ExpressionEnvironment {
        ExpressionEnvironment(schema: schema, definitions: Dictionary(uniqueKeysWithValues: definitions.map { ($0.name, $0.expression) }))
    }
}

/// Why a catalog file could not be used: the file, the JSON path of the field, what is wrong.
public struct CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let field: String?
    public let message: String

    public var description: String {
        "\(path)\(field.map { ": \($0)" } ?? ""): \(message)"
    }
}

extension Catalog {
    /// Reads and checks the catalog at `path`: JSON syntax, format and version, every field, every
    /// expression (parsed and compiled against `schema`, so a rule naming a missing column fails
    /// here, not at scoring time), unique offer and condition ids.
    public static func read(path: String, schema: RecordSchema = EnterpriseSchema.schema) throws(CatalogError) -> Catalog {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CatalogError(path: path, field: nil, message: "cannot read the catalog (\((error as NSError).localizedFailureReason ?? "\(error)")); check the path")
        }
        return try decode(Array(data), path: path, schema: schema)
    }

    public static func decode(_ bytes: [UInt8], path: String, schema: RecordSchema = EnterpriseSchema.schema) throws(CatalogError) -> Catalog {
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch {
            throw CatalogError(path: path, field: nil, message: "not valid JSON: \(error)")
        }
        return try decode(json, path: path, schema: schema)
    }

    /// Decodes a parsed catalog (a catalog file, or the `catalog` section of a model file).
    public static func decode(_ json: JSONValue, path: String, schema: RecordSchema = EnterpriseSchema.schema) throws(CatalogError) -> Catalog {
        let r = CatalogReader(path: path)
        let root = try r.object(json, "(top level)")
        guard case .string(formatIdentifier)? = root["format"] else {
            throw CatalogError(path: path, field: "format", message: "not a FinRec catalog (expected \"format\": \"\(formatIdentifier)\")")
        }
        guard case .number(Double(formatVersion))? = root["format_version"] else {
            throw CatalogError(path: path, field: "format_version", message: "this FinRec reads catalog format version \(formatVersion)")
        }
        var definitions: [Definition] = []
        for (i, item) in try r.array(root, "definitions", "definitions").enumerated() {
            let field = "definitions[\(i)]"
            let o = try r.object(item, field)
            let name = try r.string(o, "name", field)
            guard schema.index(of: name) == nil, !definitions.contains(where: { $0.name == name }) else {
                throw CatalogError(path: path, field: "\(field).name", message: "'\(name)' is already a column or definition; choose another name")
            }
            let unitText = try r.string(o, "unit", field)
            guard let unit = Unit(rawValue: unitText) else {
                throw CatalogError(path: path, field: "\(field).unit", message: "unknown unit '\(unitText)'; use money, percent, years, count or number")
            }
            definitions.append(Definition(name: name, chinese: try r.string(o, "zh", field), english: try r.string(o, "en", field),
                                          unit: unit, expression: try r.expression(o, field)))
        }
        var offers: [Offer] = []
        for (i, item) in try r.array(root, "offers", "offers").enumerated() {
            let field = "offers[\(i)]"
            let o = try r.object(item, field)
            let id = try r.string(o, "id", field)
            guard !offers.contains(where: { $0.id == id }) else {
                throw CatalogError(path: path, field: "\(field).id", message: "offer id '\(id)' appears twice")
            }
            let kindText = try r.string(o, "kind", field)
            guard let kind = Kind(rawValue: kindText) else {
                throw CatalogError(path: path, field: "\(field).kind", message: "kind must be loan, board or product, not '\(kindText)'")
            }
            var terms: Terms?
            if let t = o["typical"] {
                let tf = "\(field).typical"
                let to = try r.object(t, tf)
                terms = Terms(amountChinese: try r.string(to, "amount_zh", tf), amountEnglish: try r.string(to, "amount_en", tf),
                              termChinese: try r.string(to, "term_zh", tf), termEnglish: try r.string(to, "term_en", tf),
                              rateChinese: try r.string(to, "rate_zh", tf), rateEnglish: try r.string(to, "rate_en", tf),
                              source: try r.string(to, "source", tf), status: try r.string(to, "status", tf))
            }
            guard let ruleJSON = o["rule"] else { throw CatalogError(path: path, field: "\(field).rule", message: "missing; every offer needs a rule") }
            let rule = try r.rule(ruleJSON, "\(field).rule")
            var seen = Set<String>()
            for c in rule.conditions where !seen.insert(c.id).inserted {
                throw CatalogError(path: path, field: "\(field).rule", message: "condition id '\(c.id)' appears twice in offer '\(id)'")
            }
            offers.append(Offer(id: id, kind: kind, chineseName: try r.string(o, "name_zh", field), englishName: try r.string(o, "name_en", field),
                                description: try r.string(o, "description", field), terms: terms, rule: rule))
        }
        var catalog = Catalog(definitions: definitions, offers: offers)
        catalog.source = json
        // Compile every condition now, so a catalog that names an unknown column fails on load.
        let environment = catalog.environment(schema: schema)
        for (i, offer) in offers.enumerated() {
            for c in offer.rule.conditions {
                do { _ = try CompiledExpression(c.expression, in: environment, boolean: true) } catch {
                    throw CatalogError(path: path, field: "offers[\(i)] (\(offer.id)) condition \(c.id)", message: "\(c.text): \(error)")
                }
            }
        }
        for d in definitions {
            do { _ = try CompiledExpression(d.expression, in: environment, boolean: false) } catch {
                throw CatalogError(path: path, field: "definition \(d.name)", message: "\(error)")
            }
        }
        return catalog
    }
}

private struct CatalogReader {
    let path: String

    func fail(_ field: String, _ message: String) -> CatalogError { CatalogError(path: path, field: field, message: message) }

    func object(_ v: JSONValue, _ field: String) throws(CatalogError) -> JSONObject {
        guard case .object(let o) = v else { throw fail(field, "should be an object, is \(v.typeName)") }
        return o
    }

    func array(_ o: JSONObject, _ key: String, _ field: String) throws(CatalogError) -> [JSONValue] {
        guard let v = o[key] else { throw fail(field, "missing") }
        guard case .array(let items) = v else { throw fail(field, "should be an array, is \(v.typeName)") }
        return items
    }

    func string(_ o: JSONObject, _ key: String, _ parent: String) throws(CatalogError) -> String {
        guard let v = o[key] else { throw fail("\(parent).\(key)", "missing") }
        guard case .string(let s) = v, !s.isEmpty else { throw fail("\(parent).\(key)", "should be a non-empty string") }
        return s
    }

    func expression(_ o: JSONObject, _ parent: String) throws(CatalogError) -> ParsedExpression {
        let text = try string(o, "expr", parent)
        do { return try ExpressionParser.parse(text) } catch {
            throw fail("\(parent).expr", "\"\(text)\": \(error)")
        }
    }

    func rule(_ v: JSONValue, _ field: String) throws(CatalogError) -> Catalog.Rule {
        let o = try object(v, field)
        let id = try string(o, "id", field)
        let zh = try string(o, "zh", field), en = try string(o, "en", field)
        let kinds = ["expr", "all", "any"].filter { o[$0] != nil }
        guard kinds.count == 1 else { throw fail(field, "needs exactly one of \"expr\", \"all\" or \"any\"") }
        switch kinds[0] {
        case "expr":
            let status = try string(o, "status", field)
            guard ["OK-news", "OK-2nd", "OK-code", "unconfirmed"].contains(status) else {
                throw fail("\(field).status", "'\(status)' is not a DOMAIN-RULES status (OK-news, OK-2nd, OK-code, unconfirmed)")
            }
            return .condition(Catalog.Condition(id: id, chinese: zh, english: en, text: try string(o, "expr", field),
                                                expression: try expression(o, field), source: try string(o, "source", field), status: status))
        default:
            let key = kinds[0]
            let children = try array(o, key, "\(field).\(key)").enumerated().map { (i, child) throws(CatalogError) in
                try rule(child, "\(field).\(key)[\(i)]")
            }
            guard !children.isEmpty else { throw fail("\(field).\(key)", "is empty") }
            return key == "all" ? .all(id: id, chinese: zh, english: en, children) : .any(id: id, chinese: zh, english: en, children)
        }
    }
}

extension Catalog {
    /// The catalog of a generic model: one offer of kind `product` per label column, each open to
    /// every row (a condition that always holds), named after its column.
    public static func generic(products: [String], schema: RecordSchema) throws(CatalogError) -> Catalog {
        let offers: [JSONValue] = products.map { id in
            .object(JSONObject([
                ("id", .string(id)), ("kind", .string("product")), ("name_zh", .string(id)), ("name_en", .string(id)),
                ("description", .string("Generic product trained from the label column \(id).")),
                ("rule", .object(JSONObject([
                    ("id", .string("always")), ("zh", .string("无准入条件")), ("en", .string("no eligibility conditions")),
                    ("expr", .string("1 == 1")), ("source", .string("generic model: no eligibility rules")), ("status", .string("OK-code")),
                ]))),
            ]))
        }
        let document = JSONValue.object(JSONObject([
            ("format", .string(formatIdentifier)), ("format_version", .number(Double(formatVersion))),
            ("description", .string("Generic model: no eligibility rules.")), ("definitions", .array([])), ("offers", .array(offers)),
        ]))
        return try decode(Array(document.prettyPrinted().utf8), path: "(generic catalog)", schema: schema)
    }
}
