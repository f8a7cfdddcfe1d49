package import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
package import FinRecCatalog
import FinRecModel
import FinRecInference
import FinRecEvaluation
/// The .xlsx forms of the score and rank documents, built from the typed documents (a stored
/// decision read back as a ``ScoreReport``), so a workbook holds exactly what was decided and audited.
package enum Workbooks {
    /// `finrec score --format xlsx`, the page's download: one row per applicant and offer in the
    /// officer's order, then the key figures and the 补充资料 of each applicant.
    /// `catalog` gives the lists' titles (its kinds).
    package static func score(_ document: ScoreReport, catalog: Catalog) -> XLSXWorkbook {
        let zh = document.language != "en"
        func t(_ chinese: String, _ english: String) -> String { zh ? chinese : english }
        var offers = XLSXWorkbook.Sheet(
            name: t("评分结果", "Offers"),
            header: [t("统一社会信用代码", "Enterprise id"), t("企业名称", "Name"), t("类别", "List"), t("排名", "Rank"), t("产品/板块代码", "Offer id"),
                     t("产品/板块", "Offer (Chinese)"), t("英文名称", "Offer (English)"), t("状态", "Status"), t("适配概率", "Probability"),
                     t("95%区间下限", "95% low"), t("95%区间上限", "95% high"), t("参考值", "Indicative"), t("评分", "Points"),
                     t("主要加分因素", "Reasons up"), t("主要减分因素", "Reasons down"), t("阻碍规则", "Blocking rules"),
                     t("差距", "Gap"), t("路径", "Path"), t("条款", "Terms"), t("规则来源", "Sources"),
                     t("年利率", "Rate"), t("贴息后年利率", "Rate after subsidies"), t("利息及费用（万元）", "Interest and fees (万元)"),
                     t("成本说明", "Cost"), t("可享金额（万元）", "Worth (万元)"), t("可享金额说明", "Worth note")],
            widths: [22, 28, 10, 6, 16, 16, 24, 9, 10, 10, 10, 8, 8, 40, 40, 60, 50, 36, 50, 60])
        var figures = XLSXWorkbook.Sheet(name: t("关键指标", "Key figures"),
                                         header: [t("统一社会信用代码", "Enterprise id"), t("企业名称", "Name"), t("指标", "Figure"), t("数值", "Value"), t("显示", "Shown as")],
                                         widths: [22, 28, 28, 14, 16])
        var supplements = XLSXWorkbook.Sheet(name: t("补充资料", "Supplements"),
                                             header: [t("统一社会信用代码", "Enterprise id"), t("企业名称", "Name"), t("资料", "Field"),
                                                      t("最多可加分", "Up to points"), t("产品", "Offer")],
                                             widths: [22, 28, 36, 12, 16])
        let listTitles = Dictionary(uniqueKeysWithValues: catalog.lists.map { ($0.id, t($0.chinese, $0.english)) })
        let statusTitles = ["pass": t("符合", "eligible"), "fail": t("不符合", "not eligible"), "unknown": t("待定", "undecided")]
        for e in document.enterprises {
            let id = XLSXWorkbook.Cell.text(e.enterpriseId), name = XLSXWorkbook.Cell.text(e.name ?? "")
            for o in e.offers {
                func codes(_ list: [ScoreReport.ReasonCode]) -> String { list.map(\.text).joined(separator: "；") }
                let sources = (o.reasons + o.warnings).map(\.source)
                let gap = o.gap.map { $0.items.map(\.text).joined(separator: "；") } ?? ""
                let terms = o.terms.map { [$0.amount, $0.term, $0.rate].joined(separator: "；") } ?? ""
                offers.rows.append([
                    id, name, .text(listTitles[o.list] ?? ""), .number(Double(o.rank)), .text(o.id),
                    .text(o.nameZh), .text(o.nameEn), .text(statusTitles[o.status] ?? o.status),
                    percent(o.probability), percent(o.probabilityInterval?.first), percent(o.probabilityInterval?.last),
                    .text(o.indicative ? t("是", "yes") : ""), number(o.points),
                    .text(codes(o.reasonCodesUp)), .text(codes(o.reasonCodesDown)), .text(o.reasons.map(\.text).joined(separator: "；")),
                    .text(gap), .text(o.path?.text ?? ""), .text(terms), .text(Array(Set(sources)).sorted().joined(separator: "；")),
                    percent(o.cost?.rate), percent(o.cost?.effectiveRate), number(o.cost?.total),
                    .text(o.cost.map { ([$0.text] + $0.notes).joined(separator: "；") } ?? ""), number(o.benefit), .text(o.benefitNote ?? ""),
                ])
            }
            for f in e.keyFigures {
                figures.rows.append([id, name, .text(f.label), number(f.value), .text(f.text)])
            }
            for s in e.supplements {
                supplements.rows.append([id, name, .text(s.label), .number(s.maxPoints), .text(s.offerId)])
            }
        }
        return XLSXWorkbook(sheets: [offers, figures, supplements])
    }

    /// `finrec rank --output x.xlsx`: the rank table under Chinese headers, numbers as numbers.
    package static func rank(_ document: RankDocument) -> XLSXWorkbook {
        let zh = document.language == .zh
        let headers: [String: (String, String)] = [
            "offer_id": ("产品/板块代码", "Offer id"), "offer_name_zh": ("产品/板块", "Offer (Chinese)"), "offer_name_en": ("英文名称", "Offer (English)"),
            "kind": ("类型", "Kind"), "group": ("分组", "Group"), "rank": ("排名", "Rank"), "enterprise_id": ("统一社会信用代码", "Enterprise id"),
            "name": ("企业名称", "Name"), "line": ("行号", "Line"), "probability": ("适配概率", "Probability"), "points": ("评分", "Points"),
            "reasons": ("理由", "Reasons"), "city": ("城市", "City"), "tier": ("资质等级", "Tier"), "gap_distance": ("差距", "Gap distance"),
            "nearest": ("最近标准", "Nearest standard"), "status": ("状态", "Status"), "missing_fields": ("缺少的字段", "Missing fields"),
            "benefit": ("可享金额（万元）", "Worth (万元)"),
        ]
        let columns = RankDocument.columns
        var sheet = XLSXWorkbook.Sheet(name: zh ? "排名" : "Ranking", header: columns.map { name in headers[name].map { zh ? $0.0 : $0.1 } ?? name },
                                       widths: columns.map { ["reasons", "nearest", "missing_fields"].contains($0) ? 50 : ["name", "offer_name_en"].contains($0) ? 28 : 14 })
        for row in document.table() {
            sheet.rows.append(row.map { cell in
                switch cell {
                case .text(let text): text.isEmpty ? .empty : .text(text)
                case .number(let x, _): .number(x)
                case .probability(let p, _): .percent(p)
                }
            })
        }
        return XLSXWorkbook(sheets: [sheet])
    }

    private static func number(_ value: Double?) -> XLSXWorkbook.Cell { value.map(XLSXWorkbook.Cell.number) ?? .empty }
    private static func percent(_ value: Double?) -> XLSXWorkbook.Cell { value.map(XLSXWorkbook.Cell.percent) ?? .empty }
}

/// Reading back FinRec's own CSV (RFC 4180: quoted fields may hold commas, quotes and line breaks).
package enum CSVText {
    package static func rows(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false, atFieldStart = true
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
                continue
            }
            switch c {
            case "\"" where atFieldStart: quoted = true; atFieldStart = false
            case ",": row.append(field); field = ""; atFieldStart = true
            case "\r": continue
            case "\n":
                row.append(field)
                rows.append(row)
                row = []; field = ""; atFieldStart = true
            default: field.unicodeScalars.append(c); atFieldStart = false
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}

extension JSONValue {
    /// The member `key` of an object; nil for anything else or a missing key.
    package subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
    package var string: String? { if case .string(let s) = self { s } else { nil } }
    package var number: Double? { if case .number(let x) = self { x } else { nil } }
    package var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    package var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
}
