package import FinRecBase
import FinRecRecords
package import FinRecFeatures
package import FinRecCatalog
import FinRecModel
package import FinRecInference

/// A plan file (`finrec plan --plan PLAN.json`): the province's programmes, each choosing a number
/// of firms from the pool under city quotas, and the targets the whole pool is measured against.
///
/// ```json
/// {"format": "finrec-plan", "format_version": 1, "max_programmes_per_firm": 1,
///  "programmes": [{"id": "reserve_pool", "name_zh": "上市后备资源库", "capacity": 1000,
///                  "offers": ["bse", "star", "chinext"], "cities": {"济南": {"min": 80}}}],
///  "targets": [{"id": "listings", "name_zh": "新增上市企业", "offers": ["bse", "star", "chinext"], "target": 80}]}
/// ```
package struct PlanSpec: Sendable {
    /// How a programme values a firm.
    package enum Measure: String, Sendable {
        /// Its largest probability among the programme's offers whose status is admitted.
        case probability
        /// Not yet eligible for any of the programme's offers: its smallest gap (distance) among
        /// them, nearest first.
        case gap
    }

    /// A city's quota within a programme.
    package struct CityQuota: Sendable, Equatable {
        package let city: String
        package let min: Int
        /// nil: no maximum.
        package let max: Int?
    }

    package struct Programme: Sendable {
        package let id: String
        package let chinese: String
        package let english: String?
        /// Exactly this many firms are chosen.
        package let capacity: Int
        /// Catalog offer indices, in the file's order.
        package let offers: [Int]
        package let measure: Measure
        /// For ``Measure/probability``: the statuses admitted (eligible; undecided when asked).
        package let statuses: Set<Truth>
        /// The `where` condition's text and compiled form; nil admits every firm.
        package let whereText: String?
        package let filter: CompiledExpression?
        /// City quotas, in the file's order.
        package let cities: [CityQuota]
        /// The k for which P(successes ≥ k) is reported.
        package let atLeast: [Int]

        /// "上市后备资源库 (reserve_pool)".
        package var displayName: String { "\(chinese) (\(id))" }
    }

    package struct Target: Sendable {
        package let id: String
        package let chinese: String
        package let english: String?
        package let offers: [Int]
        package let statuses: Set<Truth>
        /// The number of successes aimed at.
        package let target: Int
        package var displayName: String { "\(chinese) (\(id))" }
    }

    package static let formatIdentifier = "finrec-plan"
    package static let formatVersion = 1

    package let maxProgrammesPerFirm: Int
    package let programmes: [Programme]
    package let targets: [Target]
    /// The catalog's offer ids, by catalog index.
    package let offerIDs: [String]

    /// The example `finrec plan --example` prints: the Shandong plan's quotas.
    package static let example = """
        {
          "format": "finrec-plan", "format_version": 1,
          "max_programmes_per_firm": 1,
          "programmes": [
            {"id": "reserve_pool", "name_zh": "上市后备资源库", "capacity": 1000,
             "offers": ["bse", "star", "chinext", "neeq"],
             "where": "certification_tier == 'little_giant' || certification_tier == 'provincial_srdi'",
             "cities": {"济南": {"min": 80}, "青岛": {"max": 250}},
             "at_least": [760, 780]},
            {"id": "regional_board", "name_zh": "区域性股权市场专精特新板", "capacity": 400,
             "offers": ["regional_board"]},
            {"id": "reform", "name_zh": "规范化公司制改制", "capacity": 100, "offers": ["neeq"],
             "by": "gap", "where": "company_form == 'limited'"}
          ],
          "targets": [
            {"id": "listings", "name_zh": "新增上市企业", "offers": ["bse", "star", "chinext"], "target": 80}
          ]
        }

        """

    /// Reads a plan document, resolving offers against the scorer's catalog and model and
    /// compiling each `where` condition. Every error names its key path and what to do.
    package init(json: JSONValue, scorer: OfferScorer) throws(JSONFieldError) {
        let root = JSONField(json)
        try root.rejectUnknownKeys(["format", "format_version", "max_programmes_per_firm", "programmes", "targets"])
        guard try root.required("format").string() == Self.formatIdentifier else {
            throw root.error("is not a plan: its \"format\" should be \"\(Self.formatIdentifier)\" (finrec plan --example prints one)")
        }
        let version = try root.required("format_version").wholeNumber()
        guard version == Self.formatVersion else {
            throw JSONFieldError(keyPath: "format_version", message: "is \(version); this finrec reads version \(Self.formatVersion)")
        }
        maxProgrammesPerFirm = try root.optional("max_programmes_per_firm")?.wholeNumber(in: 1...1_000) ?? 1
        let catalog = scorer.catalog
        offerIDs = catalog.offers.map(\.id)

        func offers(_ field: JSONField, needModel: Bool) throws(JSONFieldError) -> [Int] {
            let items = try field.items()
            guard !items.isEmpty else { throw field.error("is empty; name at least one offer id of the catalog (finrec inspect lists them)") }
            var indices: [Int] = []
            for item in items {
                let id = try item.string()
                guard let k = catalog.offers.firstIndex(where: { $0.id == id }) else {
                    throw item.error("\"\(id)\" is not an offer of the model's catalog; the offers are \(catalog.offers.map(\.id).joined(separator: ", "))")
                }
                if needModel && scorer.productIndex[k] == nil {
                    throw item.error("\(catalog.offers[k].displayName) has no model, so no probability; rank it with \"by\": \"gap\" or choose an offer with a model")
                }
                guard !indices.contains(k) else { throw item.error("\"\(id)\" is named twice") }
                indices.append(k)
            }
            return indices
        }

        func statuses(_ field: JSONField?) throws(JSONFieldError) -> Set<Truth> {
            guard let field else { return [.pass] }
            var set: Set<Truth> = []
            for item in try field.items() {
                switch try item.string() {
                case "eligible": set.insert(.pass)
                case "unknown": set.insert(.unknown)
                case let other: throw item.error("\"\(other)\" is not a status a plan admits: use \"eligible\" and, for undecided firms, \"unknown\"")
                }
            }
            guard set.contains(.pass) else { throw field.error("should contain \"eligible\"") }
            return set
        }

        func identifier(_ field: JSONField) throws(JSONFieldError) -> String {
            let id = try field.string()
            guard !id.isEmpty, id.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }) else {
                throw field.error("\"\(id)\" should be a lower-case identifier (letters a–z, digits, _)")
            }
            return id
        }

        var programmes: [Programme] = []
        let programmeFields = try root.required("programmes").items()
        guard !programmeFields.isEmpty else { throw JSONFieldError(keyPath: "programmes", message: "is empty; a plan has at least one programme") }
        for p in programmeFields {
            try p.rejectUnknownKeys(["id", "name_zh", "name_en", "capacity", "offers", "by", "status", "where", "cities", "at_least"])
            let id = try identifier(try p.required("id"))
            if programmes.contains(where: { $0.id == id }) { throw p.error("programme id \"\(id)\" is used twice") }
            let byText = try p.optional("by")?.string() ?? "probability"
            guard let measure = Measure(rawValue: byText) else {
                throw JSONFieldError(keyPath: "\(p.keyPath).by", message: "\"\(byText)\" is not a measure: use \"probability\" or \"gap\"")
            }
            if measure == .gap, try p.optional("status") != nil {
                throw JSONFieldError(keyPath: "\(p.keyPath).status", message: "applies to \"by\": \"probability\" only (a gap programme chooses firms that are not yet eligible)")
            }
            var filter: CompiledExpression?
            let whereText = try p.optional("where")?.string()
            if let whereText {
                do {
                    filter = try CompiledExpression(try ExpressionParser.parse(whereText), in: catalog.environment(schema: scorer.model.features.schema), boolean: true)
                } catch {
                    throw JSONFieldError(keyPath: "\(p.keyPath).where", message: "\(error)")
                }
            }
            var cities: [CityQuota] = []
            if let c = try p.optional("cities") {
                for (city, quota) in try c.object().members {
                    let q = JSONField(quota, keyPath: "\(c.keyPath).\(city)")
                    try q.rejectUnknownKeys(["min", "max"])
                    let min = try q.optional("min")?.wholeNumber() ?? 0
                    let max = try q.optional("max")?.wholeNumber()
                    if let max, max < min { throw q.error("max \(max) is below min \(min)") }
                    cities.append(CityQuota(city: city, min: min, max: max))
                }
            }
            let atLeast = try p.optional("at_least")?.items().map { (item: JSONField) throws(JSONFieldError) in try item.wholeNumber() } ?? []
            if measure == .gap && !atLeast.isEmpty {
                throw JSONFieldError(keyPath: "\(p.keyPath).at_least", message: "needs probabilities; a gap programme's firms are not yet eligible")
            }
            programmes.append(Programme(
                id: id, chinese: try p.required("name_zh").string(), english: try p.optional("name_en")?.string(),
                capacity: try p.required("capacity").wholeNumber(in: 1...10_000_000),
                offers: try offers(try p.required("offers"), needModel: measure == .probability),
                measure: measure, statuses: try statuses(try p.optional("status")),
                whereText: whereText, filter: filter, cities: cities, atLeast: atLeast))
        }
        var targets: [Target] = []
        for t in try root.optional("targets")?.items() ?? [] {
            try t.rejectUnknownKeys(["id", "name_zh", "name_en", "offers", "status", "target"])
            let id = try identifier(try t.required("id"))
            if targets.contains(where: { $0.id == id }) { throw t.error("target id \"\(id)\" is used twice") }
            targets.append(Target(
                id: id, chinese: try t.required("name_zh").string(), english: try t.optional("name_en")?.string(),
                offers: try offers(try t.required("offers"), needModel: true), statuses: try statuses(try t.optional("status")),
                target: try t.required("target").wholeNumber(in: 1...100_000_000)))
        }
        self.programmes = programmes
        self.targets = targets
    }
}
