import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FinRecModel
import FinRecInference
package import FinRecEvaluation
/// `finrec monitor`'s report: PSI of each offer's points and CSI of each feature, with bands.
package struct MonitorDocument: Sendable {
    package enum Format: String, Sendable, CaseIterable { case table, json }

    package let stability: PopulationStability
    /// The table also lists each entry's bins with both populations' shares.
    package let showsBins: Bool

    package init(stability: PopulationStability, showsBins: Bool = false) {
        self.stability = stability
        self.showsBins = showsBins
    }

    package func render(_ format: Format) -> String { format == .json ? json() : table() }

    private func f(_ x: Double?, _ digits: Int) -> String { x.map { $0.isFinite ? Fixed.exact($0, digits: digits) : "-" } ?? "-" }

    package func table() -> String {
        let s = stability
        var out = "population stability: baseline \(s.baseline) (\(s.baselineRows) rows) → \(s.data) (\(s.dataRows) rows)\n"
        out += "PSI/CSI < 0.1 stable 稳定, 0.1–0.25 watch 关注, > 0.25 act 需处理; no-drift: the PSI two samples of these sizes show without any drift\n\n"
        let nameWidth = (s.scores.map { "\($0.chinese) (\($0.id))".displayWidth }.max() ?? 10) + 2
        out += "points by offer".padded(to: nameWidth) + "rows base".padded(to: 11) + "rows new".padded(to: 10) + "mean base".padded(to: 11)
            + "mean new".padded(to: 10) + "PSI".padded(to: 8) + "no-drift".padded(to: 10) + "band\n"
        for e in s.scores {
            out += "\(e.chinese) (\(e.id))".padded(to: nameWidth) + f(e.expected.reduce(0, +), 0).padded(to: 11) + f(e.actual.reduce(0, +), 0).padded(to: 10)
                + f(e.meanExpected, 1).padded(to: 11) + f(e.meanActual, 1).padded(to: 10) + f(e.index, 3).padded(to: 8) + f(e.noDriftLevel, 3).padded(to: 10)
                + "\(e.band.rawValue) \(e.band.chinese)" + (e.isNoisy ? " (few rows: noisy 样本少)" : "") + "\n"
        }
        let featureWidth = (s.features.map { "\($0.chinese) (\($0.id))".displayWidth }.max() ?? 10) + 2
        out += "\n" + "features, largest CSI first".padded(to: featureWidth) + "CSI".padded(to: 8) + "band\n"
        for e in s.features {
            out += "\(e.chinese) (\(e.id))".padded(to: featureWidth) + f(e.index, 3).padded(to: 8) + "\(e.band.rawValue) \(e.band.chinese)\n"
        }
        if showsBins {
            for e in s.scores + s.features {
                out += "\n\(e.chinese) (\(e.id)): \(f(e.index, 3))\n" + "bin".padded(to: 22) + "base".padded(to: 9) + "new".padded(to: 9) + "term\n"
                let te = e.expected.reduce(0, +), ta = e.actual.reduce(0, +)
                for (k, label) in e.labels.enumerated() where e.expected[k] > 0 || e.actual[k] > 0 {
                    out += label.padded(to: 22) + (f(100 * e.expected[k] / te, 1) + "%").padded(to: 9) + (f(100 * e.actual[k] / ta, 1) + "%").padded(to: 9)
                        + f(PopulationStability.index(expected: [e.expected[k], te - e.expected[k]], actual: [e.actual[k], ta - e.actual[k]]), 4) + "\n"
                }
            }
        }
        return out
    }

    package func json() -> String {
        let s = stability
        func n(_ x: Double?) -> JSONValue { x.map { $0.isFinite ? .number($0) : .null } ?? .null }
        func entry(_ e: PopulationStability.Entry, score: Bool) -> JSONValue {
            var o = JSONObject([(score ? "id" : "name", .string(e.id)), (score ? "name_zh" : "zh", .string(e.chinese)), (score ? "name_en" : "en", .string(e.english)),
                                (score ? "psi" : "csi", n(e.index)), ("band", .string(e.band.rawValue)), ("band_zh", .string(e.band.chinese))])
            o["no_drift_level"] = n(e.noDriftLevel)
            o["noisy"] = .bool(e.isNoisy)
            if score {
                o["mean_points_baseline"] = n(e.meanExpected)
                o["mean_points_new"] = n(e.meanActual)
            }
            if let cuts = e.bins?.cuts { o["cuts"] = .array(cuts.map(JSONValue.number)) }
            o["bins"] = .array(e.labels.indices.map { k in
                .object(JSONObject([("bin", .string(e.labels[k])), ("baseline_rows", .number(e.expected[k])), ("new_rows", .number(e.actual[k]))]))
            })
            return .object(o)
        }
        return JSONValue.object(JSONObject([
            ("format", .string("finrec-monitor")), ("format_version", .number(1)),
            ("baseline", .object(JSONObject([("file", .string(s.baseline)), ("rows", .number(Double(s.baselineRows)))]))),
            ("data", .object(JSONObject([("file", .string(s.data)), ("rows", .number(Double(s.dataRows)))]))),
            ("bands", .string("< 0.1 stable, 0.1 to 0.25 watch, > 0.25 act")),
            ("scores", .array(s.scores.map { entry($0, score: true) })),
            ("features", .array(s.features.map { entry($0, score: false) })),
        ])).prettyPrinted()
    }
}
