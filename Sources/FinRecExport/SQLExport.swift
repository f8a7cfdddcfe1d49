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

/// The model as one SQL query (`finrec export --format sql`): over a table whose columns are the
/// enterprise schema's, one row per enterprise and offer with its status ('pass', 'fail',
/// 'unknown'), whether the enterprise already holds it, and for offers with a model the logit,
/// probability and points — as `finrec score --format rows` gives them.
///
/// SQL's NULL logic is the catalog's three-valued logic: a comparison with a missing value is
/// NULL (unknown), `FALSE AND NULL` is FALSE, `TRUE OR NULL` is TRUE. So each rule is written as
/// it reads, and a condition left to a person is NULL when it fails. Like FinRec, the query
/// gives no logit, probability or points where the rules fail (the model was not trained there).
///
/// The query is a chain of common table expressions: `input` (typed columns: categories as their
/// index, dates as days since 1970-01-01), one per level of definitions, `raw` and `features`
/// (each feature's value), `scored` (each offer's rule and each product's points), then one row
/// per enterprise and offer.
package struct SQLExport: Sendable {
    package enum Dialect: String, Sendable, CaseIterable {
        case duckdb, spark, postgres

        var double: String { self == .postgres ? "DOUBLE PRECISION" : "DOUBLE" }
        var text: String { self == .spark ? "STRING" : "VARCHAR" }

        func quote(_ name: String) -> String {
            self == .spark ? "`" + name.replacing("`", with: "``") + "`" : "\"" + name.replacing("\"", with: "\"\"") + "\""
        }

        func string(_ s: String) -> String {
            if self == .spark { return "'" + s.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'" }
            return "'" + s.replacing("'", with: "''") + "'"
        }

        /// A double-precision literal: exact (the shortest text that reads back as `x`).
        func number(_ x: Double) -> String {
            precondition(x.isFinite, "literals are finite")
            let text = x == 0 ? "0" : "\(x)"
            switch self {
            case .spark: return text + "D"
            case .duckdb: return "CAST(\(text) AS DOUBLE)"
            case .postgres: return "CAST(\(text) AS DOUBLE PRECISION)"
            }
        }

        /// Days since 1970-01-01 of a date (or date text) expression.
        func days(_ e: String) -> String {
            self == .spark ? "datediff(CAST(\(e) AS DATE), DATE '1970-01-01')" : "(CAST(\(e) AS DATE) - DATE '1970-01-01')"
        }

        /// log1p: Spark has it; elsewhere ln(1 + x) · x / ((1 + x) − 1), accurate for small x
        /// where ln(1 + x) alone is not (x must be a column or parenthesised expression).
        func log1p(_ x: String) -> String {
            if self == .spark { return "log1p(\(x))" }
            return "CASE WHEN 1 + \(x) = 1 THEN \(x) ELSE ln(1 + \(x)) * \(x) / ((1 + \(x)) - 1) END"
        }
    }

    package let export: ModelExport
    package let dialect: Dialect
    /// The table or view read, an identifier optionally qualified (`warehouse.enterprises`),
    /// written into the query as given.
    package let table: String
    /// Header comment lines (model file, digest, date).
    package let provenance: [String]

    package init(export: ModelExport, dialect: Dialect, table: String = "enterprises", provenance: [String] = []) {
        self.export = export
        self.dialect = dialect
        self.table = table
        self.provenance = provenance
    }

    var schema: RecordSchema { export.schema }
    func q(_ name: String) -> String { dialect.quote(name) }

    /// The whole query, with a header comment saying what it reads and returns.
    package func render() -> String {
        var ctes: [(name: String, body: String)] = []
        ctes.append(("input", inputSelect()))
        var previous = "input"
        for (level, definitions) in definitionLevels().enumerated() {
            let name = "definitions_\(level + 1)"
            let columns = definitions.map { "    \(expression($0.plan, $0.namespace)) AS \(q($0.column))" }
            ctes.append((name, "  SELECT *,\n" + columns.joined(separator: ",\n") + "\n  FROM \(previous)"))
            previous = name
        }
        ctes.append(("raw", "  SELECT *,\n" + export.features.map { "    \(rawValue($0)) AS \(q("r_" + $0.name))" }.joined(separator: ",\n")
                     + "\n  FROM \(previous)"))
        ctes.append(("features", "  SELECT *,\n" + export.features.map { "    \(transformed($0)) AS \(q($0.column))" }.joined(separator: ",\n")
                     + "\n  FROM raw"))
        ctes.append(("scored", scoredSelect()))
        ctes.append(("offer_rows", offerRows()))
        let logit = "(points - \(dialect.number(export.scaling.offset))) / \(dialect.number(export.scaling.factor))"
        let final = """
            SELECT enterprise_id, offer_id, offer_name_zh, kind, status, held,
              \(logit) AS logit,
              CASE WHEN \(logit) >= 0 THEN 1 / (1 + exp(-(\(logit)))) ELSE exp(\(logit)) / (1 + exp(\(logit))) END AS probability,
              points
            FROM offer_rows
            """
        // PostgreSQL inlines a CTE read once, substituting each column's expression wherever it is
        // read: through the layers of definitions the expressions would multiply. MATERIALIZED
        // (PostgreSQL 12+) computes each layer once, as DuckDB and Spark do by themselves.
        let materialized = dialect == .postgres ? " MATERIALIZED" : ""
        return header() + "WITH\n" + ctes.map { "\(q($0.name)) AS\(materialized) (\n\($0.body)\n)" }.joined(separator: ",\n") + "\n" + final + "\n"
    }

    func header() -> String {
        var lines = ["FinRec model export (\(FinRecVersion.current)), SQL dialect \(dialect.rawValue)."]
        lines += provenance
        lines.append("Reads the table \(table), one row per enterprise, with the enterprise schema's columns (`finrec schema`):")
        lines.append("numbers as numbers, flags as 0/1, categories as codes or Chinese names, dates as DATE or 'YYYY-MM-DD'.")
        lines.append("Columns read: " + export.inputs.map { schema.fields[$0].name }.joined(separator: ", ") + ".")
        lines.append("Returns one row per enterprise and offer: enterprise_id, offer_id, offer_name_zh, kind, status ('pass', 'fail' or")
        lines.append("'unknown'), held (already has it), logit, probability, points (NULL where the rules fail or the offer has no model).")
        lines.append("Rules are assessed as of " + (export.asOf.map { CivilDate(daysSinceEpoch: $0).iso } ?? "the day the query runs (CURRENT_DATE)") + ".")
        lines.append("Thresholds are compared as the decimals they are: a value within 1e-9 * max(1, |c|) of a rule's number c counts")
        lines.append("as equal to it: `x >= 0.2` is written `x >= 0.2 - 1e-9`, worked out (README: How thresholds are compared).")
        lines.append("The query does not validate values: check files with `finrec check` before loading them.")
        lines.append("Costs and policy benefits are not computed here: a loan's rate after subsidies and a policy's worth depend on the")
        lines.append("LPR table, the requested amount and term and other offers' statuses; `finrec score` gives them (--format rows:")
        lines.append("effective_rate, benefit).")
        if dialect == .spark {
            lines.append("Spark: set spark.sql.codegen.wholeStage=false for this query; its projection exceeds the JVM's 64 KB method")
            lines.append("limit, and Spark would otherwise log a compile error before falling back (with the same results).")
        }
        if dialect == .postgres { lines.append("PostgreSQL 12 or newer (MATERIALIZED common table expressions).") }
        return lines.map { "-- " + $0 }.joined(separator: "\n") + "\n"
    }

    // MARK: Input

    func inputSelect() -> String {
        var columns: [String] = []
        if let id = schema.idField, let i = schema.index(of: id), !export.inputs.contains(i) {
            columns.append("    CAST(\(q(id)) AS \(dialect.text)) AS enterprise_id")
        }
        for i in export.inputs {
            let field = schema.fields[i], name = q(field.name)
            let value: String
            switch field.kind {
            case .creditCode, .text: value = "CAST(\(name) AS \(dialect.text))"
            case .date: value = dialect.days(name)
            case .category(let options):
                // Any spelling FinRec accepts (code, Chinese name, alias), ignoring case and the ends' spaces.
                let key = "lower(trim(CAST(\(name) AS \(dialect.text))))"
                var whens: [String] = []
                for (k, option) in options.enumerated() {
                    whens.append("WHEN \(key) IN (\(option.normalisedSpellings.map(dialect.string).joined(separator: ", "))) THEN \(k)")
                }
                value = "CASE " + whens.joined(separator: " ") + " END"
            default: value = "CAST(\(name) AS \(dialect.double))"
            }
            columns.append("    \(value) AS \(name)")
            if let id = schema.idField, field.name == id, field.name != "enterprise_id" {
                columns.append("    CAST(\(name) AS \(dialect.text)) AS enterprise_id")
            }
        }
        if schema.idField == nil { columns.append("    CAST(NULL AS \(dialect.text)) AS enterprise_id") }
        let asOf = export.asOf.map { String($0) } ?? dialect.days("CURRENT_DATE")
        columns.append("    \(asOf) AS as_of_date")
        // The table as written (validated by the caller): a name may be schema-qualified.
        return "  SELECT\n" + columns.joined(separator: ",\n") + "\n  FROM \(table)"
    }

    /// Definitions grouped so each reads only earlier groups (one CTE per group).
    func definitionLevels() -> [[ModelExport.Definition]] {
        var level: [String: Int] = [:]
        var levels: [[ModelExport.Definition]] = []
        for d in export.definitions {
            let l = (d.plan.definitionsRead.map { level[d.namespace.rawValue + ":" + $0]! + 1 }.max() ?? 0)
            level[d.namespace.rawValue + ":" + d.name] = l
            while levels.count <= l { levels.append([]) }
            levels[l].append(d)
        }
        return levels
    }

    // MARK: Features and scores

    func rawValue(_ f: ModelExport.Feature) -> String {
        switch f.input {
        case .numeric(let plan, _), .binned(let plan): expression(plan, .spec)
        case .categorical(let field): q(schema.fields[field].name)
        }
    }

    func transformed(_ f: ModelExport.Feature) -> String {
        let r = q("r_" + f.name)
        guard case .numeric(_, let transform) = f.input else { return r }
        switch transform {
        case .none: return r
        case .log1p: return "CASE WHEN \(r) >= 0 THEN \(dialect.log1p(r)) END"
        case .signedLog1p:
            return "CASE WHEN \(r) < 0 THEN -(\(dialect.log1p("(-\(r))"))) ELSE \(dialect.log1p(r)) END"
        }
    }

    func scoredSelect() -> String {
        var columns = ["    enterprise_id"]
        for o in export.offers {
            columns.append("    \(rule(o.rule)) AS \(q("ok_" + o.offer.id))")
            columns.append("    " + (o.held.map { "COALESCE(\(expression($0, .catalog)), FALSE)" } ?? "FALSE") + " AS \(q("held_" + o.offer.id))")
        }
        for card in export.cards {
            let terms = [dialect.number(card.basePoints)] + card.features.map { points(ModelExport.points($0.rows), feature: export.features[$0.feature]) }
            columns.append("    " + terms.joined(separator: "\n      + ") + " AS \(q("points_" + card.id))")
        }
        return "  SELECT\n" + columns.joined(separator: ",\n") + "\n  FROM features"
    }

    /// One feature's points in a product's scorecard.
    func points(_ p: ModelExport.FeaturePoints, feature: ModelExport.Feature) -> String {
        let v = q(feature.column), n = dialect.number
        switch p {
        case .linear(let base, let slope, let lower, let upper, let excess, let missing):
            var x = v
            if let lower { x = "GREATEST(\(x), \(n(lower)))" }
            if let upper { x = "LEAST(\(x), \(n(upper)))" }
            var terms = "\(n(base)) + \(n(slope)) * \(x)"
            for e in excess {
                if e.above {
                    terms += " + \(n(e.slope)) * GREATEST(\(e.cap.map { "LEAST(\(v), \(n($0)))" } ?? v) - \(n(e.from)), 0)"
                } else {
                    terms += " + \(n(e.slope)) * GREATEST(\(n(e.from)) - \(e.cap.map { "GREATEST(\(v), \(n($0)))" } ?? v), 0)"
                }
            }
            return "(CASE WHEN \(v) IS NULL THEN \(n(missing)) ELSE \(terms) END)"
        case .bins(let bins, let special, let missing):
            var whens = ["WHEN \(v) IS NULL THEN \(n(missing))"]
            whens += special.map { "WHEN \(v) = \(n($0.value)) THEN \(n($0.points))" }
            for b in bins.dropLast() { whens.append("WHEN \(v) < \(n(b.upper!)) THEN \(n(b.points))") }
            return "(CASE " + whens.joined(separator: " ") + " ELSE \(n(bins.last!.points)) END)"
        case .categories(let categories, let other, let missing):
            guard case .categorical(let field) = feature.input else { preconditionFailure("categories score a one-hot feature") }
            var whens = ["WHEN \(v) IS NULL THEN \(n(missing))"]
            for c in categories {
                if case .category(let options) = schema.fields[field].kind {
                    // The input holds a category's index.
                    guard let k = options.firstIndex(where: { $0.code == c.code }) else { continue }
                    whens.append("WHEN \(v) = \(k) THEN \(n(c.points))")
                } else {
                    whens.append("WHEN \(v) = \(dialect.string(c.code)) THEN \(n(c.points))")
                }
            }
            return "(CASE " + whens.joined(separator: " ") + " ELSE \(n(other)) END)"
        }
    }

    /// An offer's rule as a nullable boolean.
    func rule(_ r: ModelExport.Rule) -> String {
        switch r {
        case .condition(_, let plan, let mode):
            switch mode {
            case .normal: return expression(plan, .catalog)
            case .review: return "(CASE WHEN \(expression(plan, .catalog)) THEN TRUE END)"
            case .warn: return "TRUE"
            case .manual: return "CAST(NULL AS BOOLEAN)"
            }
        case .all(let children): return "(" + children.map(rule).joined(separator: " AND ") + ")"
        case .any(let children): return "(" + children.map(rule).joined(separator: " OR ") + ")"
        }
    }

    /// One row per enterprise and offer: the offer's status, held flag and points picked from
    /// the scored row (a cross join with the offer list: one pass over the enterprises).
    func offerRows() -> String {
        let offers = export.offers
        let values = offers.map { "(\(dialect.string($0.offer.id)), \(dialect.string($0.offer.chineseName)), \(dialect.string($0.offer.kind.id)))" }
        func pick(_ column: (ModelExport.Offer) -> String?) -> String {
            "CASE o.offer_id " + offers.map { o in "WHEN \(dialect.string(o.offer.id)) THEN \(column(o) ?? "NULL")" }.joined(separator: " ") + " END"
        }
        let status = pick { o in
            let ok = "s.\(q("ok_" + o.offer.id))"
            return "CASE WHEN \(ok) THEN 'pass' WHEN NOT \(ok) THEN 'fail' ELSE 'unknown' END"
        }
        let points = pick { o in
            o.product.map { p in "CASE WHEN s.\(q("ok_" + o.offer.id)) IS NOT FALSE THEN s.\(q("points_" + export.cards[p].id)) END" }
        }
        return """
              SELECT s.enterprise_id, o.offer_id, o.offer_name_zh, o.kind,
                \(status) AS status,
                \(pick { "s." + q("held_" + $0.offer.id) }) AS held,
                CAST(\(points) AS \(dialect.double)) AS points
              FROM scored s
              CROSS JOIN (VALUES \(values.joined(separator: ", "))) AS o(offer_id, offer_name_zh, kind)
            """
    }

    // MARK: Expressions

    /// A plan in SQL: numbers are DOUBLE (NULL when missing), conditions nullable BOOLEAN.
    func expression(_ plan: CompiledExpression.Plan, _ namespace: ModelExport.Namespace) -> String {
        func e(_ p: CompiledExpression.Plan) -> String { expression(p, namespace) }
        switch plan {
        case .constant(let x): return dialect.number(x)
        case .field(let i): return q(schema.fields[i].name)
        case .parameter(let name): return q(name)
        case .definition(let name): return q(ModelExport.definitionColumn(name, namespace))
        case .named(_, let p): return e(p)
        case .negate(let a): return "(-\(e(a)))"
        case .arithmetic(let op, let a, let b):
            return op == .divide ? "(\(e(a)) / NULLIF(\(e(b)), 0))" : "(\(e(a)) \(op.rawValue) \(e(b)))"
        case .compare(let op, let a, let b):
            let sqlOp = op == .equal ? "=" : op == .notEqual ? "<>" : op.rawValue
            return "(\(e(a)) \(sqlOp) \(e(b)))"
        case .threshold(let op, let a, let c):
            // FinRec's decision (Threshold): against the band around the published number.
            if let bound = Threshold.bound(op, c) { return "(\(e(a)) \(op.rawValue) \(dialect.number(bound)))" }
            let band = Threshold.band(c)
            return "(\(e(a)) \(op == .equal ? "" : "NOT ")BETWEEN \(dialect.number(band.low)) AND \(dialect.number(band.high)))"
        case .textCompare(let field, let equal, let s):
            return "(\(q(schema.fields[field].name)) \(equal ? "=" : "<>") \(dialect.string(s)))"
        case .textIn(let field, let set):
            return "(\(q(schema.fields[field].name)) IN (\(set.sorted().map(dialect.string).joined(separator: ", "))))"
        case .textStartsWith(let field, let prefixes):
            let f = q(schema.fields[field].name)
            return "(" + prefixes.map { "substr(\(f), 1, \($0.unicodeScalars.count)) = \(dialect.string($0))" }.joined(separator: " OR ") + ")"
        case .and(let a, let b): return "(\(e(a)) AND \(e(b)))"
        case .or(let a, let b): return "(\(e(a)) OR \(e(b)))"
        case .not(let a): return "(NOT \(e(a)))"
        case .isMissing(let a): return "(\(e(a)) IS NULL)"
        case .ifThenElse(let c, let a, let b): return "(CASE WHEN \(e(c)) THEN \(e(a)) WHEN NOT \(e(c)) THEN \(e(b)) END)"
        case .function(let function, let args):
            let x = args.map(e)
            let anyMissing = x.map { "\($0) IS NULL" }.joined(separator: " OR ")
            switch function {
            case .log1p: return "(CASE WHEN \(x[0]) > -1 THEN \(dialect.log1p(x[0])) END)"
            case .sqrt: return "(CASE WHEN \(x[0]) >= 0 THEN sqrt(\(x[0])) END)"
            case .abs: return "abs(\(x[0]))"
            case .min, .max:
                // LEAST and GREATEST skip NULLs in some engines; FinRec's min and max are missing then.
                return "(CASE WHEN \(anyMissing) THEN NULL ELSE \(function == .min ? "LEAST" : "GREATEST")(\(x.joined(separator: ", "))) END)"
            case .clip:
                return "(CASE WHEN \(anyMissing) THEN NULL ELSE LEAST(GREATEST(\(x[0]), \(x[1])), \(x[2])) END)"
            }
        }
    }
}
