import FinRec
import Foundation
import Testing

@Suite("Flat scorecard: the table adds up to the score")
struct ScorecardTests {
    /// RFC 4180 fields of one line (quotes doubled inside quoted fields).
    static func fields(_ line: Substring) -> [String] {
        var out: [String] = [], field = "", quoted = false, previous: Character = " "
        for c in line {
            if quoted {
                if c == "\"" { quoted = false } else { field.append(c) }
            } else if c == "\"" {
                if previous == "\"" { field.append("\"") }
                quoted = true
            } else if c == "," {
                out.append(field)
                field = ""
            } else {
                field.append(c)
            }
            previous = c
        }
        out.append(field)
        return out
    }

    /// Each row's points from the CSV, read as a user of the table would: base plus, per feature,
    /// the row of its bin, special value, category or missing value, or the linear formula.
    static func tablePoints(csv: String, model: TrainedModel, chunk: RecordChunk, parameters: [String: Double]) -> [[Double]] {
        let lines = csv.split(separator: "\n")
        let header = fields(lines[0])
        let rows = lines.dropFirst().map { line in Dictionary(uniqueKeysWithValues: zip(header, fields(line))) }
        func number(_ s: String?) -> Double? { s.flatMap { $0.isEmpty ? nil : Double($0) } }
        // product → feature → its rows
        var byProduct: [String: [String: [[String: String]]]] = [:]
        for row in rows { byProduct[row["product_id"]!, default: [:]][row["feature"]!, default: []].append(row) }
        return (0..<chunk.rowCount).map { r in
            let values = model.features.displayValues(chunk, row: r, parameters: parameters)
            return model.linear.products.map { product in
                let mine = byProduct[product.id]!
                var total = number(mine["(base)"]!.first!["points"])!
                for (j, feature) in model.features.spec.features.enumerated() {
                    let entries = mine[feature.name]!
                    let missing = number(entries.first { $0["kind"] == "missing" }?["points"])!
                    switch values[j] {
                    case .missing: total += missing
                    case .category(let code, _):
                        total += number((entries.first { $0["kind"] == "category" && $0["bin"] == code } ?? entries.first { $0["kind"] == "other" }!)["points"])!
                    case .number(let v):
                        if let linear = entries.first(where: { $0["kind"] == "linear" }) {
                            var t = v
                            switch linear["transform"] {
                            case "log1p": t = v >= 0 ? log1p(v) : .nan
                            case "signed_log1p": t = v < 0 ? -log1p(-v) : log1p(v)
                            default: break
                            }
                            if t.isNaN { total += missing; continue }
                            // One-sided models: the line beyond the clipping range, as far as the row says.
                            for e in entries where e["kind"] == "above" || e["kind"] == "below" {
                                let lower = number(e["lower"])!, upper = number(e["upper"])!, slope = number(e["slope"])!
                                total += slope * (e["kind"] == "above" ? max(min(t, upper) - lower, 0) : max(upper - max(t, lower), 0))
                            }
                            t = min(max(t, number(linear["lower"]) ?? -.infinity), number(linear["upper"]) ?? .infinity)
                            total += number(linear["points"])! + number(linear["slope"])! * t
                        } else if let special = entries.first(where: { $0["kind"] == "special" && number($0["lower"]) == v }) {
                            total += number(special["points"])!
                        } else {
                            let bin = entries.first { $0["kind"] == "bin" && (number($0["lower"]) ?? -.infinity) <= v && v < (number($0["upper"]) ?? .infinity) }!
                            total += number(bin["points"])!
                        }
                    }
                }
                return total
            }
        }
    }

    func check(_ model: TrainedModel, pool: String) throws {
        let csv = ScorecardDocument(model: model).render(.csv)
        let chunk = try #require(try CSVRecordReader(path: pool, schema: EnterpriseSchema.schema, options: { var o = ReaderOptions(); o.chunkRows = 600; return o }()).nextChunk())
        let parameters = ["as_of_date": Double(assessmentDay)]
        // The scorer behind `finrec score` and `finrec rank`.
        let logits = try OfferScorer(model: model, asOf: assessmentDay).score(chunk, firstRow: 0).logits
        let table = Self.tablePoints(csv: csv, model: model, chunk: chunk, parameters: parameters)
        var worst = 0.0
        for r in 0..<chunk.rowCount {
            for p in model.linear.products.indices {
                let points = model.scaling.points(logit: logits[r, p])
                worst = max(worst, abs(table[r][p] - points) / max(1, abs(points)))
            }
        }
        #expect(worst < 1e-10, "largest relative difference between the table's sum and the score's points: \(worst)")
    }

    @Test("A binned model: base plus one bin, special, category or missing row per feature equals the score's points on 600 firms × 10 offers")
    func binnedModelAddsUp() throws {
        let (model, data) = try BinnedModelTests.trainedModel(seed: 58, count: 4_000)
        try check(model, pool: data)
    }

    @Test("The shipped model: linear rows (transform, clip, slope) add up the same way")
    func shippedModelAddsUp() throws {
        try check(try TrainedModel.read(from: repositoryRoot() + "/Models/default-model.json"), pool: repositoryRoot() + "/Datasets/shandong-pool.csv")
    }
}
