import ArgumentParser
import FinRec
import FinRecCLISupport
import FoundationEssentials

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the model and its eligibility rules to PMML 4.4 or to one SQL query (DuckDB, Spark, PostgreSQL).",
        discussion: """
            pmml: a PMML 4.4 document for a decision engine: the enterprise schema's columns as inputs, the \
            definitions and features as derived fields, each offer's status (pass, fail, unknown) and per product \
            a scorecard, with the output fields status_<offer>, held_<offer>, logit_<offer>, probability_<offer>, \
            points_<offer> and reason1_<offer> … (the features that raise the points most). The rules are assessed \
            on the date given by --as-of (default: today), fixed in the document.

            sql: one query over a table (default enterprises) with the enterprise schema's columns, returning one \
            row per enterprise and offer: enterprise_id, offer_id, offer_name_zh, kind, status, held, logit, \
            probability, points. Without --as-of the rules are assessed on the day the query runs.

            Both give what `finrec score --format rows` gives, within 1e-9 (README: "Exports").
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case pmml, sql }

    enum Dialect: String, ExpressibleByArgument, CaseIterable {
        case duckdb, spark, postgres
        var sql: SQLExport.Dialect { SQLExport.Dialect(rawValue: rawValue)! }
    }

    @Option(name: .long, help: "The model (default: Models/default-model.json).")
    var model: String?

    @Option(name: .long, help: "pmml or sql (default: from the --output file's extension).")
    var format: Format?

    @Option(name: .long, help: "SQL dialect: duckdb, spark or postgres.")
    var dialect: Dialect = .duckdb

    @Option(name: .long, help: "SQL: the table (or view) of enterprises, optionally schema-qualified.")
    var table = "enterprises"

    @Option(name: .long, help: "Assessment date of the rules, YYYY-MM-DD (PMML default: today; SQL default: the day the query runs).")
    var asOf: String?

    @Option(name: .long, help: "PMML: reason codes per product (reason1_<offer> …).")
    var reasons = 3

    @Option(name: .long, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    func validate() throws {
        if let asOf, daysSinceEpoch(isoDate: asOf) == nil { throw ValidationError("Please write --as-of as YYYY-MM-DD, e.g. 2026-06-30.") }
        guard (0...20).contains(reasons) else { throw ValidationError("Please give --reasons a whole number from 0 to 20.") }
        guard table.wholeMatch(of: #/[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}/#) != nil else {
            throw ValidationError("--table takes a table or view name such as enterprises or warehouse.enterprises (letters, digits, _ and dots).")
        }
        if format == nil, output.map({ $0.hasSuffix(".pmml") || $0.hasSuffix(".xml") || $0.hasSuffix(".sql") }) != true {
            throw ValidationError("Please give --format pmml or --format sql (or an --output ending in .pmml or .sql).")
        }
    }

    var chosenFormat: Format { format ?? (output?.hasSuffix(".sql") == true ? .sql : .pmml) }

    func run() throws {
        let path = try DefaultModel.resolve(model)
        let loaded = try TrainedModel.read(from: path)
        let p = loaded.provenance
        let provenance = ["Model \(path) (SHA-256 \(TrainingPipeline.fingerprint(path))), trained by FinRec \(p.finrecVersion) on \(p.rows) rows of \(p.trainingFile) as of \(p.asOfDate)."]
        let day = asOf.flatMap(daysSinceEpoch(isoDate:))
        let text: String
        switch chosenFormat {
        case .sql:
            text = SQLExport(export: try ModelExport(model: loaded, asOf: day), dialect: dialect.sql, table: table, provenance: provenance).render()
        case .pmml:
            let today = day ?? CivilDate.today.daysSinceEpoch
            text = PMMLExport(export: try ModelExport(model: loaded, asOf: today), reasons: reasons, provenance: provenance).render()
        }
        try deliver(text, to: output)
    }
}

