package import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FinRecModel
package import FinRecInference
import FinRecEvaluation
package import FinRecPlanning

/// A plan's result (`finrec plan`): the firms each programme chose, what they should bring with
/// its distribution, and each target's forecast — as a Chinese terminal table, CSV (one line per
/// chosen firm), JSON (`finrec-plan-result`, format version 1) and an Excel workbook.
public struct PlanDocument: Sendable {
    public enum Format: String, Sendable, CaseIterable { case csv, json, xlsx }
    public static let formatVersion = 1

    package let result: PlanResult
    package let scorer: OfferScorer
    public let modelPath: String
    public let asOf: String
    public let planPath: String
    /// How long the choice took after the pool was read and scored (the minimum-cost flow), in seconds.
    public var solveSeconds = 0.0

    package init(result: PlanResult, scorer: OfferScorer, modelPath: String, asOf: String, planPath: String) {
        self.result = result
        self.scorer = scorer
        self.modelPath = modelPath
        self.asOf = asOf
        self.planPath = planPath
    }

    /// What the probabilities mean, said wherever counts are forecast.
    public static let horizonNote = "期限：模型的概率是企业提出申请后一年内成功（获得贷款、上市或挂牌申请获受理、获得基金投资）的概率，与训练数据标签的含义相同；预计数按每家企业都提出申请计算，实际申请的企业越少，成功数越少。"
    public static let horizonNoteEnglish = "Horizon: a probability is that of success within a year of an application (loan granted, listing or quotation accepted, investment made), as the model's labels mean; expected counts assume every firm applies, so fewer applications bring fewer successes."

    /// The note on a synthetic model's probabilities, nil for a bank's.
    package var probabilityNote: String? { scorer.model.provenance.probabilityNote(.zh) }

    // MARK: - CSV

    /// The columns of the CSV (one line per chosen firm) and of each programme's sheet.
    public static let columns = ["programme_id", "programme_name_zh", "measure", "rank", "enterprise_id", "name", "city", "line",
                                 "offer_id", "offer_name_zh", "probability", "gap_distance", "shortfalls"]

    package func rows() -> [[String]] {
        var rows: [[String]] = []
        for p in result.programmes {
            for (i, c) in p.selected.enumerated() {
                let offer = scorer.catalog.offers[c.offer]
                rows.append([p.spec.id, p.spec.chinese, p.spec.measure.rawValue, String(i + 1), c.enterpriseID, c.name ?? "", c.city ?? "",
                             String(c.line), offer.id, offer.chineseName, c.probability.map { "\($0)" } ?? "",
                             p.spec.measure == .gap ? Fixed.exact(c.value, digits: 4) : "",
                             c.gap?.items.map(\.text).joined(separator: "; ") ?? ""])
            }
        }
        return rows
    }

    public func csv() -> String {
        var out = Self.columns.joined(separator: ",") + "\n"
        for row in rows() { out += row.map(CSVField.escape).joined(separator: ",") + "\n" }
        return out
    }

    // MARK: - JSON

    public func json() -> String {
        let programmes: [JSONValue] = result.programmes.map { p in
            var members: [(String, JSONValue)] = [
                ("id", .string(p.spec.id)), ("name_zh", .string(p.spec.chinese)), ("name_en", p.spec.english.map(JSONValue.string) ?? .null),
                ("measure", .string(p.spec.measure.rawValue)), ("capacity", .number(Double(p.spec.capacity))),
                ("offers", .array(p.spec.offers.map { .string(scorer.catalog.offers[$0].id) })),
                ("where", p.spec.whereText.map(JSONValue.string) ?? .null),
                ("qualifying", .number(Double(p.candidates))), ("selected", .number(Double(p.selected.count))),
                ("total_value", .number(p.total)),
            ]
            if let s = p.successes {
                members.append(("expected_successes", .number(s.mean)))
                members.append(("successes_quantiles", .object(JSONObject([
                    ("p5", .number(Double(s.quantile(0.05)))), ("p50", .number(Double(s.quantile(0.5)))), ("p95", .number(Double(s.quantile(0.95)))),
                ]))))
                members.append(("at_least", .array(p.spec.atLeast.map { k in
                    .object(JSONObject([("k", .number(Double(k))), ("probability", .number(s.probability(atLeast: k)))]))
                })))
            }
            members.append(("city_quotas", .array(p.spec.cities.map { q in
                .object(JSONObject([("city", .string(q.city)), ("min", .number(Double(q.min))), ("max", q.max.map { .number(Double($0)) } ?? .null),
                                    ("selected", .number(Double(p.cities.first { $0.city == q.city }?.firms ?? 0)))]))
            })))
            members.append(("cities", .object(JSONObject(p.cities.map { ($0.city, .number(Double($0.firms))) }))))
            members.append(("firms", .array(p.selected.enumerated().map { i, c in
                let offer = scorer.catalog.offers[c.offer]
                var firm: [(String, JSONValue)] = [
                    ("rank", .number(Double(i + 1))), ("enterprise_id", .string(c.enterpriseID)), ("name", c.name.map(JSONValue.string) ?? .null),
                    ("city", c.city.map(JSONValue.string) ?? .null), ("line", .number(Double(c.line))),
                    ("offer_id", .string(offer.id)), ("offer_name_zh", .string(offer.chineseName)),
                    ("probability", c.probability.map(JSONValue.number) ?? .null),
                ]
                if p.spec.measure == .gap {
                    firm.append(("gap_distance", .number(c.value)))
                    firm.append(("shortfalls", .array((c.gap?.items ?? []).map(\.json))))
                }
                return .object(JSONObject(firm))
            })))
            return .object(JSONObject(members))
        }
        let targets: [JSONValue] = result.targets.map { t in
            let s = t.successes, interval = s.interval(0.9)
            return .object(JSONObject([
                ("id", .string(t.spec.id)), ("name_zh", .string(t.spec.chinese)), ("name_en", t.spec.english.map(JSONValue.string) ?? .null),
                ("offers", .array(t.spec.offers.map { .string(scorer.catalog.offers[$0].id) })), ("target", .number(Double(t.spec.target))),
                ("firms_with_probability", .number(Double(t.firms))), ("expected_successes", .number(s.mean)),
                ("interval_90", .array([.number(Double(interval.lowerBound)), .number(Double(interval.upperBound))])),
                ("probability_reached", .number(t.probabilityReached)),
            ]))
        }
        return JSONValue.object(JSONObject([
            ("format", .string("finrec-plan-result")), ("format_version", .number(Double(Self.formatVersion))),
            ("finrec_version", .string(FinRecVersion.current)), ("model", .string(modelPath)), ("plan", .string(planPath)),
            ("as_of", .string(asOf)), ("rows", .number(Double(result.rows))),
            ("max_programmes_per_firm", .number(Double(result.maxProgrammesPerFirm))), ("objective", .number(result.objective)),
            ("horizon", .string(Self.horizonNoteEnglish)), ("probability_note", probabilityNote.map(JSONValue.string) ?? .null),
            ("programmes", .array(programmes)), ("targets", .array(targets)),
        ])).prettyPrinted()
    }

    // MARK: - Terminal

    /// Per programme: what it chose and should bring; per target: the forecast; the first `firms`
    /// chosen firms of each programme.
    public func table(firms: Int = 10) -> String {
        var out = "规划：\(planPath)；企业 \(result.rows) 家；评估日 \(asOf)；每家企业最多进入 \(result.maxProgrammesPerFirm) 个项目\n\n"
        for p in result.programmes {
            out += "【\(p.spec.chinese)】(\(p.spec.id)) 名额 \(p.spec.capacity)，符合条件 \(p.candidates) 家，入选 \(p.selected.count) 家\n"
            out += "  产品/板块：" + p.spec.offers.map { scorer.catalog.offers[$0].displayName }.joined(separator: "、") + "\n"
            if let w = p.spec.whereText { out += "  条件：\(w)\n" }
            if let s = p.successes {
                out += "  按概率选取：概率合计（预计成功数）\(Fixed.exact(s.mean, digits: 1))，90% 区间 \(s.quantile(0.05))–\(s.quantile(0.95))，中位数 \(s.quantile(0.5))\n"
                for k in p.spec.atLeast { out += "  至少 \(k) 家成功的概率：\(Fixed.exact(100 * s.probability(atLeast: k), digits: 1))%\n" }
            } else {
                out += "  按差距选取（尚未符合条件、差距最小者优先）：差距合计 \(Fixed.exact(p.total, digits: 2))，平均 \(Fixed.exact(p.total / Double(max(p.selected.count, 1)), digits: 3))\n"
            }
            let quotas = p.spec.cities.map { q in
                let n = p.cities.first { $0.city == q.city }?.firms ?? 0
                return "\(q.city) \(n)（" + [q.min > 0 ? "下限 \(q.min)" : nil, q.max.map { "上限 \($0)" }].compactMap { $0 }.joined(separator: "，") + "）"
            }
            if !quotas.isEmpty { out += "  城市名额：" + quotas.joined(separator: "；") + "\n" }
            out += "  各市入选：" + p.cities.prefix(16).map { "\($0.city.isEmpty ? "（未填）" : $0.city) \($0.firms)" }.joined(separator: "，") + "\n"
            let shown = p.selected.prefix(firms)
            if !shown.isEmpty {
                out += "  前 \(shown.count) 家：\n"
                for (i, c) in shown.enumerated() {
                    let value = p.spec.measure == .probability
                        ? "概率 \(Fixed.exact(c.value, digits: 3))"
                        : "差距 \(Fixed.exact(c.value, digits: 3))：" + (c.gap?.items.map(\.text).joined(separator: "；") ?? "")
                    out += "   \(String(i + 1).padded(to: 4))\(c.enterpriseID)  \((c.name ?? "").padded(to: 32))  \((c.city ?? "").padded(to: 6))\(scorer.catalog.offers[c.offer].chineseName.padded(to: 10))  \(value)\n"
                }
            }
            out += "\n"
        }
        for t in result.targets {
            let s = t.successes, interval = s.interval(0.9)
            out += "【目标】\(t.spec.chinese)（\(t.spec.id)）目标 \(t.spec.target)：全池预计 \(Fixed.exact(s.mean, digits: 1))，90% 区间 \(interval.lowerBound)–\(interval.upperBound)，"
                + "达到目标的概率 \(Fixed.exact(100 * t.probabilityReached, digits: 1))%（\(t.firms) 家企业有概率；"
                + t.spec.offers.map { scorer.catalog.offers[$0].chineseName }.joined(separator: "、") + "）\n"
        }
        out += "\n" + Self.horizonNote + "\n"
        if let note = probabilityNote { out += note + "\n" }
        return out
    }

    // MARK: - Workbook

    package func workbook() -> XLSXWorkbook {
        var summary = XLSXWorkbook.Sheet(name: "概览", header: ["项目/目标", "代码", "名额/目标", "符合条件", "入选", "预计成功数", "5%", "50%", "95%", "达到目标的概率", "说明"],
                                         widths: [26, 16, 10, 10, 8, 12, 8, 8, 8, 14, 60])
        for p in result.programmes {
            let s = p.successes
            summary.rows.append([.text(p.spec.chinese), .text(p.spec.id), .number(Double(p.spec.capacity)), .number(Double(p.candidates)),
                                 .number(Double(p.selected.count)), s.map { .number($0.mean) } ?? .empty,
                                 s.map { .number(Double($0.quantile(0.05))) } ?? .empty, s.map { .number(Double($0.quantile(0.5))) } ?? .empty,
                                 s.map { .number(Double($0.quantile(0.95))) } ?? .empty, .empty,
                                 .text(p.spec.measure == .probability ? "按概率选取" : "按差距选取，差距合计 \(Fixed.exact(p.total, digits: 2))")])
        }
        for t in result.targets {
            let s = t.successes
            summary.rows.append([.text(t.spec.chinese), .text(t.spec.id), .number(Double(t.spec.target)), .number(Double(t.firms)), .empty,
                                 .number(s.mean), .number(Double(s.quantile(0.05))), .number(Double(s.quantile(0.5))), .number(Double(s.quantile(0.95))),
                                 .percent(t.probabilityReached), .text("全池，每家企业取目标产品中的最高概率")])
        }
        summary.rows.append([.text(Self.horizonNote)])
        if let note = probabilityNote { summary.rows.append([.text(note)]) }
        var sheets = [summary]
        let byProgramme = Dictionary(grouping: rows(), by: { $0[0] })
        let headers = ["项目代码", "项目", "方式", "排名", "统一社会信用代码", "企业名称", "城市", "行号", "产品/板块代码", "产品/板块", "适配概率", "差距", "差距明细"]
        for (j, p) in result.programmes.enumerated() {
            var sheet = XLSXWorkbook.Sheet(name: Self.sheetName(p.spec.chinese, index: j), header: headers,
                                           widths: [14, 24, 10, 6, 22, 30, 8, 8, 14, 16, 10, 8, 60])
            for row in byProgramme[p.spec.id] ?? [] {
                sheet.rows.append(row.enumerated().map { i, cell in
                    if cell.isEmpty { return .empty }
                    switch i {
                    case 3, 7, 11: return Double(cell).map(XLSXWorkbook.Cell.number) ?? .text(cell)
                    case 10: return Double(cell).map(XLSXWorkbook.Cell.percent) ?? .text(cell)
                    default: return .text(cell)
                    }
                })
            }
            sheets.append(sheet)
        }
        return XLSXWorkbook(sheets: sheets)
    }

    /// A sheet name Excel accepts: at most 31 characters, none of []:*?/\, unique by its position.
    static func sheetName(_ name: String, index: Int) -> String {
        let cleaned = String(name.filter { !"[]:*?/\\".contains($0) }.prefix(27))
        return "\(index + 1) \(cleaned)"
    }

    /// The document in `format` (text as UTF-8).
    package func bytes(_ format: Format, byteOrderMark: Bool = false) throws(FileWriteError) -> [UInt8] {
        switch format {
        case .csv: Array(((byteOrderMark ? CSVField.byteOrderMark : "") + csv()).utf8)
        case .json: Array(json().utf8)
        case .xlsx: try workbook().bytes()
        }
    }
}
