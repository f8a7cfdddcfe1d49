import ArgumentParser
import FinRec

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a trained model on labelled enterprises: per-offer AUC, KS, log loss, Brier, precision and lift at the top, and per-enterprise NDCG@3 and hit@1.",
        discussion: """
            With --baseline, shows a second model side by side with the differences (champion/challenger). \
            On generated data with truth_<id> columns it also shows the oracle's AUC.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Option(name: .long, help: "The model to evaluate (written by finrec train).")
    var model: String

    @Option(name: .long, help: "Labelled enterprise file (label_<offer id> columns).")
    var data: String

    @Option(name: .long, help: "A second model to compare with.")
    var baseline: String?

    @Option(name: .long, help: "How many top-scored rows per offer count for precision and lift.")
    var top = 100

    @OptionGroup var assessment: AssessmentDateOption

    @Option(name: .long, help: "Output: table or json.")
    var format: Format = .table

    @OptionGroup var reading: ReadingOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard top >= 1 else { throw ValidationError("Please give --top a whole number of at least 1.") }
    }

    func run() throws {
        print(try render(), terminator: "")
    }

    /// The report the command prints.
    func render() throws -> String {
        let options = reading.readerOptions(for: data)
        func evaluate(_ path: String) throws -> ModelEvaluation {
            try ModelEvaluation.evaluate(model: try TrainedModel.read(from: path), path: data, asOf: assessment.day, top: top,
                                         reading: options, threads: runtime.policy)
        }
        let main = try evaluate(model)
        let other = try baseline.map(evaluate)
        return format == .json ? EvaluationReport.json(main, other) : EvaluationReport.table(main, other, top: top)
    }
}

/// Renders evaluations as a terminal table or JSON.
enum EvaluationReport {
    static func f(_ x: Double?, _ digits: Int = 3) -> String {
        guard let x, x.isFinite else { return "-" }
        return formatFixed(x, digits: digits)
    }

    static func table(_ e: ModelEvaluation, _ baseline: ModelEvaluation?, top: Int) -> String {
        var out = "\(e.rows) enterprises; per offer, rows labelled and not ruled out by its eligibility rule\n"
        let nameWidth = (e.products.map { "\($0.chineseName) (\($0.id))".displayWidth }.max() ?? 0) + 2
        var header = "offer".padded(to: nameWidth) + "rows".padded(to: 8) + "pos%".padded(to: 7) + "AUC".padded(to: 7) + "KS".padded(to: 7)
            + "logloss".padded(to: 9) + "Brier".padded(to: 7) + "P@\(top)".padded(to: 8) + "lift".padded(to: 7)
        if e.products.contains(where: { $0.oracleAUC != nil }) { header += "oracle AUC".padded(to: 12) }
        if baseline != nil { header += "baseline AUC".padded(to: 14) + "ΔAUC" }
        out += header + "\n"
        for p in e.products {
            let m = p.metrics
            var line = "\(p.chineseName) (\(p.id))".padded(to: nameWidth) + String(m.count).padded(to: 8) + f(m.positiveRate * 100, 1).padded(to: 7)
                + f(m.auc).padded(to: 7) + f(m.ks).padded(to: 7) + f(m.logLoss).padded(to: 9) + f(m.brier).padded(to: 7)
                + f(p.precisionAtTop).padded(to: 8) + f(p.liftAtTop, 2).padded(to: 7)
            if e.products.contains(where: { $0.oracleAUC != nil }) { line += f(p.oracleAUC).padded(to: 12) }
            if let baseline {
                let b = baseline.products.first { $0.id == p.id }
                line += f(b?.metrics.auc).padded(to: 14) + (b.map { (p.metrics.auc - $0.metrics.auc >= 0 ? "+" : "") + f(p.metrics.auc - $0.metrics.auc) } ?? "-")
            }
            out += line + "\n"
        }
        out += "per enterprise (\(e.enterprisesRanked) with a success among their eligible offers): NDCG@3 \(f(e.ndcgAt3)), hit@1 \(f(e.hitAt1))"
        if let baseline { out += "; baseline NDCG@3 \(f(baseline.ndcgAt3)), hit@1 \(f(baseline.hitAt1))" }
        return out + "\n"
    }

    static func json(_ e: ModelEvaluation, _ baseline: ModelEvaluation?) -> String {
        func encode(_ e: ModelEvaluation) -> JSONValue {
            func n(_ x: Double?) -> JSONValue { x.map { $0.isFinite ? .number($0) : .null } ?? .null }
            let products: [JSONValue] = e.products.map { p in
                .object(JSONObject([
                    ("id", .string(p.id)), ("name_zh", .string(p.chineseName)), ("rows", .number(Double(p.metrics.count))),
                    ("positive_rate", n(p.metrics.positiveRate)), ("auc", n(p.metrics.auc)), ("ks", n(p.metrics.ks)),
                    ("log_loss", n(p.metrics.logLoss)), ("brier", n(p.metrics.brier)), ("precision_at_top", n(p.precisionAtTop)),
                    ("lift_at_top", n(p.liftAtTop)), ("oracle_auc", n(p.oracleAUC)),
                    ("calibration", .array(p.metrics.calibration.map { b in
                        .object(JSONObject([("count", .number(Double(b.count))), ("mean_predicted", n(b.meanPredicted)), ("observed_rate", n(b.observedRate))]))
                    })),
                ]))
            }
            return .object(JSONObject([("rows", .number(Double(e.rows))), ("top", .number(Double(e.top))), ("products", .array(products)),
                                       ("ndcg_at_3", n(e.ndcgAt3)), ("hit_at_1", n(e.hitAt1)), ("enterprises_ranked", .number(Double(e.enterprisesRanked)))]))
        }
        var root = JSONObject([("model", encode(e))])
        if let baseline { root["baseline"] = encode(baseline) }
        return JSONValue.object(root).prettyPrinted()
    }
}
