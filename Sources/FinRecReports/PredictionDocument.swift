import FinRecBase
import FinRecRecords
package import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FinRecModel
import FinRecInference
import FinRecEvaluation
/// The scores of ready-made feature rows (`finrec predict`): a terminal table, CSV (logit and
/// probability per product) or JSON.
package struct PredictionDocument: Sendable {
    package enum Format: String, Sendable, CaseIterable { case table, csv, json }

    package let model: LinearModel
    package let ids: [String]
    /// rows × products.
    package let logits: Matrix<Double>

    package init(model: LinearModel, ids: [String], logits: Matrix<Double>) {
        self.model = model
        self.ids = ids
        self.logits = logits
    }

    package func render(_ format: Format) -> String {
        switch format {
        case .table: table()
        case .csv: csv()
        case .json: json()
        }
    }

    package func table() -> String {
        var out = "probability of success per product (logit in brackets)\n"
        let columns = model.products.map(\.displayName)
        let idWidth = max(2, ids.map(\.displayWidth).max() ?? 0)
        let widths = columns.map { max($0.displayWidth, 16) }
        out += "id".padded(to: idWidth) + "  " + zip(columns, widths).map { $0.padded(to: $1) }.joined(separator: "  ") + "\n"
        for (i, id) in ids.enumerated() {
            let cells = (0..<model.products.count).map { k in
                let z = logits[i, k]
                return "\(Fixed.exact(Sigmoid.probability(z), digits: 4)) [\(Fixed.exact(z, digits: 3))]"
            }
            out += id.padded(to: idWidth) + "  " + zip(cells, widths).map { $0.padded(to: $1) }.joined(separator: "  ") + "\n"
        }
        return out
    }

    package func csv() -> String {
        var out = "id," + model.products.map { "\($0.id)_logit,\($0.id)_probability" }.joined(separator: ",") + "\n"
        for (i, id) in ids.enumerated() {
            out += CSVField.escape(id)
            for k in 0..<model.products.count {
                let z = logits[i, k]
                out += ",\(z),\(Sigmoid.probability(z))"
            }
            out += "\n"
        }
        return out
    }

    package func json() -> String {
        let products: [JSONValue] = model.products.map { p in
            .object(JSONObject([("id", .string(p.id)), ("name_zh", .string(p.chineseName)), ("name_en", .string(p.englishName))]))
        }
        let rows: [JSONValue] = ids.enumerated().map { i, id in
            let scores: [JSONValue] = model.products.enumerated().map { k, p in
                .object(JSONObject([("id", .string(p.id)), ("logit", .number(logits[i, k])),
                                    ("probability", .number(Sigmoid.probability(logits[i, k])))]))
            }
            return .object(JSONObject([("id", .string(id)), ("scores", .array(scores))]))
        }
        return JSONValue.object(JSONObject([("products", .array(products)), ("rows", .array(rows))])).prettyPrinted()
    }
}
