import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FinRecModel
import FinRecInference
import FinRecEvaluation
import FinRecReports
import FoundationEssentials

/// The model as a PMML 4.4 document (`finrec export --format pmml`) for a bank's decision engine.
///
/// Layout:
/// - `DataDictionary`: the enterprise schema's columns the model and rules read, by their names
///   (numbers, flags and integers as doubles, categories and text as strings, dates as dates).
/// - `TransformationDictionary`: each category's index (any spelling FinRec accepts), each date
///   in days since 1970-01-01, the assessment date, the definitions, each feature's value, then per
///   offer its rule and status. PMML functions return missing when an argument is missing, which
///   is not Kleene logic, so a rule's truth is a number: 0 fail, 1 unknown, 2 pass; `and` is the
///   minimum, `or` the maximum, `not` is 2 − x, and a comparison with a missing side is 1.
/// - A `MiningModel` chaining one `Scorecard` per product (initial score = base points, one
///   characteristic per feature whose points are not all zero, reason codes "pointsAbove" the
///   feature's baseline: the features that raise the points most, as `finrec score` lists them).
/// - Output fields: `status_<offer>` (pass, fail, unknown) and `held_<offer>` for every offer;
///   for products `points_<offer>`, `logit_<offer>`, `probability_<offer>` and
///   `reason1_<offer>` …, missing where the rules fail (as in FinRec, which was not trained there).
package struct PMMLExport: Sendable {
    package let export: ModelExport
    /// Reason codes per product.
    package let reasons: Int
    /// Lines for the header's annotation (model file, digest).
    package let provenance: [String]

    package init(export: ModelExport, reasons: Int = 3, provenance: [String] = []) {
        precondition(export.asOf != nil, "PMML has no current date: the assessment date is fixed in the document")
        self.export = export
        self.reasons = reasons
        self.provenance = provenance
    }

    var schema: RecordSchema { export.schema }

    package func render() -> String {
        let root = XMLElement("PMML", ["xmlns": "http://www.dmg.org/PMML-4_4", "version": "4.4"], [
            header(), dataDictionary(), transformationDictionary(), miningModel(),
        ])
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + root.render(indent: 0)
    }

    // MARK: Header and inputs

    func header() -> XMLElement {
        let asOf = CivilDate(daysSinceEpoch: export.asOf!).iso
        var notes = ["FinRec model export: \(export.offers.count) offers, \(export.cards.count) product scorecards; rules assessed as of \(asOf)."]
        notes += provenance
        notes.append("Inputs: the enterprise schema's columns (finrec schema); categories as codes or Chinese names, dates as YYYY-MM-DD.")
        notes.append("Truth values of the rules are numbers: 0 fail, 1 unknown, 2 pass (and = min, or = max, not = 2 - x).")
        notes.append("Thresholds are compared as the decimals they are: a value within 1e-9 * max(1, |c|) of a rule's number c counts as equal to it (x >= 0.2 is x >= 0.2 - 1e-9, worked out).")
        notes.append("Reason codes: each characteristic's baseline is the smallest positive double, so a feature adding no points is never a reason.")
        notes.append("Costs and policy benefits are not in this document: a loan's rate after subsidies and a policy's worth depend on the LPR table, the requested amount and term and other offers' statuses; finrec score gives them (score --format rows: effective_rate, benefit).")
        return XMLElement("Header", ["copyright": "FinRec", "description": "FinRec financing recommendations for SRDI SMEs: eligibility and scorecards of \(export.offers.count) offers"], [
            XMLElement("Application", ["name": "FinRec", "version": FinRecVersion.current]),
            XMLElement("Annotation", text: notes.joined(separator: "\n")),
        ])
    }

    func dataDictionary() -> XMLElement {
        XMLElement("DataDictionary", ["numberOfFields": String(export.inputs.count)], export.inputs.map { i in
            let field = schema.fields[i]
            let (optype, type): (String, String)
            switch field.kind {
            case .creditCode, .text, .category: (optype, type) = ("categorical", "string")
            case .date: (optype, type) = ("continuous", "date")
            default: (optype, type) = ("continuous", "double")
            }
            return XMLElement("DataField", ["name": field.name, "displayName": field.chineseName, "optype": optype, "dataType": type])
        })
    }

    func miningSchema() -> XMLElement {
        XMLElement("MiningSchema", [:], export.inputs.map { XMLElement("MiningField", ["name": schema.fields[$0].name]) })
    }

    // MARK: Derived fields

    func derived(_ name: String, _ type: String, _ expression: XMLElement, display: String? = nil) -> XMLElement {
        XMLElement("DerivedField", attributes: [("name", name)] + (display.map { [("displayName", $0)] } ?? [])
                   + [("optype", type == "string" || type == "boolean" ? "categorical" : "continuous"), ("dataType", type)], [expression])
    }

    func transformationDictionary() -> XMLElement {
        var fields: [XMLElement] = []
        for i in export.inputs {
            let field = schema.fields[i]
            switch field.kind {
            case .category(let options):
                // The spelling's key (lower case, no surrounding blanks), then its index.
                let key = "key_" + field.name
                fields.append(derived(key, "string", present([ref(field.name)], apply("lowercase", apply("trimBlanks", ref(field.name))))))
                var rows: [XMLElement] = []
                for (k, option) in options.enumerated() {
                    for spelling in option.normalisedSpellings {
                        rows.append(XMLElement("row", [:], [XMLElement("key", text: spelling), XMLElement("index", text: String(k))]))
                    }
                }
                fields.append(derived(index(field), "double", XMLElement("MapValues", ["outputColumn": "index", "dataType": "double"], [
                    XMLElement("FieldColumnPair", ["field": key, "column": "key"]),
                    XMLElement("InlineTable", [:], rows),
                ]), display: field.chineseName))
            case .date:
                fields.append(derived(index(field), "double", apply("if", apply("isNotMissing", ref(field.name)),
                                                                      apply("dateDaysSinceYear", ref(field.name), constant(1970, type: "integer")))))
            default:
                break
            }
        }
        fields.append(derived("as_of_date", "double", constant(Double(export.asOf!)), display: "评估日（1970-01-01 起的天数）"))
        for d in export.definitions {
            fields.append(derived(d.column, "double", number(d.plan, d.namespace)))
        }
        for f in export.features {
            switch f.input {
            case .numeric(let plan, let transform):
                let raw = "r_" + f.name
                fields.append(derived(raw, "double", number(plan, .spec)))
                let r = ref(raw)
                let value: XMLElement
                switch transform {
                case .none: value = r
                case .log1p: value = present([r], apply("if", apply("greaterOrEqual", r, constant(0)), apply("ln1p", r)))
                case .signedLog1p:
                    value = present([r], apply("if", apply("lessThan", r, constant(0)), apply("*", constant(-1), apply("ln1p", apply("*", constant(-1), r))), apply("ln1p", r)))
                }
                fields.append(derived(f.column, "double", value, display: f.chinese))
            case .binned(let plan):
                fields.append(derived(f.column, "double", number(plan, .spec), display: f.chinese))
            case .categorical(let field):
                let spec = schema.fields[field]
                if case .category = spec.kind {
                    fields.append(derived(f.column, "double", ref(index(spec)), display: f.chinese))
                } else {
                    fields.append(derived(f.column, "string", ref(spec.name), display: f.chinese))
                }
            }
        }
        for o in export.offers {
            let id = o.offer.id
            fields.append(derived("ok_" + id, "integer", truth(o.rule), display: o.offer.chineseName + "准入（0 不符合，1 待定，2 符合）"))
            fields.append(derived("s_" + id, "string", apply("if", apply("equal", ref("ok_" + id), constant(2, type: "integer")), constant("pass"),
                                                              apply("if", apply("equal", ref("ok_" + id), constant(0, type: "integer")), constant("fail"), constant("unknown")))))
            let held = o.held.map { apply("equal", truth($0, .catalog), constant(2, type: "integer")) } ?? constant("false", type: "boolean")
            fields.append(derived("h_" + id, "boolean", held))
        }
        return XMLElement("TransformationDictionary", [:], fields)
    }

    /// The derived field holding a category's index or a date's day number.
    func index(_ field: FieldSpec) -> String {
        if case .date = field.kind { return "days_" + field.name }
        return "index_" + field.name
    }

    // MARK: Model

    func miningModel() -> XMLElement {
        var outputs: [XMLElement] = []
        for o in export.offers {
            let id = o.offer.id
            outputs.append(output("status_" + id, "string", ref("s_" + id), display: o.offer.chineseName + "准入状态"))
            outputs.append(output("held_" + id, "boolean", ref("h_" + id), display: "已具备" + o.offer.chineseName))
            guard let p = o.product else { continue }
            let card = export.cards[p]
            let open = apply("notEqual", ref("ok_" + id), constant(0, type: "integer"))
            outputs.append(output("points_" + id, "double", apply("if", open, ref("card_points_" + card.id)), display: o.offer.chineseName + "评分"))
            outputs.append(output("logit_" + id, "double",
                                  apply("/", apply("-", ref("points_" + id), constant(export.scaling.offset)), constant(export.scaling.factor))))
            let logit = ref("logit_" + id)
            outputs.append(output("probability_" + id, "double", present([logit],
                                  apply("if", apply("greaterOrEqual", logit, constant(0)),
                                        apply("/", constant(1), apply("+", constant(1), apply("exp", apply("*", constant(-1), logit)))),
                                        apply("/", apply("exp", logit), apply("+", constant(1), apply("exp", logit))))),
                                  display: o.offer.chineseName + "概率"))
            for k in 0..<reasons {
                outputs.append(output("reason\(k + 1)_" + id, "string", apply("if", open, ref("card_reason\(k + 1)_" + card.id)),
                                      display: o.offer.chineseName + "理由\(k + 1)"))
            }
        }
        var segments = export.cards.map { card in
            XMLElement("Segment", ["id": card.id], [XMLElement("True"), scorecard(card)])
        }
        // A last segment without outputs, so the chain's own result exposes no product's raw fields.
        segments.append(XMLElement("Segment", ["id": "end"], [XMLElement("True"), XMLElement("RegressionModel", ["functionName": "regression"], [
            miningSchema(), XMLElement("RegressionTable", ["intercept": "0"]),
        ])]))
        return XMLElement("MiningModel", ["modelName": "FinRec", "functionName": "regression"], [
            miningSchema(), XMLElement("Output", [:], outputs),
            XMLElement("Segmentation", ["multipleModelMethod": "modelChain"], segments),
        ])
    }

    func output(_ name: String, _ type: String, _ expression: XMLElement, display: String? = nil) -> XMLElement {
        XMLElement("OutputField", attributes: [("name", name)] + (display.map { [("displayName", $0)] } ?? [])
                   + [("optype", type == "double" ? "continuous" : "categorical"), ("dataType", type), ("feature", "transformedValue")], [expression])
    }

    /// One product's scorecard; its outputs (the points and reason codes) feed the top-level ones.
    func scorecard(_ card: ModelExport.Card) -> XMLElement {
        var outputs = [XMLElement("OutputField", ["name": "card_points_" + card.id, "optype": "continuous", "dataType": "double", "feature": "predictedValue"])]
        for k in 0..<reasons {
            outputs.append(XMLElement("OutputField", ["name": "card_reason\(k + 1)_" + card.id, "optype": "categorical", "dataType": "string",
                                                      "feature": "reasonCode", "rank": String(k + 1)]))
        }
        let characteristics = card.features.map { entry in
            let feature = export.features[entry.feature]
            let v = feature.column
            var attributes: [XMLElement] = []
            func attribute(_ points: Double, _ predicate: XMLElement) -> XMLElement {
                XMLElement("Attribute", ["partialScore": Self.number(points)], [predicate])
            }
            func simple(_ op: String, _ value: String) -> XMLElement { XMLElement("SimplePredicate", ["field": v, "operator": op, "value": value]) }
            switch ModelExport.points(entry.rows) {
            case .linear(let base, let slope, let lower, let upper, let excess, let missing):
                attributes.append(attribute(missing, XMLElement("SimplePredicate", ["field": v, "operator": "isMissing"])))
                var x = ref(v)
                if let lower { x = apply("max", x, constant(lower)) }
                if let upper { x = apply("min", x, constant(upper)) }
                var score = apply("+", constant(base), apply("*", constant(slope), x))
                for e in excess {
                    // slope × (min(v, cap) − from)⁺ above the range, slope × (from − max(v, cap))⁺ below it.
                    let distance = e.above ? apply("-", e.cap.map { apply("min", ref(v), constant($0)) } ?? ref(v), constant(e.from))
                        : apply("-", constant(e.from), e.cap.map { apply("max", ref(v), constant($0)) } ?? ref(v))
                    score = apply("+", score, apply("*", constant(e.slope), apply("max", distance, constant(0))))
                }
                attributes.append(XMLElement("Attribute", [:], [XMLElement("True"), XMLElement("ComplexPartialScore", [:], [score])]))
            case .bins(let bins, let special, let missing):
                attributes.append(attribute(missing, XMLElement("SimplePredicate", ["field": v, "operator": "isMissing"])))
                attributes += special.map { attribute($0.points, simple("equal", Self.number($0.value))) }
                attributes += bins.dropLast().map { attribute($0.points, simple("lessThan", Self.number($0.upper!))) }
                attributes.append(attribute(bins.last!.points, XMLElement("True")))
            case .categories(let categories, let other, let missing):
                attributes.append(attribute(missing, XMLElement("SimplePredicate", ["field": v, "operator": "isMissing"])))
                guard case .categorical(let field) = feature.input else { preconditionFailure("categories score a one-hot feature") }
                for c in categories {
                    if case .category(let options) = schema.fields[field].kind {
                        guard let k = options.firstIndex(where: { $0.code == c.code }) else { continue }
                        attributes.append(attribute(c.points, simple("equal", Self.number(Double(k)))))
                    } else {
                        attributes.append(attribute(c.points, simple("equal", c.code)))
                    }
                }
                attributes.append(attribute(other, XMLElement("True")))
            }
            return XMLElement("Characteristic", ["name": feature.name, "reasonCode": feature.name, "baselineScore": "4.9E-324"], attributes)
        }
        return XMLElement("Scorecard", ["modelName": card.id, "functionName": "regression", "initialScore": Self.number(card.basePoints),
                                        "useReasonCodes": reasons > 0 ? "true" : "false", "reasonCodeAlgorithm": "pointsAbove",
                                        "baselineMethod": "other"], [
            miningSchema(), XMLElement("Output", [:], outputs), XMLElement("Characteristics", [:], characteristics),
        ])
    }

    // MARK: Expressions

    static func number(_ x: Double) -> String { x == 0 ? "0" : "\(x)" }

    func ref(_ name: String) -> XMLElement { XMLElement("FieldRef", ["field": name]) }
    func constant(_ x: Double) -> XMLElement { constant(Self.number(x), type: "double") }
    func constant(_ text: String, type: String = "string") -> XMLElement { XMLElement("Constant", ["dataType": type], text: text) }
    func constant(_ k: Int, type: String) -> XMLElement { constant(String(k), type: type) }
    func apply(_ function: String, _ arguments: XMLElement...) -> XMLElement { XMLElement("Apply", ["function": function], arguments) }

    /// A numeric plan: missing where FinRec's value is missing (guarded division, log and root).
    /// `body` where every one of `values` is present, else missing. JPMML refuses a missing
    /// argument to comparisons and most functions (and `min`, `max` skip one), where FinRec's
    /// value is missing; `if` evaluates only the branch it takes.
    func present(_ values: [XMLElement], _ body: XMLElement) -> XMLElement {
        let test = values.count == 1 ? apply("isNotMissing", values[0]) : XMLElement("Apply", ["function": "and"], values.map { apply("isNotMissing", $0) })
        return apply("if", test, body)
    }

    func number(_ plan: CompiledExpression.Plan, _ namespace: ModelExport.Namespace) -> XMLElement {
        func n(_ p: CompiledExpression.Plan) -> XMLElement { number(p, namespace) }
        switch plan {
        case .constant(let x): return constant(x)
        case .field(let i):
            let field = schema.fields[i]
            switch field.kind {
            case .category, .date: return ref(index(field))
            default: return ref(field.name)
            }
        case .parameter(let name): return ref(name)
        case .definition(let name): return ref(ModelExport.definitionColumn(name, namespace))
        case .named(_, let p): return n(p)
        case .negate(let a): return apply("*", constant(-1), n(a))
        case .arithmetic(let op, let a, let b):
            if op == .divide { return present([n(b)], apply("if", apply("notEqual", n(b), constant(0)), apply("/", n(a), n(b)))) }
            return apply(op.rawValue, n(a), n(b))
        case .ifThenElse(let c, let a, let b):
            let t = truth(c, namespace)
            return apply("if", apply("equal", t, constant(2, type: "integer")), n(a),
                         apply("if", apply("equal", t, constant(0, type: "integer")), n(b)))
        case .function(let function, let args):
            let x = args.map(n)
            switch function {
            case .log1p: return present(x, apply("if", apply("greaterThan", x[0], constant(-1)), apply("ln1p", x[0])))
            case .sqrt: return present(x, apply("if", apply("greaterOrEqual", x[0], constant(0)), apply("sqrt", x[0])))
            case .abs: return present(x, apply("abs", x[0]))
            case .min, .max: return present(x, XMLElement("Apply", ["function": function.rawValue], x))
            case .clip: return present(x, apply("min", apply("max", x[0], x[1]), x[2]))
            }
        case .compare, .threshold, .textCompare, .textIn, .textStartsWith, .and, .or, .not, .isMissing:
            preconditionFailure("a condition used as a number")
        }
    }

    /// A rule as a truth number (0 fail, 1 unknown, 2 pass).
    func truth(_ rule: ModelExport.Rule) -> XMLElement {
        switch rule {
        case .condition(_, let plan, let mode):
            switch mode {
            case .normal: return truth(plan, .catalog)
            case .review: return apply("max", truth(plan, .catalog), constant(1, type: "integer"))  // fail → unknown
            case .warn: return constant(2, type: "integer")
            case .manual: return constant(1, type: "integer")
            }
        case .all(let children): return children.count == 1 ? truth(children[0]) : XMLElement("Apply", ["function": "min"], children.map(truth))
        case .any(let children): return children.count == 1 ? truth(children[0]) : XMLElement("Apply", ["function": "max"], children.map(truth))
        }
    }

    /// PMML's built-in function for a comparison operator.
    static func function(_ op: ParsedExpression.BinaryOperator) -> String {
        switch op {
        case .equal: "equal"
        case .notEqual: "notEqual"
        case .less: "lessThan"
        case .lessOrEqual: "lessOrEqual"
        case .greater: "greaterThan"
        default: "greaterOrEqual"
        }
    }

    func truth(_ plan: CompiledExpression.Plan, _ namespace: ModelExport.Namespace) -> XMLElement {
        let two = constant(2, type: "integer"), one = constant(1, type: "integer"), zero = constant(0, type: "integer")
        /// 1 when any of `values` is missing, else 2 when `holds`, else 0.
        func decide(_ values: [XMLElement], _ holds: XMLElement) -> XMLElement {
            let missing = values.count == 1 ? apply("isMissing", values[0]) : XMLElement("Apply", ["function": "or"], values.map { apply("isMissing", $0) })
            return apply("if", missing, one, apply("if", holds, two, zero))
        }
        func text(_ field: Int) -> XMLElement { ref(schema.fields[field].name) }
        switch plan {
        case .compare(let op, let a, let b):
            let x = number(a, namespace), y = number(b, namespace)
            return decide([x, y], apply(Self.function(op), x, y))
        case .threshold(let op, let a, let c):
            // FinRec's decision (Threshold): an ordering against the band's end, as an exact
            // comparison; equality against both ends.
            let x = number(a, namespace)
            if let bound = Threshold.bound(op, c) { return decide([x], apply(Self.function(op), x, constant(bound))) }
            let band = Threshold.band(c)
            return op == .equal
                ? decide([x], apply("and", apply("greaterOrEqual", x, constant(band.low)), apply("lessOrEqual", x, constant(band.high))))
                : decide([x], apply("or", apply("lessThan", x, constant(band.low)), apply("greaterThan", x, constant(band.high))))
        case .textCompare(let field, let equal, let s):
            return decide([text(field)], apply(equal ? "equal" : "notEqual", text(field), constant(s)))
        case .textIn(let field, let set):
            return decide([text(field)], XMLElement("Apply", ["function": "isIn"], [text(field)] + set.sorted().map { constant($0) }))
        case .textStartsWith(let field, let prefixes):
            // Java regular expressions: \Q…\E quotes the prefix.
            let pattern = "^(" + prefixes.map { "\\Q" + $0.replacing("\\E", with: "\\E\\\\E\\Q") + "\\E" }.joined(separator: "|") + ")"
            return decide([text(field)], apply("matches", text(field), constant(pattern)))
        case .and(let a, let b): return apply("min", truth(a, namespace), truth(b, namespace))
        case .or(let a, let b): return apply("max", truth(a, namespace), truth(b, namespace))
        case .not(let a): return apply("-", two, truth(a, namespace))
        case .isMissing(let a):
            if case .field(let i) = a, !schema.fields[i].kind.isNumeric {
                return apply("if", apply("isMissing", text(i)), two, zero)
            }
            switch a {
            case .compare, .threshold, .textCompare, .textIn, .textStartsWith, .and, .or, .not, .isMissing:
                return apply("if", apply("equal", truth(a, namespace), one), two, zero)
            default:
                return apply("if", apply("isMissing", number(a, namespace)), two, zero)
            }
        default:
            preconditionFailure("a number used as a condition")
        }
    }
}

/// A minimal XML element: name, attributes in order, children or text.
struct XMLElement: Sendable {
    let name: String
    let attributes: [(String, String)]
    let children: [XMLElement]
    let text: String?

    init(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], _ children: [XMLElement] = [], text: String? = nil) {
        self.init(name, attributes: attributes.map { ($0.key, $0.value) }, children, text: text)
    }

    init(_ name: String, attributes: [(String, String)], _ children: [XMLElement] = [], text: String? = nil) {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    func render(indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        let attrs = attributes.map { " \($0.0)=\"\(SVGChart.escape($0.1))\"" }.joined()
        if let text { return "\(pad)<\(name)\(attrs)>\(SVGChart.escape(text))</\(name)>\n" }
        if children.isEmpty { return "\(pad)<\(name)\(attrs)/>\n" }
        return "\(pad)<\(name)\(attrs)>\n" + children.map { $0.render(indent: indent + 1) }.joined() + "\(pad)</\(name)>\n"
    }
}
