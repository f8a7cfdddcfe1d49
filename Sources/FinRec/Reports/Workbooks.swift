/// The .xlsx forms of the score and rank documents. Both are built from the documents themselves
/// (the finrec-score JSON, the rank CSV), so a workbook holds exactly what was decided and audited.
public enum Workbooks {
    /// `finrec score --format xlsx`, the page's download: one row per applicant and offer in the
    /// officer's order, then the key figures and the 补充资料 of each applicant.
    /// `catalog` gives the lists' titles (its kinds).
    public static func score(_ document: JSONValue, catalog: Catalog) -> XLSXWorkbook {
        let zh = document["language"]?.string != "en"
        func t(_ chinese: String, _ english: String) -> String { zh ? chinese : english }
        var offers = XLSXWorkbook.Sheet(
            name: t("评分结果", "Offers"),
            header: [t("统一社会信用代码", "Enterprise id"), t("企业名称", "Name"), t("类别", "List"), t("排名", "Rank"), t("产品/板块代码", "Offer id"),
                     t("产品/板块", "Offer (Chinese)"), t("英文名称", "Offer (English)"), t("状态", "Status"), t("适配概率", "Probability"),
                     t("95%区间下限", "95% low"), t("95%区间上限", "95% high"), t("参考值", "Indicative"), t("评分", "Points"),
                     t("主要加分因素", "Reasons up"), t("主要减分因素", "Reasons down"), t("阻碍规则", "Blocking rules"),
                     t("差距", "Gap"), t("路径", "Path"), t("条款", "Terms"), t("规则来源", "Sources")],
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
        for e in document["enterprises"]?.array ?? [] {
            let id = XLSXWorkbook.Cell.text(e["enterprise_id"]?.string ?? ""), name = XLSXWorkbook.Cell.text(e["name"]?.string ?? "")
            for o in e["offers"]?.array ?? [] {
                let interval = o["probability_interval"]?.array
                func codes(_ key: String) -> String { (o[key]?.array ?? []).map(reasonCodeText).joined(separator: "；") }
                let reasons = (o["reasons"]?.array ?? []).compactMap { $0["text"]?.string }
                let sources = ((o["reasons"]?.array ?? []) + (o["warnings"]?.array ?? [])).compactMap { $0["source"]?.string }
                let gap = o["gap"].flatMap { g in g["items"]?.array?.compactMap { $0["text"]?.string }.joined(separator: "；") } ?? ""
                let terms = o["terms"].map { t in ["amount", "term", "rate"].compactMap { t[$0]?.string }.joined(separator: "；") } ?? ""
                let status = o["status"]?.string ?? ""
                offers.rows.append([
                    id, name, .text(listTitles[o["list"]?.string ?? ""] ?? ""), number(o["rank"]), .text(o["id"]?.string ?? ""),
                    .text(o["name_zh"]?.string ?? ""), .text(o["name_en"]?.string ?? ""), .text(statusTitles[status] ?? status),
                    percent(o["probability"]), percent(interval?.first), percent(interval?.last),
                    .text(o["indicative"]?.bool == true ? t("是", "yes") : ""), number(o["points"]),
                    .text(codes("reason_codes_up")), .text(codes("reason_codes_down")), .text(reasons.joined(separator: "；")),
                    .text(gap), .text(o["path"]?["text"]?.string ?? ""), .text(terms), .text(Array(Set(sources)).sorted().joined(separator: "；")),
                ])
            }
            for f in e["key_figures"]?.array ?? [] {
                figures.rows.append([id, name, .text(f["label"]?.string ?? ""), number(f["value"]), .text(f["text"]?.string ?? "")])
            }
            for s in e["supplements"]?.array ?? [] {
                supplements.rows.append([id, name, .text(s["label"]?.string ?? ""), number(s["max_points"]), .text(s["offer_id"]?.string ?? "")])
            }
        }
        return XLSXWorkbook(sheets: [offers, figures, supplements])
    }

    /// `finrec rank --output x.xlsx`: the rank table under Chinese headers, numbers as numbers.
    public static func rank(_ document: RankDocument) -> XLSXWorkbook {
        let zh = document.language == .zh
        let headers: [String: (String, String)] = [
            "offer_id": ("产品/板块代码", "Offer id"), "offer_name_zh": ("产品/板块", "Offer (Chinese)"), "offer_name_en": ("英文名称", "Offer (English)"),
            "kind": ("类型", "Kind"), "group": ("分组", "Group"), "rank": ("排名", "Rank"), "enterprise_id": ("统一社会信用代码", "Enterprise id"),
            "name": ("企业名称", "Name"), "line": ("行号", "Line"), "probability": ("适配概率", "Probability"), "points": ("评分", "Points"),
            "reasons": ("理由", "Reasons"), "city": ("城市", "City"), "tier": ("资质等级", "Tier"), "gap_distance": ("差距", "Gap distance"),
            "nearest": ("最近标准", "Nearest standard"), "status": ("状态", "Status"), "missing_fields": ("缺少的字段", "Missing fields"),
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

    /// A reason code of the finrec-score document as the officer reads it: "发明专利数（对数）（21）+42.7".
    /// A missing value's code also says how it is scored until supplied: "近24个月逾期次数（缺失）−48.7（缺失按训练数据中最不利的取值计分，补充后重算）".
    public static func reasonCodeText(_ code: JSONValue) -> String {
        "\(code["label"]?.string ?? "")（\(code["value"]?.string ?? "—")）\(Fixed.signed(code["points"]?.number ?? 0, digits: 1))"
            + (code["missing_note"]?.string.map { "（\($0)）" } ?? "")
    }

    private static func number(_ value: JSONValue?) -> XLSXWorkbook.Cell { value?.number.map(XLSXWorkbook.Cell.number) ?? .empty }
    private static func percent(_ value: JSONValue?) -> XLSXWorkbook.Cell { value?.number.map(XLSXWorkbook.Cell.percent) ?? .empty }
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
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var number: Double? { if case .number(let x) = self { x } else { nil } }
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
}
