import FinRecBase
package import FinRecRecords
import FinRecLinear
package import FinRecFeatures
package import FinRecCatalog
package import FinRecModel
import FinRecInference
import FinRecEvaluation
package import FinRecReports
/// A trained model laid out for another engine (PMML, SQL): what to read, what to derive in
/// which order, each offer's rule as a tree of conditions, and each product's scorecard.
///
/// Both exports compute the same things in the same order: the input columns the model and the
/// rules read (categories as their index, dates as days since 1970-01-01), the named definitions
/// (each once, dependencies first), each feature's value after its log transform, then per offer
/// its three-valued status and per product the points — base points plus one scorecard entry
/// per feature (``ScorecardDocument``), exactly the points `finrec score` gives — from which
/// logit = (points − offset) / factor and probability = 1 / (1 + e^−logit).
///
/// A comparison with a number written in a rule or feature is exported as FinRec decides it
/// (``Threshold``): against the threshold's band, `x >= c` as `x >= c − tol` with the bound
/// worked out here (``Threshold/bound(_:_:)``), `x == c` as `x` between both ends.
package struct ModelExport: Sendable {
    /// Which definitions a plan's ``CompiledExpression/Plan/definition(_:)`` nodes name: the
    /// catalog's (in rules) or the feature spec's (in features); the two may reuse a name.
    package enum Namespace: String, Sendable { case catalog, spec }

    package struct Definition: Sendable {
        package let name: String
        package let namespace: Namespace
        let plan: CompiledExpression.Plan
        /// The derived column's name: `def_NAME` (catalog) or `fdef_NAME` (spec).
        package var column: String { ModelExport.definitionColumn(name, namespace) }
    }

    /// A feature's value as the scorecard reads it: a numeric one after its log transform (the
    /// scorecard clips it), a binned one raw, a one-hot one as its category code or text.
    enum FeatureInput: Sendable {
        case numeric(CompiledExpression.Plan, Transform)
        case binned(CompiledExpression.Plan)
        case categorical(field: Int)
    }

    /// The transform applied before the scorecard's clip: log1p of a non-negative value (a
    /// negative one is missing), sign-preserving log1p, or none.
    package enum Transform: String, Sendable { case none, log1p, signedLog1p = "signed_log1p" }

    package struct Feature: Sendable {
        package let name: String
        package let chinese: String
        let input: FeatureInput
        /// The derived column holding the value: `v_NAME`.
        package var column: String { "v_" + name }
    }

    /// How a condition's outcome enters its offer's status.
    package enum ConditionMode: Sendable {
        case normal
        /// A failure leaves the offer to a person: fail becomes unknown.
        case review
        /// A failure only warns: the condition always passes.
        case warn
        /// No field decides it: always unknown.
        case manual
    }

    indirect enum Rule: Sendable {
        case condition(id: String, plan: CompiledExpression.Plan, mode: ConditionMode)
        case all([Rule])
        case any([Rule])
    }

    package struct Offer: Sendable {
        package let offer: Catalog.Offer
        let rule: Rule
        /// Holds when the enterprise already has the offer (a tier, a quotation).
        let held: CompiledExpression.Plan?
        /// The model product's index in ``cards``, nil for offers without a model (tiers).
        package let product: Int?
    }

    /// One product's scorecard: base points and, per feature with any non-zero points, its rows.
    package struct Card: Sendable {
        package let id: String
        package let basePoints: Double
        /// (spec feature index, its rows), in spec order.
        package let features: [(feature: Int, rows: [ScorecardDocument.Row])]
    }

    package let model: TrainedModel
    /// Schema fields read by any definition, feature, rule or held test, in schema order.
    package let inputs: [Int]
    /// Every definition used, each after the ones it reads.
    package let definitions: [Definition]
    package let features: [Feature]
    package let offers: [Offer]
    package let cards: [Card]
    /// The assessment date of the rules (days since 1970-01-01); nil: the engine's current date.
    package let asOf: Int?

    package var schema: RecordSchema { model.features.schema }
    package var scaling: ScoreScaling { model.scaling }

    package init(model: TrainedModel, asOf: Int?) throws(ExpressionError) {
        self.model = model
        self.asOf = asOf
        let schema = model.features.schema
        let spec = model.features.spec
        let environments: [Namespace: ExpressionEnvironment] = [.catalog: model.catalog.environment(schema: schema), .spec: spec.environment(schema: schema)]
        var fields = Set<Int>()
        func compile(_ e: ParsedExpression, _ namespace: Namespace, boolean: Bool) throws(ExpressionError) -> CompiledExpression.Plan {
            let c = try CompiledExpression(e, in: environments[namespace]!, boolean: boolean, keepingDefinitions: true)
            fields.formUnion(c.fieldsRead)
            return c.plan
        }

        var features: [Feature] = []
        var used: [(Namespace, CompiledExpression.Plan)] = []
        for (j, compiled) in model.features.compiled.enumerated() {
            let f = spec.features[j]
            switch compiled {
            case .numeric(_, let e):
                let plan = try compile(e.source, .spec, boolean: false)
                features.append(Feature(name: f.name, chinese: f.chinese, input: .numeric(plan, f.log ? .log1p : f.signedLog ? .signedLog1p : .none)))
                used.append((.spec, plan))
            case .binned(_, let e):
                let plan = try compile(e.source, .spec, boolean: false)
                features.append(Feature(name: f.name, chinese: f.chinese, input: .binned(plan)))
                used.append((.spec, plan))
            case .categorical(_, let field):
                fields.insert(field)
                features.append(Feature(name: f.name, chinese: f.chinese, input: .categorical(field: field)))
            }
        }

        var offers: [Offer] = []
        for offer in model.catalog.offers {
            func lower(_ rule: Catalog.Rule) throws(ExpressionError) -> Rule {
                switch rule {
                case .condition(let c):
                    let mode: ConditionMode = c.manual ? .manual : c.warn ? .warn : c.review ? .review : .normal
                    let plan = try compile(c.expression, .catalog, boolean: true)
                    if mode != .manual && mode != .warn { used.append((.catalog, plan)) }
                    return .condition(id: c.id, plan: plan, mode: mode)
                case .all(_, _, _, let children): return .all(try children.map { (c) throws(ExpressionError) in try lower(c) })
                case .any(_, _, _, let children): return .any(try children.map { (c) throws(ExpressionError) in try lower(c) })
                }
            }
            let held = try offer.held.map { (e) throws(ExpressionError) in try compile(e, .catalog, boolean: true) }
            if let held { used.append((.catalog, held)) }
            offers.append(Offer(offer: offer, rule: try lower(offer.rule), held: held,
                                product: model.linear.products.firstIndex { $0.id == offer.id }))
        }

        // Definitions, each after those it reads (depth first from every use).
        var definitions: [Definition] = []
        var placed = Set<String>()
        func place(_ plan: CompiledExpression.Plan, _ namespace: Namespace) throws(ExpressionError) {
            for name in plan.definitionsRead where !placed.contains(namespace.rawValue + ":" + name) {
                placed.insert(namespace.rawValue + ":" + name)
                let source: ParsedExpression? = namespace == .catalog
                    ? model.catalog.definitions.first { $0.name == name }?.expression : spec.definitions[name]
                guard let source else { preconditionFailure("definition \(name) compiled, so it exists") }
                let body = try compile(source, namespace, boolean: false)
                try place(body, namespace)
                definitions.append(Definition(name: name, namespace: namespace, plan: body))
            }
        }
        for (namespace, plan) in used { try place(plan, namespace) }

        let card = ScorecardDocument(model: model)
        cards = model.linear.products.map { product in
            let rows = card.rows.filter { $0.product == product.id }
            let base = rows.first { $0.kind == .base }!.points
            var byFeature: [(feature: Int, rows: [ScorecardDocument.Row])] = []
            for j in spec.features.indices {
                let entries = rows.filter { $0.feature == j }
                // A feature that adds nothing for this product is left out (it is never a reason either).
                guard entries.contains(where: { $0.points != 0 || ($0.slope ?? 0) != 0 }) else { continue }
                byFeature.append((j, entries))
            }
            return Card(id: product.id, basePoints: base, features: byFeature)
        }
        self.features = features
        self.offers = offers
        self.definitions = definitions
        self.inputs = fields.sorted()
    }

    static func definitionColumn(_ name: String, _ namespace: Namespace) -> String {
        (namespace == .catalog ? "def_" : "fdef_") + name
    }

    /// The scorecard rows of one feature in a card, by kind: what both exports translate.
    package enum FeaturePoints: Sendable {
        /// points + slope × clip(value, lower, upper) + each excess term; `missing` when the value
        /// is missing.
        case linear(points: Double, slope: Double, lower: Double?, upper: Double?, excess: [Excess], missing: Double)
        /// `special` values first, then bins by upper bound (value < upper; the last has none).
        case bins(bins: [(upper: Double?, points: Double)], special: [(value: Double, points: Double)], missing: Double)
        /// Categories by code, anything else `other`, missing `missing`.
        case categories([(code: String, points: Double)], other: Double, missing: Double)
    }

    /// A one-sided model's term beyond the training range: above, slope × (min(value, cap) − from)⁺;
    /// below, slope × (from − max(value, cap))⁺ (cap: the spec's clip, nil without one). Terms
    /// with slope 0 are left out.
    package struct Excess: Sendable {
        package let above: Bool
        package let slope: Double
        package let from: Double
        package let cap: Double?
    }

    /// The points of feature entry `rows` (one feature of a card), by kind.
    package static func points(_ rows: [ScorecardDocument.Row]) -> FeaturePoints {
        let missing = rows.first { $0.kind == .missing }?.points ?? 0
        if let linear = rows.first(where: { $0.kind == .linear }) {
            let excess = rows.compactMap { r -> Excess? in
                guard let slope = r.slope, slope != 0 else { return nil }
                switch r.kind {
                case .above: return Excess(above: true, slope: slope, from: r.lower!, cap: r.upper)
                case .below: return Excess(above: false, slope: slope, from: r.upper!, cap: r.lower)
                default: return nil
                }
            }
            return .linear(points: linear.points, slope: linear.slope ?? 0, lower: linear.lower, upper: linear.upper, excess: excess, missing: missing)
        }
        if rows.contains(where: { $0.kind == .bin }) {
            return .bins(bins: rows.filter { $0.kind == .bin }.map { ($0.upper, $0.points) },
                         special: rows.filter { $0.kind == .special }.map { ($0.lower!, $0.points) }, missing: missing)
        }
        return .categories(rows.filter { $0.kind == .category }.map { ($0.bin, $0.points) },
                           other: rows.first { $0.kind == .other }?.points ?? 0, missing: missing)
    }
}

extension CompiledExpression.Plan {
    /// The definitions the plan names directly, in first-use order.
    var definitionsRead: [String] {
        var names: [String] = []
        func walk(_ p: CompiledExpression.Plan) {
            switch p {
            case .definition(let name): if !names.contains(name) { names.append(name) }
            case .constant, .field, .parameter, .textCompare, .textIn, .textStartsWith: break
            case .negate(let a), .not(let a), .isMissing(let a), .named(_, let a), .threshold(_, let a, _): walk(a)
            case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b): walk(a); walk(b)
            case .ifThenElse(let c, let a, let b): walk(c); walk(a); walk(b)
            case .function(_, let args): args.forEach(walk)
            }
        }
        walk(self)
        return names
    }
}
