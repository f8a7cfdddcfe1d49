import FinRecBase
import FinRecRecords
import FinRecLinear
package import FinRecFeatures
import FinRecCatalog
import FinRecModel
import FinRecInference
package import FinRecEvaluation
/// A model's evaluation (`finrec evaluate`), with a baseline model beside it when given: a
/// terminal table or JSON.
package struct EvaluationDocument: Sendable {
    package enum Format: String, Sendable, CaseIterable { case table, json }

    package let evaluation: ModelEvaluation
    package let baseline: ModelEvaluation?
    /// The table also shows each offer's reliability table (JSON always carries it).
    package let showsReliability: Bool
    /// With a number of bands: each offer's gains (strategy) table, in the table and the JSON.
    package let gainsBands: Int?
    /// What the evaluated model's label 1 means for the applicant.
    package let event: FittedFeatures.EventPolarity

    package init(evaluation: ModelEvaluation, baseline: ModelEvaluation? = nil, showsReliability: Bool = false, gainsBands: Int? = nil,
                event: FittedFeatures.EventPolarity = .favourable) {
        self.event = event
        self.evaluation = evaluation
        self.baseline = baseline
        self.showsReliability = showsReliability
        self.gainsBands = gainsBands
    }

    /// The gains tables as text, one per offer.
    package static func gainsText(_ evaluation: ModelEvaluation, bands: Int) -> String {
        func f(_ x: Double, _ digits: Int) -> String { x.isFinite ? Fixed.exact(x, digits: digits) : "-" }
        func pct(_ x: Double) -> String { x.isFinite ? Fixed.exact(100 * x, digits: 1) + "%" : "-" }
        var out = "\ngains tables (score bands from the top; cumulative columns: approving every band down to this one)\n"
        for (p, table) in zip(evaluation.products, evaluation.gains(bands: bands)) {
            out += "\n\(p.chineseName) (\(p.id)): \(table.rows) rows, success rate \(pct(table.successRate))\n"
            out += "points".padded(to: 14) + "rows".padded(to: 9) + "success".padded(to: 9) + "rate".padded(to: 8) + "lift".padded(to: 7)
                + "approve".padded(to: 9) + "cum.rate".padded(to: 10) + "succ.cap".padded(to: 10) + "fail.cap".padded(to: 10) + "KS\n"
            for b in table.bands {
                out += GainsTable.label(b).padded(to: 14) + String(b.rows).padded(to: 9) + f(b.successes, 0).padded(to: 9) + pct(b.successRate).padded(to: 8)
                    + f(b.lift, 2).padded(to: 7) + pct(b.approvalRate).padded(to: 9) + pct(b.cumulativeSuccessRate).padded(to: 10)
                    + pct(b.successesCaptured).padded(to: 10) + pct(b.failuresCaptured).padded(to: 10) + f(b.ks, 3) + "\n"
            }
        }
        return out
    }

    static func gainsJSON(_ table: GainsTable) -> JSONValue {
        func n(_ x: Double) -> JSONValue { x.isFinite ? .number(x) : .null }
        return .array(table.bands.map { b in
            .object(JSONObject([
                ("band", .string(GainsTable.label(b))), ("lower", n(b.lower)), ("upper", n(b.upper)), ("rows", .number(Double(b.rows))),
                ("successes", .number(b.successes)), ("failures", .number(b.failures)), ("success_rate", n(b.successRate)), ("lift", n(b.lift)),
                ("cumulative_rows", .number(Double(b.cumulativeRows))), ("approval_rate", n(b.approvalRate)),
                ("cumulative_success_rate", n(b.cumulativeSuccessRate)), ("successes_captured", n(b.successesCaptured)),
                ("failures_captured", n(b.failuresCaptured)), ("ks", n(b.ks)),
            ]))
        })
    }

    package func render(_ format: Format) -> String { format == .json ? json() : table() }

    /// A metric with `digits` decimals, "-" when missing or not finite.
    private func f(_ x: Double?, _ digits: Int = 3) -> String {
        guard let x, x.isFinite else { return "-" }
        return Fixed.exact(x, digits: digits)
    }

    package func table() -> String {
        let e = evaluation, top = evaluation.top
        var out = "\(e.rows) enterprises; per offer, rows labelled and not ruled out by its eligibility rule\n"
        out += event == .favourable ? "event: favourable (label 1 is good news for the applicant; pos% and P@top count successes)\n"
            : "event: adverse (label 1 is bad news for the applicant, e.g. default; a higher probability is worse; pos% and P@top count events)\n"
        let nameWidth = (e.products.map { "\($0.chineseName) (\($0.id))".displayWidth }.max() ?? 0) + 2
        var header = "offer".padded(to: nameWidth) + "rows".padded(to: 8) + "pos%".padded(to: 7) + "AUC".padded(to: 7) + "KS".padded(to: 7)
            + "logloss".padded(to: 9) + "Brier".padded(to: 7) + "ECE".padded(to: 7) + "P@\(top)".padded(to: 8) + "lift".padded(to: 7)
        if e.products.contains(where: { $0.oracleAUC != nil }) { header += "oracle AUC".padded(to: 12) }
        if baseline != nil { header += "baseline AUC".padded(to: 14) + "ΔAUC" }
        out += header + "\n"
        for p in e.products {
            let m = p.metrics
            var line = "\(p.chineseName) (\(p.id))".padded(to: nameWidth) + String(m.count).padded(to: 8) + f(m.positiveRate * 100, 1).padded(to: 7)
                + f(m.auc).padded(to: 7) + f(m.ks).padded(to: 7) + f(m.logLoss).padded(to: 9) + f(m.brier).padded(to: 7)
                + f(m.expectedCalibrationError).padded(to: 7) + f(p.precisionAtTop).padded(to: 8) + f(p.liftAtTop, 2).padded(to: 7)
            if e.products.contains(where: { $0.oracleAUC != nil }) { line += f(p.oracleAUC).padded(to: 12) }
            if let baseline {
                let b = baseline.products.first { $0.id == p.id }
                line += f(b?.metrics.auc).padded(to: 14) + (b.map { (p.metrics.auc - $0.metrics.auc >= 0 ? "+" : "") + f(p.metrics.auc - $0.metrics.auc) } ?? "-")
            }
            out += line + "\n"
        }
        out += "per enterprise (\(e.enterprisesRanked) with a success among their eligible offers): NDCG@3 \(f(e.ndcgAt3)), hit@1 \(f(e.hitAt1))"
        if let baseline { out += "; baseline NDCG@3 \(f(baseline.ndcgAt3)), hit@1 \(f(baseline.hitAt1))" }
        out += "\n"
        if showsReliability {
            out += "\nreliability (deciles of predicted probability: mean predicted / observed rate)\n"
            for p in e.products {
                out += "\(p.chineseName) (\(p.id))".padded(to: nameWidth)
                    + p.metrics.calibration.map { "\(f($0.meanPredicted, 2))/\(f($0.observedRate, 2))" }.joined(separator: " ") + "\n"
            }
        }
        if let gainsBands { out += Self.gainsText(e, bands: gainsBands) }
        return out
    }

    package func json() -> String {
        let e = evaluation
        let gainsBands = self.gainsBands
        func encode(_ e: ModelEvaluation) -> JSONValue {
            func n(_ x: Double?) -> JSONValue { x.map { $0.isFinite ? .number($0) : .null } ?? .null }
            let gains = gainsBands.map { e.gains(bands: $0) }
            let products: [JSONValue] = e.products.enumerated().map { i, p in
                var o = JSONObject([
                    ("id", .string(p.id)), ("name_zh", .string(p.chineseName)), ("rows", .number(Double(p.metrics.count))),
                    ("positive_rate", n(p.metrics.positiveRate)), ("auc", n(p.metrics.auc)), ("ks", n(p.metrics.ks)),
                    ("log_loss", n(p.metrics.logLoss)), ("brier", n(p.metrics.brier)), ("ece", n(p.metrics.expectedCalibrationError)),
                    ("precision_at_top", n(p.precisionAtTop)),
                    ("lift_at_top", n(p.liftAtTop)), ("oracle_auc", n(p.oracleAUC)),
                    ("calibration", .array(p.metrics.calibration.map { b in
                        .object(JSONObject([("count", .number(Double(b.count))), ("mean_predicted", n(b.meanPredicted)), ("observed_rate", n(b.observedRate))]))
                    })),
                ])
                if let gains { o["gains"] = Self.gainsJSON(gains[i]) }
                return .object(o)
            }
            return .object(JSONObject([("rows", .number(Double(e.rows))), ("top", .number(Double(e.top))), ("products", .array(products)),
                                       ("ndcg_at_3", n(e.ndcgAt3)), ("hit_at_1", n(e.hitAt1)), ("enterprises_ranked", .number(Double(e.enterprisesRanked)))]))
        }
        var root = JSONObject([("event", .string(event.rawValue)), ("model", encode(e))])
        if let baseline { root["baseline"] = encode(baseline) }
        return JSONValue.object(root).prettyPrinted()
    }
}
