package import FinRecBase
package import FinRecRecords
import FinRecLinear
package import FinRecFeatures
import FoundationEssentials

/// The financing offers FinRec recommends, each with its eligibility rule as named conditions in
/// the expression language and the source of every condition (`Models/catalog.json`).
///
/// A bank changes a threshold or adds an offer by editing that file; conditions whose source could
/// not be confirmed carry `"status": "unconfirmed"`, and every output that cites them says so.
public struct Catalog: Sendable {
    /// A list the officer sees (贷款产品, 上市路径, 资质升级 …): offers of the kinds that share it are
    /// ranked together, and lists are shown by `order`.
    public struct OfferList: Sendable, Hashable {
        /// The key the outputs use (`loans`, `listing`, `tiers`): `list` in the score JSON and CSV.
        public let id: String
        public let chinese: String
        public let english: String
        /// Lists are shown lowest first.
        public let order: Int

        package func title(_ language: Language) -> String { language == .zh ? chinese : english }
    }

    /// What an offer is (the catalog's `kinds`): a loan, a listing board, an MIIT tier upgrade, a
    /// generic model's product … with the list it is shown in, whether it is modelled and whether
    /// `finrec rank --best` keeps a best offer of it.
    public struct OfferKind: Sendable, Equatable {
        /// What an offer's `"kind"` names (`loan`, `board`, `tier`, `product`).
        public let id: String
        public let list: OfferList
        /// Whether its offers carry a learned probability: `finrec train` fits a model from their
        /// `label_<id>` columns. False for rules-only kinds (the tiers): their label columns are
        /// not read.
        package let probability: Bool
        /// The column prefix of `finrec rank --best`'s best offer among this kind's offers
        /// (`best_loan`: `best_loan_id`, `best_loan_status` …); kinds with the same prefix share
        /// one best offer. Nil: no best offer, and its offers are not counted in
        /// `eligible_offers`/`unknown_offers`.
        package let best: String?
    }

    /// The kinds of a catalog that declares none (every catalog and model file written before kinds
    /// were data): loans and generic products in 贷款产品, boards in 上市路径, tiers (rules only) in
    /// 资质升级.
    package static let defaultKinds: [OfferKind] = {
        let loans = OfferList(id: "loans", chinese: "贷款产品", english: "Loans", order: 1)
        let listing = OfferList(id: "listing", chinese: "上市路径", english: "Listing paths", order: 2)
        let tiers = OfferList(id: "tiers", chinese: "资质升级", english: "Tier upgrades", order: 3)
        return [OfferKind(id: "loan", list: loans, probability: true, best: "best_loan"),
                OfferKind(id: "board", list: listing, probability: true, best: "best_listing"),
                OfferKind(id: "tier", list: tiers, probability: false, best: nil),
                OfferKind(id: "product", list: loans, probability: true, best: "best_loan")]
    }()

    /// How a value is shown in a reason: 万元 amounts, percentages, years, counts.
    package enum Unit: String, Sendable { case money, percent, years, count, number }

    /// A named derived value, e.g. `rd_ratio_2y`, usable in every rule (and in features).
    package struct Definition: Sendable {
        package let name: String
        public let chinese: String
        public let english: String
        package let unit: Unit
        package let expression: ParsedExpression
        /// Whether the officer's key figures show it (`"show": false` for a helper such as an SME
        /// size limit, whose value alone means little; its conditions still print it).
        package var shown = true
    }

    package struct Condition: Sendable {
        public let id: String
        public let chinese: String
        public let english: String
        package let text: String
        package let expression: ParsedExpression
        package let source: String
        /// How well the rule is sourced: OK-news, OK-2nd, OK-code or unconfirmed.
        package let status: String
        package var unconfirmed: Bool { status == "unconfirmed" }
        /// When the condition fails, the offer is not ruled out but left to a person (a rule that
        /// says "in principle not supported", with exceptions): the condition is undecided.
        package let review: Bool
        /// A qualitative requirement no field records (e.g. 科创板 standard 5's approvals): always
        /// undecided, for a person to judge.
        package let manual: Bool
        /// When the condition fails, the offer stays open but carries a warning (a certificate that
        /// expires within the loan's term).
        package var warn = false
        /// A condition the enterprise cannot change (which rules apply on the assessment date): a
        /// way through it that fails is no way to pass.
        package var fixed = false
        /// One of the offer's `applies` conditions (always fixed): when it fails, the offer does not
        /// apply to the enterprise at all (a bridge loan without a maturing loan, a board for a firm
        /// already listed, a renewal before the certificate is due); it is listed as 不适用, not as
        /// an offer the firm misses.
        package var applicability = false

        /// What every text from an unconfirmed condition ends with.
        package static func unconfirmedMark(_ language: Language) -> String {
            language == .zh ? "【规则来源待核实】" : " [rule source unconfirmed]"
        }

        /// `text` with ``unconfirmedMark(_:)`` added when the condition is unconfirmed.
        func marked(_ text: String, _ language: Language) -> String {
            unconfirmed ? text + Self.unconfirmedMark(language) : text
        }
    }

    /// One step before an offer (股改, quotation, the innovation tier, months quoted, a lower tier).
    package struct PathStep: Sendable {
        public let id: String
        public let chinese: String
        public let english: String
        /// Holds when the step is done.
        package let done: ParsedExpression
        /// The offer whose rule takes the enterprise through this step, if any.
        package let offer: String?
        /// For a waiting step (`field >= N` months): the field that counts the months so far.
        package let monthsField: String?
    }

    package indirect enum Rule: Sendable {
        case condition(Condition)
        /// Every child must pass.
        case all(id: String, chinese: String, english: String, [Rule])
        /// At least one child must pass.
        case any(id: String, chinese: String, english: String, [Rule])

        /// Every condition in the rule, depth first.
        package var conditions: [Condition] {
            switch self {
            case .condition(let c): [c]
            case .all(_, _, _, let children), .any(_, _, _, let children): children.flatMap(\.conditions)
            }
        }
    }

    /// Typical size, term and price of a loan, as published.
    package struct Terms: Sendable {
        package let amountChinese: String, amountEnglish: String
        package let termChinese: String, termEnglish: String
        package let rateChinese: String, rateEnglish: String
        package let source: String, status: String
    }

    /// An offer is read once with its catalog and then only read: a class, so that the rankings,
    /// assessments and documents that name it share it instead of copying its twenty-odd fields.
    public final class Offer: Sendable {
        public let id: String
        public let kind: OfferKind
        public let chineseName: String
        public let englishName: String
        package let description: String
        package let terms: Terms?
        package let rule: Rule
        /// The steps before the offer, in order (empty for most loans).
        package let path: [PathStep]
        /// Holds when the enterprise already has the offer (a tier, a quotation): it is then not offered.
        package let held: ParsedExpression?
        /// What the loan costs (loans and supply-chain finance); nil for offers without a price.
        package let price: Price?
        /// What the policy gives (policy offers); nil for the others.
        package let benefit: Benefit?

        init(id: String, kind: OfferKind, chineseName: String, englishName: String, description: String, terms: Terms?, rule: Rule,
             path: [PathStep] = [], held: ParsedExpression? = nil, price: Price? = nil, benefit: Benefit? = nil) {
            self.id = id
            self.kind = kind
            self.chineseName = chineseName
            self.englishName = englishName
            self.description = description
            self.terms = terms
            self.rule = rule
            self.path = path
            self.held = held
            self.price = price
            self.benefit = benefit
        }

        /// "北交所 (bse)": how every user-facing text names the offer.
        public var displayName: String { "\(chineseName) (\(id))" }
    }

    package static let formatIdentifier = "finrec-catalog"
    package static let formatVersion = 1

    package let definitions: [Definition]
    /// The declared kinds (``defaultKinds`` when the catalog declares none), in declaration order.
    package let kinds: [OfferKind]
    package let offers: [Offer]
    /// The JSON the catalog was read from, kept so a model file can carry it verbatim.
    package private(set) var source: JSONValue?
    /// The LPR table, oldest first (empty: no loan has a price).
    package private(set) var lprTable: [LPRQuote] = []
    /// Amounts of the policies paid by city (listing rewards …).
    package private(set) var cityAmounts: [CityAmount] = []
    /// How subsidies of one sort on one loan are chosen between.
    package private(set) var stacking: Stacking?

    init(definitions: [Definition], kinds: [OfferKind] = Catalog.defaultKinds, offers: [Offer]) {
        self.definitions = definitions
        self.kinds = kinds
        self.offers = offers
    }

    /// The lists of the kinds, in the order they are shown.
    package var lists: [OfferList] {
        var seen = Set<String>()
        return kinds.map(\.list).filter { seen.insert($0.id).inserted }.sorted { $0.order < $1.order }
    }

    /// The list `id`, nil when no kind is shown in it.
    package func list(_ id: String) -> OfferList? { kinds.first { $0.list.id == id }?.list }

    /// The column prefixes of `finrec rank --best`, by list order then declaration order.
    package var bestColumns: [String] {
        var seen = Set<String>()
        let ordered = kinds.enumerated().sorted { ($0.element.list.order, $0.offset) < ($1.element.list.order, $1.offset) }
        return ordered.compactMap(\.element.best).filter { seen.insert($0).inserted }
    }

    package func offer(_ id: String) -> Offer? { offers.first { $0.id == id } }

    /// The expression environment of this catalog over `schema`: its definitions and `as_of_date`.
    package func environment(schema: RecordSchema) -> ExpressionEnvironment {
        ExpressionEnvironment(schema: schema, definitions: Dictionary(uniqueKeysWithValues: definitions.map { ($0.name, $0.expression) }))
    }
}

extension Catalog {
    /// Reads and checks the catalog at `path`: JSON syntax, format and version, every field, every
    /// expression (parsed and compiled against `schema`, so a rule naming a missing column fails
    /// here, not at scoring time), unique offer and condition ids.
    package static func read(path: String, schema: RecordSchema = EnterpriseSchema.schema) throws(CatalogError) -> Catalog {
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path) } catch {
            throw CatalogError(path: path, field: nil, message: "cannot read the catalog (\(error.reason)); check the path")
        }
        return try decode(bytes, path: path, schema: schema)
    }

    package static func decode(_ bytes: [UInt8], path: String, schema: RecordSchema = EnterpriseSchema.schema) throws(CatalogError) -> Catalog {
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch {
            throw CatalogError(path: path, field: nil, message: "not valid JSON: \(error)")
        }
        return try decode(json, path: path, schema: schema)
    }

    /// Decodes a parsed catalog (a catalog file, or the `catalog` section of a model file).
    package static func decode(_ json: JSONValue, path: String, schema: RecordSchema = EnterpriseSchema.schema) throws(CatalogError) -> Catalog {
        do {
            return try decodeFields(JSONField(json), schema: schema)
        } catch {
            throw CatalogError(path: path, field: error.keyPath, message: error.message)
        }
    }

    private static func decodeFields(_ root: JSONField, schema: RecordSchema) throws(JSONFieldError) -> Catalog {
        let format = try root.required("format")
        guard case .string(formatIdentifier) = format.value else {
            throw format.error("not a FinRec catalog (expected \"format\": \"\(formatIdentifier)\")")
        }
        let version = try root.required("format_version")
        guard case .number(Double(formatVersion)) = version.value else { throw version.error("this FinRec reads catalog format version \(formatVersion)") }
        var definitions: [Definition] = []
        for o in try root.required("definitions").items() {
            let nameField = try o.required("name")
            let name = try nameField.nonEmptyString()
            guard schema.index(of: name) == nil, !definitions.contains(where: { $0.name == name }) else {
                throw nameField.error("'\(name)' is already a column or definition; choose another name")
            }
            let unitField = try o.required("unit")
            guard let unit = Unit(rawValue: try unitField.string()) else {
                throw unitField.error("unknown unit \(unitField.value.summary); use money, percent, years, count or number")
            }
            var definition = Definition(name: name, chinese: try o.required("zh").nonEmptyString(), english: try o.required("en").nonEmptyString(),
                                        unit: unit, expression: try expression(o))
            definition.shown = try o.optional("show")?.bool() ?? true
            definitions.append(definition)
        }
        let kinds = try Self.kinds(root)
        var offers: [Offer] = []
        for o in try root.required("offers").items() {
            let idField = try o.required("id")
            let id = try idField.nonEmptyString()
            guard !offers.contains(where: { $0.id == id }) else { throw idField.error("offer id '\(id)' appears twice") }
            let kindField = try o.required("kind")
            let kindName = try kindField.string()
            guard let kind = kinds.first(where: { $0.id == kindName }) else {
                throw kindField.error("offer '\(id)' names kind '\(kindName)', which the catalog does not declare; the kinds are "
                                      + kinds.map(\.id).joined(separator: ", ") + " (add it to \"kinds\" or use one of them)")
            }
            var terms: Terms?
            if let t = try o.optional("typical") {
                func text(_ key: String) throws(JSONFieldError) -> String { try t.required(key).nonEmptyString() }
                terms = Terms(amountChinese: try text("amount_zh"), amountEnglish: try text("amount_en"),
                              termChinese: try text("term_zh"), termEnglish: try text("term_en"),
                              rateChinese: try text("rate_zh"), rateEnglish: try text("rate_en"),
                              source: try text("source"), status: try text("status"))
            }
            let ruleField = try o.required("rule")
            var rule = try Self.rule(ruleField)
            // `applies`: conditions for the offer to concern the enterprise at all. They go first
            // in the rule (as fixed conditions), so every evaluation, gap and export sees them.
            if let applies = try o.optional("applies") {
                let conditions = try applies.items().map { (item) throws(JSONFieldError) -> Catalog.Rule in
                    guard case .condition(var c) = try Self.rule(item), !c.manual else {
                        throw item.error("an \"applies\" entry is one condition with \"expr\"")
                    }
                    guard !c.review, !c.warn else { throw item.error("an \"applies\" condition decides alone; leave \"on_fail\" out") }
                    c.fixed = true
                    c.applicability = true
                    return .condition(c)
                }
                guard !conditions.isEmpty else { throw applies.error("is empty; leave it out when the offer concerns every enterprise") }
                switch rule {
                case .all(let rid, let zh, let en, let children): rule = .all(id: rid, chinese: zh, english: en, conditions + children)
                default: rule = .all(id: "rule", chinese: "准入条件", english: "eligibility", conditions + [rule])
                }
            }
            var seen = Set<String>()
            for c in rule.conditions where !seen.insert(c.id).inserted {
                throw ruleField.error("condition id '\(c.id)' appears twice in offer '\(id)'")
            }
            let chineseName = try o.required("name_zh").nonEmptyString(), englishName = try o.required("name_en").nonEmptyString()
            let description = try o.required("description").nonEmptyString()
            var price: Price?
            if let field = try o.optional("price") {
                guard kind.probability else { throw field.error("offer '\(id)' is of kind '\(kind.id)', which has no probability: a price belongs to a loan or a financing offer") }
                price = try Self.price(field)
            }
            var benefit: Benefit?
            if let field = try o.optional("benefit") {
                guard !kind.probability else { throw field.error("offer '\(id)' is of kind '\(kind.id)', which is modelled: a benefit belongs to a rules-only policy offer") }
                benefit = try Self.benefit(field)
            }
            var held: ParsedExpression?
            if let field = try o.optional("held") {
                let text = try field.nonEmptyString()
                do { held = try ExpressionParser.parse(text) } catch { throw field.error("\"\(text)\": \(error)") }
            }
            var path: [PathStep] = []
            if let field = try o.optional("path") {
                path = try field.items().map { (step) throws(JSONFieldError) in
                    try step.rejectUnknownKeys(["id", "zh", "en", "done", "offer", "months"])
                    let done = try step.required("done")
                    let text = try done.nonEmptyString()
                    let parsed: ParsedExpression
                    do { parsed = try ExpressionParser.parse(text) } catch { throw done.error("\"\(text)\": \(error)") }
                    return PathStep(id: try step.required("id").nonEmptyString(), chinese: try step.required("zh").nonEmptyString(),
                                    english: try step.required("en").nonEmptyString(), done: parsed,
                                    offer: try step.optional("offer")?.nonEmptyString(), monthsField: try step.optional("months")?.nonEmptyString())
                }
            }
            let offer = Offer(id: id, kind: kind, chineseName: chineseName, englishName: englishName, description: description, terms: terms,
                              rule: rule, path: path, held: held, price: price, benefit: benefit)
            offers.append(offer)
        }
        for (i, offer) in offers.enumerated() {
            for (j, step) in offer.path.enumerated() {
                if let target = step.offer, !offers.contains(where: { $0.id == target }) {
                    throw JSONFieldError(keyPath: "offers[\(i)].path[\(j)].offer", message: "'\(target)' is not an offer of this catalog")
                }
                if let field = step.monthsField, schema.index(of: field) == nil {
                    throw JSONFieldError(keyPath: "offers[\(i)].path[\(j)].months", message: "'\(field)' is not a field")
                }
            }
        }
        let lprTable = try Self.lprTable(root), cityAmounts = try Self.cityAmounts(root)
        try checkPrices(offers, lprTable: lprTable, cityAmounts: cityAmounts, schema: schema)
        var catalog = Catalog(definitions: definitions, kinds: kinds, offers: offers)
        catalog.source = root.value
        catalog.lprTable = lprTable
        catalog.cityAmounts = cityAmounts
        catalog.stacking = try Self.stacking(root)
        // Compile every condition now, so a catalog that names an unknown column fails on load.
        let environment = catalog.environment(schema: schema)
        for (i, offer) in offers.enumerated() {
            for c in offer.rule.conditions {
                do { _ = try CompiledExpression(c.expression, in: environment, boolean: true) } catch {
                    throw JSONFieldError(keyPath: "offers[\(i)] (\(offer.id)) condition \(c.id)", message: "\(c.text): \(error)")
                }
            }
            if let held = offer.held {
                do { _ = try CompiledExpression(held, in: environment, boolean: true) } catch {
                    throw JSONFieldError(keyPath: "offers[\(i)].held", message: "\(error)")
                }
            }
            for (j, spread) in (offer.price?.spreads ?? []).enumerated() {
                guard let when = spread.when else { continue }
                do { _ = try CompiledExpression(when, in: environment, boolean: true) } catch {
                    throw JSONFieldError(keyPath: "offers[\(i)].price.spreads[\(j)].when", message: "\(error)")
                }
            }
            for (j, step) in offer.path.enumerated() {
                do { _ = try CompiledExpression(step.done, in: environment, boolean: true) } catch {
                    throw JSONFieldError(keyPath: "offers[\(i)].path[\(j)].done", message: "\(error)")
                }
            }
        }
        for (i, d) in definitions.enumerated() {
            do { _ = try CompiledExpression(d.expression, in: environment, boolean: false) } catch {
                throw JSONFieldError(keyPath: "definitions[\(i)].expr", message: "\(d.name): \(error)")
            }
        }
        return catalog
    }

    /// The catalog's `"kinds"`, or ``defaultKinds`` when it has none: unique ids, both titles,
    /// one title pair and order per list, distinct orders for distinct lists, a best offer only
    /// for a kind with a probability.
    private static func kinds(_ root: JSONField) throws(JSONFieldError) -> [OfferKind] {
        guard let field = try root.optional("kinds") else { return defaultKinds }
        var kinds: [OfferKind] = []
        for k in try field.items() {
            try k.rejectUnknownKeys(["id", "list", "list_zh", "list_en", "order", "probability", "best"])
            let idField = try k.required("id")
            let id = try idField.nonEmptyString()
            guard !kinds.contains(where: { $0.id == id }) else { throw idField.error("kind id '\(id)' appears twice") }
            let orderField = try k.required("order")
            guard case .number(let order) = orderField.value, order == order.rounded(), abs(order) < 1e9 else {
                throw orderField.error("should be a whole number (lists are shown lowest first), not \(orderField.value.summary)")
            }
            let listField = try k.required("list")
            let list = OfferList(id: try listField.nonEmptyString(), chinese: try k.required("list_zh").nonEmptyString(),
                                 english: try k.required("list_en").nonEmptyString(), order: Int(order))
            for other in kinds {
                if other.list.id == list.id, other.list != list {
                    throw listField.error("list '\(list.id)' is also the list of kind '\(other.id)' with other titles or order; give both the same \"list_zh\", \"list_en\" and \"order\"")
                }
                if other.list.id != list.id, other.list.order == list.order {
                    throw orderField.error("order \(list.order) is also the order of list '\(other.list.id)'; give each list its own order")
                }
            }
            let probability = try k.required("probability").bool()
            var best: String?
            if let bestField = try k.optional("best") {
                let prefix = try bestField.nonEmptyString()
                guard prefix.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }) else {
                    throw bestField.error("'\(prefix)' is a column prefix: use lower-case letters, digits and _")
                }
                guard probability else { throw bestField.error("a best offer is chosen by probability; a kind with \"probability\": false has none (leave \"best\" out)") }
                best = prefix
            }
            kinds.append(OfferKind(id: id, list: list, probability: probability, best: best))
        }
        guard !kinds.isEmpty else { throw field.error("is empty; declare every kind the offers name, or leave \"kinds\" out for the default ones") }
        return kinds
    }

    /// The statuses a condition's source may have: confirmed by the published rule or news of it,
    /// by a secondary source, by the code of the rule, or not confirmed.
    static let conditionStatuses = ["OK-news", "OK-2nd", "OK-code", "unconfirmed"]

    private static func expression(_ o: JSONField) throws(JSONFieldError) -> ParsedExpression {
        let field = try o.required("expr")
        let text = try field.nonEmptyString()
        do { return try ExpressionParser.parse(text) } catch { throw field.error("\"\(text)\": \(error)") }
    }

    private static func rule(_ o: JSONField) throws(JSONFieldError) -> Catalog.Rule {
        let id = try o.required("id").nonEmptyString()
        let zh = try o.required("zh").nonEmptyString(), en = try o.required("en").nonEmptyString()
        let members = try o.object()
        let kinds = ["expr", "manual", "all", "any"].filter { members[$0] != nil }
        guard kinds.count == 1 else { throw o.error("needs exactly one of \"expr\", \"manual\", \"all\" or \"any\"") }
        switch kinds[0] {
        case "expr", "manual":
            let statusField = try o.required("status")
            let status = try statusField.string()
            guard conditionStatuses.contains(status) else {
                throw statusField.error("'\(status)' is not a rule status (\(conditionStatuses.joined(separator: ", ")))")
            }
            var review = false, warn = false
            if let onFail = try o.optional("on_fail") {
                switch try onFail.string() {
                case "review": review = true
                case "warn": warn = true
                default: throw onFail.error("should be \"review\" (a failure leaves the offer to a person) or \"warn\" (the offer stays open with a warning)")
                }
            }
            let source = try o.required("source").nonEmptyString()
            let fixed = try o.optional("fixed")?.bool() ?? false
            if kinds[0] == "manual" {
                // No field decides it: a condition that never holds, left to a person.
                guard try o.required("manual").bool() else { throw try o.required("manual").error("should be true (or leave it out and give \"expr\")") }
                guard !review else { throw try o.required("on_fail").error("a manual condition is always left to a person; leave \"on_fail\" out") }
                return .condition(Catalog.Condition(id: id, chinese: zh, english: en, text: "manual", expression: .binary(.greater, .number(0), .number(1)),
                                                    source: source, status: status, review: true, manual: true))
            }
            var condition = Catalog.Condition(id: id, chinese: zh, english: en, text: try o.required("expr").nonEmptyString(),
                                              expression: try expression(o), source: source, status: status, review: review, manual: false)
            condition.fixed = fixed
            condition.warn = warn
            return .condition(condition)
        default:
            let list = try o.required(kinds[0])
            let children = try list.items().map { (child) throws(JSONFieldError) in try rule(child) }
            guard !children.isEmpty else { throw list.error("is empty") }
            return kinds[0] == "all" ? .all(id: id, chinese: zh, english: en, children) : .any(id: id, chinese: zh, english: en, children)
        }
    }
}

extension Catalog {
    /// The catalog of a generic model: one offer of kind `product` per label column, each open to
    /// every row (a condition that always holds), named after its column.
    package static func generic(products: [String], schema: RecordSchema) throws(CatalogError) -> Catalog {
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
        return try decode(document, path: "(generic catalog)", schema: schema)
    }
}
