import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
package import FinRecModel
import FinRecInference
import FinRecEvaluation
/// The flat scorecard (`finrec scorecard`): per product, the base points and each feature's
/// points per bin, category or — for a feature that enters the model linearly — per unit, so
/// that an enterprise's points are the base plus one entry per feature, exactly the points
/// `finrec score` shows (points = offset + factor × logit; 600 at odds 50:1, 20 points to
/// double the odds unless the model says otherwise).
///
/// Row kinds: `base`; `bin` (value in [lower, upper)), `special` (value = lower), `missing`;
/// `category` (bin = the category code), `other` (any other category); `linear`: points =
/// `points` + `slope` × t(value) with t the `transform` (none, log1p, signed_log1p) and t(value)
/// clipped to [lower, upper] (the spec's clip and the training range). One-sided models (format 4)
/// add to a linear feature `above`: + `slope` × (min(t, upper) − lower)⁺ and `below`: + `slope` ×
/// (upper − max(t, lower))⁺ — the line continued beyond the clipping range, up to the 0.05th
/// and 99.95th percentiles, where that lowers the applicant's standing; slope 0 where it would raise it.
package struct ScorecardDocument: Sendable {
    package enum Format: String, Sendable, CaseIterable { case csv, json }

    package struct Row: Sendable, Equatable {
        package enum Kind: String, Sendable { case base, bin, special, missing, category, other, linear, above, below }
        package let product: String
        package let productChinese: String
        /// Spec feature index; nil for the base row.
        package let feature: Int?
        package let featureName: String
        package let featureChinese: String
        package let kind: Kind
        package let bin: String
        package let lower: Double?
        package let upper: Double?
        package let points: Double
        package let slope: Double?
        package let transform: String?
    }

    package let rows: [Row]
    package let scaling: ScoreScaling

    package init(model: TrainedModel) {
        scaling = model.scaling
        let features = model.features
        var rows: [Row] = []
        for product in model.linear.products {
            let w = product.weights, factor = model.scaling.factor
            rows.append(Row(product: product.id, productChinese: product.chineseName, feature: nil, featureName: "(base)", featureChinese: "基础分",
                            kind: .base, bin: "", lower: nil, upper: nil, points: model.scaling.points(logit: product.intercept), slope: nil, transform: nil))
            for (j, compiled) in features.compiled.enumerated() {
                let first = features.firstColumn[j]
                func row(_ f: FeatureSpec.Feature, _ kind: Row.Kind, _ bin: String, _ lower: Double?, _ upper: Double?, _ points: Double,
                         slope: Double? = nil, transform: String? = nil) -> Row {
                    Row(product: product.id, productChinese: product.chineseName, feature: j, featureName: f.name, featureChinese: f.chinese,
                        kind: kind, bin: bin, lower: lower, upper: upper, points: points, slope: slope, transform: transform)
                }
                switch compiled {
                case .binned(let f, _):
                    let bins = features.bins[j]!
                    let points = features.slotContributions(feature: j, weights: w).map { factor * $0 }
                    for k in 0..<bins.slotCount {
                        if k < bins.ordinaryBins {
                            rows.append(row(f, .bin, bins.label(slot: k), k > 0 ? bins.cuts[k - 1] : nil, k < bins.cuts.count ? bins.cuts[k] : nil, points[k]))
                        } else if k < bins.missingSlot {
                            let value = bins.special[k - bins.ordinaryBins]
                            rows.append(row(f, .special, bins.label(slot: k), value, value, points[k]))
                        } else {
                            rows.append(row(f, .missing, "missing", nil, nil, points[k]))
                        }
                    }
                case .categorical(let f, _):
                    for column in features.columns.indices where features.columns[column].feature == j {
                        switch features.columns[column].role {
                        case .category(let code): rows.append(row(f, .category, code, nil, nil, factor * w[column]))
                        case .other: rows.append(row(f, .other, "other", nil, nil, factor * w[column]))
                        case .missingCategory: rows.append(row(f, .missing, "missing", nil, nil, factor * w[column]))
                        default: break
                        }
                    }
                    // Without a missing category (version-2 models) a missing value counts as "other".
                    if features.missingColumn(feature: j) == nil {
                        rows.append(row(f, .missing, "missing", nil, nil, factor * w[first + features.vocabularies[j]!.count]))
                    }
                case .numeric(let f, _):
                    let stats = features.statistics[j]!
                    // input(v) = (clip(v) − mean) / sd, or clip(v) when not standardised.
                    let scale = f.standardise ? 1 / stats.standardDeviation : 1, shift = f.standardise ? -stats.mean / stats.standardDeviation : 0
                    var low = stats.low, high = stats.high
                    if let c = f.clip { low = max(low, c.lowerBound); high = min(high, c.upperBound) }
                    let transform = f.log ? "log1p" : f.signedLog ? "signed_log1p" : "none"
                    rows.append(row(f, .linear, "\(transform == "none" ? "value" : transform + "(value)") clipped to [lower, upper]",
                                    low.isFinite ? low : nil, high.isFinite ? high : nil, factor * w[first] * shift,
                                    slope: factor * w[first] * scale, transform: transform))
                    if features.layout == .oneSided {
                        // The excess columns count from the training range's ends, up to the spec's clip.
                        let above = features.columns.firstIndex { $0.feature == j && $0.role == .excessAbove }!
                        let below = features.columns.firstIndex { $0.feature == j && $0.role == .excessBelow }!
                        if stats.high.isFinite {
                            rows.append(row(f, .above, "\(transform == "none" ? "value" : transform + "(value)") above lower, up to upper", stats.high, stats.farHigh, 0,
                                            slope: factor * w[above] * scale, transform: transform))
                        }
                        if stats.low.isFinite {
                            rows.append(row(f, .below, "\(transform == "none" ? "value" : transform + "(value)") below upper, down to lower", stats.farLow, stats.low, 0,
                                            slope: factor * w[below] * scale, transform: transform))
                        }
                    }
                    let missing = features.contributionRange(feature: j, weights: w).missing
                    rows.append(row(f, .missing, "missing", nil, nil, factor * missing))
                }
            }
        }
        self.rows = rows
    }

    package func render(_ format: Format) -> String { format == .json ? json() : csv() }

    static let header = ["product_id", "product_zh", "feature", "feature_zh", "kind", "bin", "lower", "upper", "points", "slope", "transform"]

    package func csv() -> String {
        func n(_ x: Double?) -> String { x.map { $0 == 0 ? "0" : "\($0)" } ?? "" }
        var out = Self.header.joined(separator: ",") + "\n"
        for r in rows {
            out += [r.product, r.productChinese, r.featureName, r.featureChinese, r.kind.rawValue, r.bin, n(r.lower), n(r.upper), n(r.points), n(r.slope), r.transform ?? ""]
                .map(CSVField.escape).joined(separator: ",") + "\n"
        }
        return out
    }

    package func json() -> String {
        func n(_ x: Double?) -> JSONValue { x.map(JSONValue.number) ?? .null }
        var products: [JSONValue] = []
        var i = 0
        while i < rows.count {
            let id = rows[i].product
            var entries: [JSONValue] = []
            let zh = rows[i].productChinese
            while i < rows.count && rows[i].product == id {
                let r = rows[i]
                var o = JSONObject([("feature", .string(r.featureName)), ("feature_zh", .string(r.featureChinese)), ("kind", .string(r.kind.rawValue)),
                                    ("bin", .string(r.bin)), ("lower", n(r.lower)), ("upper", n(r.upper)), ("points", .number(r.points))])
                if let slope = r.slope { o["slope"] = .number(slope) }
                if let t = r.transform { o["transform"] = .string(t) }
                entries.append(.object(o))
                i += 1
            }
            products.append(.object(JSONObject([("id", .string(id)), ("name_zh", .string(zh)), ("rows", .array(entries))])))
        }
        return JSONValue.object(JSONObject([
            ("format", .string("finrec-scorecard")), ("format_version", .number(1)),
            ("scaling", .object(JSONObject([("offset", .number(scaling.offset)), ("factor", .number(scaling.factor)),
                                            ("formula", .string("points = offset + factor * ln(odds); an enterprise's points = base + one row per feature"))]))),
            ("products", .array(products)),
        ])).prettyPrinted()
    }
}
