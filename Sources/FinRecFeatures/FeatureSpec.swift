package import FinRecBase
package import FinRecRecords
import FinRecLinear
import FoundationEssentials

/// The model's features, declared as data: each is an expression over a record's columns plus
/// transforms. ``fit(_:)`` learns standardisation statistics and category vocabularies from
/// training chunks; the resulting ``FittedFeatures`` turns any chunk into the dense row-major
/// matrix the scorer and trainer use.
///
/// Transforms, applied in this order to a numeric feature:
/// 1. `log`: log1p(x) for x ≥ 0 (a negative value counts as missing); `signed_log`:
///    sign(x)·log1p(|x|) (for amounts that can be negative);
/// 2. `clip`: [low, high];
/// 3. `standardise`: (x − mean) / sd with the training mean and standard deviation;
/// 4. missing values become 0 after standardising (the training mean) or the fitted mean when not
///    standardised, and `missing_indicator` adds a 0/1 column `NAME_missing`.
///
/// A categorical feature (`one_hot`) reads a category or text column and expands to one 0/1
/// column per vocabulary value plus `NAME=other` for anything else, missing included. The
/// vocabulary is given explicitly, or learnt by `fit` (the most frequent values, up to
/// `max_categories`).
///
/// A binned numeric feature (`binning`, see ``BinningSpec``) is cut into bins fitted on the
/// training labels (or manual cut points) and enters the model as one 0/1 column per bin step
/// ("value ≥ cut k", a cumulative code), one per special value and one for missing: the points
/// of a bin are the sum of its steps' weights, shared by all products in one matrix, and a trend
/// is a sign on the step weights, which the trainer enforces. WOE columns would need one column
/// per product (WOE depends on the product's outcomes) and leave the points' order to the fit.
package struct FeatureSpec: Sendable {
    package struct Feature: Sendable {
        package let name: String
        package let chinese: String
        package let english: String
        package let text: String
        package let expression: ParsedExpression
        package var log = false
        package var signedLog = false
        package var clip: ClosedRange<Double>?
        package var standardise = true
        package var missingIndicator = false
        /// One-hot: nil for a numeric feature; an explicit vocabulary; or empty to learn one.
        package var oneHot: [String]?
        package var maxCategories = 20
        /// The direction a domain expert expects (a monotone constraint on the feature's weight);
        /// nil: free for every offer.
        package var direction: Direction?
        /// Bins instead of a linear term (see ``BinningSpec``).
        package var binning: BinningSpec?
    }

    /// How a score may move with a numeric feature: for all offers, per offer kind (a kind id of
    /// the catalog: loan, board, product …) and per offer id, the most specific entry winning;
    /// with a one-line reason.
    package struct Direction: Sendable, Equatable {
        package var all: WeightSign = .free
        /// Per offer id or kind id (checked against the catalog when training).
        package var byKey: [String: WeightSign] = [:]
        package var why: String

        /// The sign for one offer.
        package func sign(offer id: String, kind: String) -> WeightSign { byKey[id] ?? byKey[kind] ?? all }
    }

    package static let formatIdentifier = "finrec-features"
    package static let formatVersion = 1

    package let features: [Feature]
    package let definitions: [String: ParsedExpression]
    /// The JSON the spec was read from, kept so a model file can carry it verbatim.
    package private(set) var source: JSONValue?

    package init(features: [Feature], definitions: [String: ParsedExpression] = [:]) {
        self.features = features
        self.definitions = definitions
    }

    /// The spec with every numeric feature binned: binned ones as they are, the others by the
    /// default optimal binning of their raw value (log, clip and missing indicator dropped: bins
    /// do not need them). For information-value screening; one-hot features stay.
    package func binningEveryNumericFeature() -> FeatureSpec {
        FeatureSpec(features: features.map { f in
            guard f.oneHot == nil, f.binning == nil else { return f }
            var binned = f
            binned.binning = BinningSpec()
            binned.log = false
            binned.signedLog = false
            binned.clip = nil
            binned.missingIndicator = false
            binned.standardise = false
            return binned
        }, definitions: definitions)
    }

    /// The environment the features are compiled in.
    package func environment(schema: RecordSchema) -> ExpressionEnvironment {
        ExpressionEnvironment(schema: schema, definitions: definitions)
    }

    /// Reads a feature spec file; every expression is parsed and compiled against `schema`.
    package static func read(path: String, schema: RecordSchema = EnterpriseSchema.schema) throws(CatalogError) -> FeatureSpec {
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path) } catch {
            throw CatalogError(path: path, field: nil, message: "cannot read the feature spec (\(error.reason)); check the path")
        }
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch { throw CatalogError(path: path, field: nil, message: "not valid JSON: \(error)") }
        return try decode(json, path: path, schema: schema)
    }

    /// Decodes a parsed feature spec (a spec file, or the `features.spec` section of a model file).
    package static func decode(_ json: JSONValue, path: String, schema: RecordSchema) throws(CatalogError) -> FeatureSpec {
        do {
            return try decodeFields(JSONField(json), schema: schema)
        } catch {
            throw CatalogError(path: path, field: error.keyPath == "(top level)" ? nil : error.keyPath, message: error.message)
        }
    }

    /// The transforms a feature may declare besides its name, labels and expression.
    static let featureKeys: Set<String> = ["name", "zh", "en", "expr", "log", "signed_log", "clip", "standardise", "missing_indicator",
                                           "one_hot", "max_categories", "direction", "binning"]

    private static func decodeFields(_ root: JSONField, schema: RecordSchema) throws(JSONFieldError) -> FeatureSpec {
        _ = try root.object()
        let format = try root.required("format")
        guard case .string(formatIdentifier) = format.value else { throw format.error("not a FinRec feature spec (expected \"format\": \"\(formatIdentifier)\")") }
        let version = try root.required("format_version")
        guard case .number(Double(formatVersion)) = version.value else { throw version.error("this FinRec reads feature spec version \(formatVersion)") }
        var definitions: [String: ParsedExpression] = [:]
        for o in try root.optional("definitions")?.items() ?? [] {
            let name = try o.required("name").nonEmptyString()
            definitions[name] = try parse(try o.required("expr"))
        }
        let list = try root.required("features")
        let items = try list.items()
        guard !items.isEmpty else { throw list.error("needs a non-empty array of features") }
        var features: [Feature] = []
        for o in items {
            try o.rejectUnknownKeys(featureKeys, hint: "unknown transform; use one of \(featureKeys.sorted().joined(separator: ", "))")
            let nameField = try o.required("name")
            let name = try nameField.nonEmptyString()
            guard !features.contains(where: { $0.name == name }) else { throw nameField.error("feature '\(name)' appears twice") }
            let exprField = try o.required("expr")
            var f = Feature(name: name, chinese: try o.required("zh").nonEmptyString(), english: try o.required("en").nonEmptyString(),
                            text: try exprField.nonEmptyString(), expression: try parse(exprField))
            if let b = try o.optional("log")?.bool() { f.log = b }
            if let b = try o.optional("signed_log")?.bool() { f.signedLog = b }
            if let b = try o.optional("standardise")?.bool() { f.standardise = b }
            if let b = try o.optional("missing_indicator")?.bool() { f.missingIndicator = b }
            if let c = try o.optional("clip") {
                let bounds = try c.items()
                guard bounds.count == 2 else { throw c.error("needs [low, high] with low ≤ high") }
                let lo = try bounds[0].finiteNumber(), hi = try bounds[1].finiteNumber()
                guard lo <= hi else { throw c.error("needs [low, high] with low ≤ high, is [\(lo), \(hi)]") }
                f.clip = lo...hi
            }
            if let v = try o.optional("one_hot") {
                switch v.value {
                case .string("learn"): f.oneHot = []
                case .array: f.oneHot = try v.items().map { (value) throws(JSONFieldError) in try value.string() }
                default: throw v.error("give the vocabulary as an array of strings, or \"learn\"")
                }
                if let m = try o.optional("max_categories") { f.maxCategories = try m.wholeNumber(in: 1...10_000) }
            }
            if let d = try o.optional("direction") {
                guard f.oneHot == nil else { throw d.error("one-hot features have no direction; express an order as a numeric feature") }
                f.direction = try decodeDirection(d)
            }
            if let b = try o.optional("binning") {
                guard f.oneHot == nil else { throw b.error("one-hot features are categories already; binning is for numeric features") }
                for key in ["log", "signed_log", "clip", "missing_indicator"] where try o.optional(key) != nil {
                    throw b.error("a binned feature takes its bins from the raw value (missing and special values have their own bins); remove \"\(key)\"")
                }
                f.binning = try BinningSpec.decode(b)
                f.standardise = false
            }
            features.append(f)
        }
        var spec = FeatureSpec(features: features, definitions: definitions)
        spec.source = root.value
        do { _ = try spec.compile(schema: schema) } catch { throw root.error("\(error)") }
        return spec
    }

    /// `{"all": "+", "loan": "-", "bse": "free", "why": "…"}`: keys all, a kind id (loan, board,
    /// product …) or an offer id (checked against the catalog when training); a reason is required.
    private static func decodeDirection(_ d: JSONField) throws(JSONFieldError) -> Direction {
        var direction = Direction(why: try d.required("why").nonEmptyString())
        for key in try d.object().keys where key != "why" {
            let field = try d.required(key)
            guard let sign = WeightSign(rawValue: try field.string()) else {
                throw field.error("a direction is \"+\" (the score may only rise with the feature), \"-\" (only fall) or \"free\", not \(field.value.summary)")
            }
            if key == "all" { direction.all = sign } else { direction.byKey[key] = sign }
        }
        return direction
    }

    private static func parse(_ field: JSONField) throws(JSONFieldError) -> ParsedExpression {
        let text = try field.nonEmptyString()
        do { return try ExpressionParser.parse(text) } catch { throw field.error("\"\(text)\": \(error)") }
    }

    /// Compiles every feature; one-hot features must read a category or text column.
    func compile(schema: RecordSchema) throws(ExpressionError) -> [CompiledFeature] {
        let environment = environment(schema: schema)
        return try features.map { (f) throws(ExpressionError) -> CompiledFeature in
            if f.oneHot != nil {
                guard case .column(let name, let position) = f.expression, let i = schema.index(of: name) else {
                    throw ExpressionError(position: f.expression.firstPosition, message: "feature \(f.name): one_hot needs a column name as its expression")
                }
                switch schema.fields[i].kind {
                case .category, .text, .creditCode: return .categorical(f, field: i)
                default: throw ExpressionError(position: position, message: "feature \(f.name): one_hot needs a category or text column; \(name) is a number")
                }
            }
            do throws(ExpressionError) {
                let expression = try CompiledExpression(f.expression, in: environment, boolean: false)
                return f.binning == nil ? .numeric(f, expression) : .binned(f, expression)
            } catch {
                throw ExpressionError(position: error.position, message: "feature \(f.name): \(error.message)", hint: error.hint)
            }
        }
    }

    package enum CompiledFeature: Sendable {
        case numeric(Feature, CompiledExpression)
        case binned(Feature, CompiledExpression)
        case categorical(Feature, field: Int)
    }
}
