import FinRecBase
import FinRecRecords
import FinRecLinear
package import FinRecFeatures
package import FinRecCatalog
package import FinRecModel
import FinRecInference
import FinRecEvaluation
/// The bins of binned features with, per product, each bin's rows, successes, failures, success
/// rate, WOE and share of the information value (`finrec bins`): a terminal table or JSON.
package struct BinningDocument: Sendable {
    package enum Format: String, Sendable, CaseIterable { case table, json }

    package struct Product: Sendable {
        package let id: String
        package let chineseName: String
        package let englishName: String

        package init(id: String, chineseName: String, englishName: String) {
            self.id = id
            self.chineseName = chineseName
            self.englishName = englishName
        }
    }

    /// One binned feature for one product.
    package struct FeatureTable: Sendable {
        package struct Row: Sendable {
            package let label: String
            package let rows: Double
            package let events: Double
            package let nonEvents: Double
            package let woe: Double
            package let iv: Double
            package var eventRate: Double { events + nonEvents > 0 ? events / (events + nonEvents) : .nan }
        }
        package let feature: Int
        package let name: String
        package let chinese: String
        package let english: String
        package let trend: WeightSign
        package let bins: FittedBins
        package let rows: [Row]
        package var informationValue: Double { rows.reduce(0) { $0 + $1.iv } }
        /// Rows with a label for the product.
        package var labelled: Double { rows.reduce(0) { $0 + $1.events + $1.nonEvents } }
        /// "营业收入 (log_revenue)", or the name alone when it is its own label.
        package var title: String { chinese == name ? name : "\(chinese) (\(name))" }
    }

    package let products: [Product]
    /// Per product, its binned features by information value, largest first.
    package let tables: [[FeatureTable]]
    /// What the bins were fitted on (a model file, or a data file for screening).
    package let source: String

    /// - Parameter products: in the order of the bins' counts and trends.
    package init(features: FittedFeatures, products: [Product], source: String) {
        self.products = products
        self.source = source
        tables = products.indices.map { p in
            features.bins.indices.compactMap { j -> FeatureTable? in
                guard let bins = features.bins[j], let counts = bins.counts else { return nil }
                let f = features.spec.features[j]
                let e = counts.events[p].reduce(0, +), n = counts.nonEvents[p].reduce(0, +)
                let rows = counts.rows.indices.map { k in
                    FeatureTable.Row(label: bins.label(slot: k), rows: counts.rows[k], events: counts.events[p][k], nonEvents: counts.nonEvents[p][k],
                                     woe: WeightOfEvidence.woe(events: counts.events[p][k], nonEvents: counts.nonEvents[p][k], totalEvents: e, totalNonEvents: n),
                                     iv: WeightOfEvidence.ivTerm(events: counts.events[p][k], nonEvents: counts.nonEvents[p][k], totalEvents: e, totalNonEvents: n))
                }
                return FeatureTable(feature: j, name: f.name, chinese: f.chinese, english: f.english,
                                    trend: bins.trends.indices.contains(p) ? bins.trends[p] : .free, bins: bins, rows: rows)
            }.sorted { $0.informationValue != $1.informationValue ? $0.informationValue > $1.informationValue : $0.feature < $1.feature }
        }
    }

    /// The bins a model was trained with.
    package init(model: TrainedModel, source: String) {
        self.init(features: model.features, products: model.linear.products.map {
            Product(id: $0.id, chineseName: $0.chineseName, englishName: $0.englishName)
        }, source: source)
    }

    /// Bins fitted on data for `offers` (in the order of their counts, as ``TrainingPipeline/binningAnalysis(path:reading:)`` gives them).
    package init(features: FittedFeatures, offers: [Catalog.Offer], source: String) {
        self.init(features: features, products: offers.map { Product(id: $0.id, chineseName: $0.chineseName, englishName: $0.englishName) }, source: source)
    }

    private init(products: [Product], tables: [[FeatureTable]], source: String) {
        self.products = products
        self.tables = tables
        self.source = source
    }

    package struct UnknownProduct: Error, CustomStringConvertible {
        package let id: String
        package let known: [String]
        package var description: String { "no offer '\(id)' among the bins; use one of \(known.joined(separator: ", "))" }
    }

    /// The document for some offers only (all when `ids` is empty).
    package func only(products ids: [String]) throws(UnknownProduct) -> BinningDocument {
        guard !ids.isEmpty else { return self }
        let known = products.map(\.id)
        if let unknown = ids.first(where: { !known.contains($0) }) { throw UnknownProduct(id: unknown, known: known) }
        let kept = products.indices.filter { ids.contains(products[$0].id) }
        return BinningDocument(products: kept.map { products[$0] }, tables: kept.map { tables[$0] }, source: source)
    }

    /// Below this many labelled rows an offer's IVs run high: bins of 5% of all rows hold only a
    /// few labelled ones, whose WOE swings widely.
    package static let fewLabels = 1_000.0

    /// The rows labelled for product `p`.
    package func labelled(_ p: Int) -> Double { tables[p].map(\.labelled).max() ?? 0 }

    /// The usual reading of an information value (Siddiqi): below 0.02 not predictive, to 0.1
    /// weak, to 0.3 medium, to 0.5 strong, above: suspiciously strong (check for leakage).
    package static func strength(_ iv: Double) -> (zh: String, en: String) {
        switch iv {
        case ..<0.02: ("无预测力", "not predictive")
        case ..<0.1: ("弱", "weak")
        case ..<0.3: ("中", "medium")
        case ..<0.5: ("强", "strong")
        default: ("过强，查泄漏", "suspicious")
        }
    }

    package func render(_ format: Format) -> String { format == .json ? json() : table() }

    private func f(_ x: Double, _ digits: Int) -> String { x.isFinite ? Fixed.exact(x, digits: digits) : "-" }

    package func table() -> String {
        var out = "bins fitted on \(source); WOE = ln(share of successes / share of failures), IV = Σ (success share − failure share) × WOE\n"
        for (p, product) in products.enumerated() {
            out += "\n\(product.chineseName) (\(product.id)): information value by feature, \(Fixed.exact(labelled(p), digits: 0)) labelled rows"
                + (labelled(p) < Self.fewLabels ? " (few labels: IVs run high 样本少，IV 偏高)" : "") + "\n"
            let width = (tables[p].map { $0.title.displayWidth }.max() ?? 10) + 2
            out += "feature".padded(to: width) + "IV".padded(to: 8) + "strength".padded(to: 24) + "trend".padded(to: 7) + "bins\n"
            for t in tables[p] {
                let s = Self.strength(t.informationValue)
                out += t.title.padded(to: width) + f(t.informationValue, 3).padded(to: 8) + "\(s.zh) \(s.en)".padded(to: 24)
                    + t.trend.rawValue.padded(to: 7) + "\(t.bins.ordinaryBins)\n"
            }
            for t in tables[p] {
                out += "\n\(t.title) × \(product.chineseName): IV \(f(t.informationValue, 3)), trend \(t.trend.rawValue)\n"
                let labelWidth = max(12, (t.rows.map(\.label.displayWidth).max() ?? 0) + 2)
                out += "bin".padded(to: labelWidth) + "rows".padded(to: 10) + "share".padded(to: 8) + "success".padded(to: 9) + "failure".padded(to: 9)
                    + "rate".padded(to: 8) + "WOE".padded(to: 9) + "IV\n"
                let total = t.rows.reduce(0) { $0 + $1.rows }
                for r in t.rows where r.rows > 0 || r.label != "missing" {
                    out += r.label.padded(to: labelWidth) + f(r.rows, 0).padded(to: 10) + (f(100 * r.rows / max(total, 1), 1) + "%").padded(to: 8)
                        + f(r.events, 0).padded(to: 9) + f(r.nonEvents, 0).padded(to: 9) + f(r.eventRate, 3).padded(to: 8)
                        + f(r.woe, 3).padded(to: 9) + f(r.iv, 4) + "\n"
                }
            }
        }
        return out
    }

    package func json() -> String {
        func n(_ x: Double) -> JSONValue { x.isFinite ? .number(x) : .null }
        let products: [JSONValue] = products.enumerated().map { p, product in
            .object(JSONObject([
                ("id", .string(product.id)), ("name_zh", .string(product.chineseName)), ("name_en", .string(product.englishName)),
                ("labelled_rows", .number(labelled(p))),
                ("features", .array(tables[p].map { t in
                    .object(JSONObject([
                        ("name", .string(t.name)), ("zh", .string(t.chinese)), ("en", .string(t.english)),
                        ("iv", n(t.informationValue)), ("strength", .string(Self.strength(t.informationValue).en)), ("trend", .string(t.trend.rawValue)),
                        ("cuts", .array(t.bins.cuts.map(JSONValue.number))), ("special", .array(t.bins.special.map(JSONValue.number))),
                        ("bins", .array(t.rows.map { r in
                            .object(JSONObject([("label", .string(r.label)), ("rows", .number(r.rows)), ("events", .number(r.events)),
                                                ("non_events", .number(r.nonEvents)), ("event_rate", n(r.eventRate)), ("woe", n(r.woe)), ("iv", n(r.iv))]))
                        })),
                    ]))
                })),
            ]))
        }
        return JSONValue.object(JSONObject([("format", .string("finrec-bins")), ("format_version", .number(1)), ("source", .string(source)),
                                            ("woe", .string("ln(share of successes / share of failures); a bin without one counts 0.5")),
                                            ("products", .array(products))])).prettyPrinted()
    }
}
