import Foundation

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
public struct FeatureSpec: Sendable {
    public struct Feature: Sendable {
        public let name: String
        public let chinese: String
        public let english: String
        public let text: String
        public let expression: ParsedExpression
        public var log = false
        public var signedLog = false
        public var clip: ClosedRange<Double>?
        public var standardise = true
        public var missingIndicator = false
        /// One-hot: nil for a numeric feature; an explicit vocabulary; or empty to learn one.
        public var oneHot: [String]?
        public var maxCategories = 20
    }

    public static let formatIdentifier = "finrec-features"
    public static let formatVersion = 1

    public let features: [Feature]
    public let definitions: [String: ParsedExpression]
    /// The JSON the spec was read from, kept so a model file can carry it verbatim.
    public private(set) var source: JSONValue?

    public init(features: [Feature], definitions: [String: ParsedExpression] = [:]) {
        self.features = features
        self.definitions = definitions
    }

    /// The environment the features are compiled in.
    public func environment(schema: RecordSchema) -> ExpressionEnvironment {
        ExpressionEnvironment(schema: schema, definitions: definitions)
    }

    /// Reads a feature spec file; every expression is parsed and compiled against `schema`.
    public static func read(path: String, schema: RecordSchema = EnterpriseSchema.schema) throws(CatalogError) -> FeatureSpec {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CatalogError(path: path, field: nil, message: "cannot read the feature spec (\((error as NSError).localizedFailureReason ?? "\(error)")); check the path")
        }
        let json: JSONValue
        do { json = try JSONValue.parse(Array(data)) } catch { throw CatalogError(path: path, field: nil, message: "not valid JSON: \(error)") }
        return try decode(json, path: path, schema: schema)
    }

    public static func decode(_ json: JSONValue, path: String, schema: RecordSchema) throws(CatalogError) -> FeatureSpec {
        func fail(_ field: String?, _ message: String) -> CatalogError { CatalogError(path: path, field: field, message: message) }
        guard case .object(let root) = json else { throw fail(nil, "should be a JSON object") }
        guard case .string(formatIdentifier)? = root["format"] else { throw fail("format", "not a FinRec feature spec (expected \"format\": \"\(formatIdentifier)\")") }
        guard case .number(Double(formatVersion))? = root["format_version"] else { throw fail("format_version", "this FinRec reads feature spec version \(formatVersion)") }
        var definitions: [String: ParsedExpression] = [:]
        if case .array(let items)? = root["definitions"] {
            for (i, item) in items.enumerated() {
                guard case .object(let o) = item, case .string(let name)? = o["name"], case .string(let text)? = o["expr"] else {
                    throw fail("definitions[\(i)]", "needs \"name\" and \"expr\" strings")
                }
                do { definitions[name] = try ExpressionParser.parse(text) } catch { throw fail("definitions[\(i)].expr", "\"\(text)\": \(error)") }
            }
        }
        guard case .array(let items)? = root["features"], !items.isEmpty else { throw fail("features", "needs a non-empty array of features") }
        var features: [Feature] = []
        for (i, item) in items.enumerated() {
            let field = "features[\(i)]"
            guard case .object(let o) = item else { throw fail(field, "should be an object") }
            func string(_ key: String) throws(CatalogError) -> String {
                guard case .string(let s)? = o[key], !s.isEmpty else { throw fail("\(field).\(key)", "needs a non-empty string") }
                return s
            }
            let name = try string("name")
            guard !features.contains(where: { $0.name == name }) else { throw fail("\(field).name", "feature '\(name)' appears twice") }
            let text = try string("expr")
            let expression: ParsedExpression
            do { expression = try ExpressionParser.parse(text) } catch { throw fail("\(field).expr", "\"\(text)\": \(error)") }
            var f = Feature(name: name, chinese: try string("zh"), english: try string("en"), text: text, expression: expression)
            let known: Set<String> = ["name", "zh", "en", "expr", "log", "signed_log", "clip", "standardise", "missing_indicator", "one_hot", "max_categories"]
            if let unknown = o.keys.first(where: { !known.contains($0) }) { throw fail("\(field).\(unknown)", "unknown transform; use one of \(known.sorted().joined(separator: ", "))") }
            if case .bool(let b)? = o["log"] { f.log = b }
            if case .bool(let b)? = o["signed_log"] { f.signedLog = b }
            if case .bool(let b)? = o["standardise"] { f.standardise = b }
            if case .bool(let b)? = o["missing_indicator"] { f.missingIndicator = b }
            if let c = o["clip"] {
                guard case .array(let bounds) = c, bounds.count == 2, case .number(let lo) = bounds[0], case .number(let hi) = bounds[1], lo <= hi else {
                    throw fail("\(field).clip", "needs [low, high] with low ≤ high")
                }
                f.clip = lo...hi
            }
            if let v = o["one_hot"] {
                switch v {
                case .string("learn"): f.oneHot = []
                case .array(let values):
                    f.oneHot = try values.map { (value) throws(CatalogError) -> String in
                        guard case .string(let s) = value else { throw fail("\(field).one_hot", "values must be strings") }
                        return s
                    }
                default: throw fail("\(field).one_hot", "give the vocabulary as an array of strings, or \"learn\"")
                }
                if case .number(let n)? = o["max_categories"] {
                    guard let count = Int(exactly: n), (1...10_000).contains(count) else {
                        throw fail("\(field).max_categories", "give a whole number from 1 to 10000")
                    }
                    f.maxCategories = count
                }
            }
            features.append(f)
        }
        var spec = FeatureSpec(features: features, definitions: definitions)
        spec.source = json
        do { _ = try spec.compile(schema: schema) } catch { throw fail(nil, "\(error)") }
        return spec
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
                return .numeric(f, try CompiledExpression(f.expression, in: environment, boolean: false))
            } catch {
                throw ExpressionError(position: error.position, message: "feature \(f.name): \(error.message)", hint: error.hint)
            }
        }
    }

    enum CompiledFeature: Sendable {
        case numeric(Feature, CompiledExpression)
        case categorical(Feature, field: Int)
    }
}
