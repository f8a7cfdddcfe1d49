package import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
package import FinRecCatalog
import FinRecModel
import FinRecInference
package import FinRecEvaluation

/// A panel followed year by year (`finrec track`): transitions, the backtest and the movers, as a
/// Chinese (or English) terminal table, CSV (one long table with a `section` column), JSON
/// (`finrec-track`, format version 1) and an Excel workbook (a sheet per section).
public struct TrackDocument: Sendable {
    public enum Format: String, Sendable, CaseIterable { case csv, json, xlsx }
    public static let formatVersion = 1

    package let track: PanelTrack
    package let catalog: Catalog
    package let transitions: [PanelTrack.Transitions]
    package let backtests: [PanelTrack.Backtest]
    package let movers: [(rises: [PanelTrack.Mover], falls: [PanelTrack.Mover])]
    public let modelPath: String
    public let panelPath: String
    package let probabilityNote: String?
    package let language: Language

    package init(track: PanelTrack, catalog: Catalog, movers: Int, modelPath: String, panelPath: String, probabilityNote: String?, language: Language) {
        self.track = track
        self.catalog = catalog
        transitions = track.transitions(catalog: catalog)
        backtests = track.backtest()
        self.movers = track.movers(count: movers)
        self.modelPath = modelPath
        self.panelPath = panelPath
        self.probabilityNote = probabilityNote
        self.language = language
    }

    var zh: Bool { language == .zh }
    func offerName(_ i: Int) -> String { catalog.offers[track.offers[i]].displayName }
    static let tierNames = ["innovative": "创新型", "provincial_srdi": "专精特新", "little_giant": "小巨人", "none": "无"]
    static let boardNames = ["bse": "北交所", "star": "科创板", "chinext": "创业板", "sse_main": "沪市主板", "szse_main": "深市主板", "hk": "港股", "overseas": "境外"]

    /// How many backtests' observed counts fall inside their 90% intervals.
    package var coverage: (inside: Int, total: Int) { (backtests.filter(\.inside).count, backtests.count) }

    public static let horizonNote = "回测：第 t 年的概率（按 t+1 年 6 月 30 日评估）对照其后一年的实际结果（标签）；概率是申请前提下成功的概率，只计入提出申请且未被规则排除的企业。"

    // MARK: - Long table (CSV and workbook)

    /// The columns of the CSV: one long table, a `section` (transition, backtest, rise, fall, flag) per row.
    public static let columns = ["section", "from_year", "to_year", "item", "offer_id", "offer_name_zh", "enterprise_id", "name",
                                 "value", "applicants", "observed", "expected", "interval_low", "interval_high", "inside", "auc", "brier",
                                 "before", "after", "status_before", "status_after", "reasons_gained", "reasons_lost"]

    package func rows() -> [[String]] {
        var out: [[String]] = []
        func blank(_ n: Int) -> [String] { Array(repeating: "", count: n) }
        for t in transitions {
            var items: [(String, Int)] = [("firms", t.firms), ("exits", t.exits), ("entries", t.entries), ("new_quotations", t.newQuotations),
                                          ("new_regional_board", t.newRegionalBoard)]
            items += t.upgrades.sorted { $0.key < $1.key }.map { ("upgrade_\($0.key)", $0.value) }
            items += t.losses.sorted { $0.key < $1.key }.map { ("loss_\($0.key)", $0.value) }
            items += t.newListings.sorted { $0.key < $1.key }.map { ("listing_\($0.key)", $0.value) }
            items += t.investments.sorted { $0.key < $1.key }.map { ("investment_\($0.key)", $0.value) }
            for (item, n) in items {
                out.append(["transition", String(t.from), String(t.to), item, "", "", "", "", String(n)] + blank(14))
            }
        }
        for b in backtests {
            let offer = catalog.offers[track.offers[b.offer]]
            out.append(["backtest", String(b.year), String(b.year + 1), "", offer.id, offer.chineseName, "", "", "",
                        String(b.applicants), String(b.observed), "\(b.successes.mean)", String(b.interval.lowerBound), String(b.interval.upperBound),
                        b.inside ? "1" : "0", b.metrics.map { "\($0.auc)" } ?? "", b.metrics.map { "\($0.brier)" } ?? ""] + blank(6))
        }
        for pair in movers {
            for (section, list) in [("rise", pair.rises), ("fall", pair.falls)] {
                for m in list {
                    let offer = catalog.offers[track.offers[m.offer]]
                    out.append([section, String(m.from), String(m.to), "", offer.id, offer.chineseName, m.id, m.name ?? "", "\(m.change)"]
                               + blank(8) + ["\(m.before)", "\(m.after)", m.statusBefore.code, m.statusAfter.code,
                                             m.gained.joined(separator: "; "), m.lost.joined(separator: "; ")])
                }
            }
        }
        for f in track.flags {
            out.append(["flag", "", "", f.message, "", "", f.id, "", String(f.line)] + blank(14))
        }
        return out
    }

    public func csv() -> String {
        var out = Self.columns.joined(separator: ",") + "\n"
        for row in rows() { out += row.map(CSVField.escape).joined(separator: ",") + "\n" }
        return out
    }

    // MARK: - JSON

    public func json() -> String {
        func counts(_ d: [String: Int]) -> JSONValue { .object(JSONObject(d.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) })) }
        let transitionValues: [JSONValue] = transitions.map { t in
            .object(JSONObject([
                ("from", .number(Double(t.from))), ("to", .number(Double(t.to))), ("firms", .number(Double(t.firms))),
                ("exits", .number(Double(t.exits))), ("entries", .number(Double(t.entries))), ("upgrades", counts(t.upgrades)),
                ("losses", counts(t.losses)), ("new_quotations", .number(Double(t.newQuotations))), ("new_listings", counts(t.newListings)),
                ("new_regional_board", .number(Double(t.newRegionalBoard))), ("investments", counts(t.investments)),
            ]))
        }
        let backtestValues: [JSONValue] = backtests.map { b in
            let offer = catalog.offers[track.offers[b.offer]]
            return .object(JSONObject([
                ("year", .number(Double(b.year))), ("offer_id", .string(offer.id)), ("name_zh", .string(offer.chineseName)),
                ("applicants", .number(Double(b.applicants))), ("ruled_out", .number(Double(b.ruledOut))), ("observed", .number(Double(b.observed))),
                ("expected", .number(b.successes.mean)),
                ("interval_90", .array([.number(Double(b.interval.lowerBound)), .number(Double(b.interval.upperBound))])),
                ("inside", .bool(b.inside)), ("auc", b.metrics.map { .number($0.auc) } ?? .null), ("brier", b.metrics.map { .number($0.brier) } ?? .null),
            ]))
        }
        func mover(_ m: PanelTrack.Mover) -> JSONValue {
            .object(JSONObject([
                ("enterprise_id", .string(m.id)), ("name", m.name.map(JSONValue.string) ?? .null), ("offer_id", .string(catalog.offers[track.offers[m.offer]].id)),
                ("from", .number(Double(m.from))), ("to", .number(Double(m.to))), ("before", .number(m.before)), ("after", .number(m.after)),
                ("status_before", .string(m.statusBefore.code)), ("status_after", .string(m.statusAfter.code)),
                ("reasons_gained", .array(m.gained.map(JSONValue.string))), ("reasons_lost", .array(m.lost.map(JSONValue.string))),
            ]))
        }
        let coverage = self.coverage
        return JSONValue.object(JSONObject([
            ("format", .string("finrec-track")), ("format_version", .number(Double(Self.formatVersion))), ("finrec_version", .string(FinRecVersion.current)),
            ("model", .string(modelPath)), ("panel", .string(panelPath)), ("rows", .number(Double(track.rows))),
            ("fiscal_years", .array(track.fiscalYears.map { .number(Double($0)) })),
            ("transitions", .array(transitionValues)), ("backtest", .array(backtestValues)),
            ("coverage_90", .object(JSONObject([("inside", .number(Double(coverage.inside))), ("total", .number(Double(coverage.total)))]))),
            ("rises", .array(movers.flatMap(\.rises).map(mover))), ("falls", .array(movers.flatMap(\.falls).map(mover))),
            ("flags", .array(track.flags.map { .object(JSONObject([("enterprise_id", .string($0.id)), ("line", .number(Double($0.line))), ("message", .string($0.message))])) })),
            ("probability_note", probabilityNote.map(JSONValue.string) ?? .null),
        ])).prettyPrinted()
    }

    // MARK: - Terminal

    public func table(moversShown: Int = 3) -> String {
        let years = track.fiscalYears
        var out = "面板 \(panelPath)：\(track.rows) 行，\(years.first.map(String.init) ?? "")–\(years.last.map(String.init) ?? "") 年\n\n【年度变化】\n"
        for t in transitions {
            let up = t.upgrades.sorted { $0.key < $1.key }.map { "\(Self.tierNames[$0.key] ?? $0.key) \($0.value)" }.joined(separator: "，")
            let down = t.losses.sorted { $0.key < $1.key }.map { "\(Self.tierNames[$0.key] ?? $0.key) \($0.value)" }.joined(separator: "，")
            let listings = t.newListings.sorted { $0.key < $1.key }.map { "\(Self.boardNames[$0.key] ?? $0.key) \($0.value)" }.joined(separator: "，")
            let funds = t.investments.sorted { $0.key < $1.key }.map { k, v in "\(catalog.offers.first { $0.id == k }?.chineseName ?? k) \(v)" }.joined(separator: "，")
            out += "  \(t.from)→\(t.to)：企业 \(t.firms)，退出 \(t.exits)，新进入 \(t.entries)；升级 \(up.isEmpty ? "0" : up)；降级 \(down.isEmpty ? "0" : down)；"
                + "新三板新挂牌 \(t.newQuotations)；新上市 \(listings.isEmpty ? "0" : listings)；区域性股权市场专精特新板新入板 \(t.newRegionalBoard)；获基金投资 \(funds.isEmpty ? "0" : funds)\n"
        }
        let c = coverage
        out += "\n【回测】实际成功数落在 90% 区间内：\(c.inside)/\(c.total)（\(c.total > 0 ? Fixed.exact(100 * Double(c.inside) / Double(c.total), digits: 0) : "-")%）\n"
        out += "  " + "年份".padded(to: 6) + "产品/板块".padded(to: 56) + "申请".padded(to: 8) + "实际".padded(to: 8) + "预计".padded(to: 10) + "90% 区间".padded(to: 14) + "AUC".padded(to: 8) + "Brier\n"
        for b in backtests {
            out += "  " + String(b.year).padded(to: 6) + offerName(b.offer).padded(to: 56) + String(b.applicants).padded(to: 8) + String(b.observed).padded(to: 8)
                + Fixed.exact(b.successes.mean, digits: 1).padded(to: 10) + "\(b.interval.lowerBound)–\(b.interval.upperBound)\(b.inside ? "" : " ✗")".padded(to: 14)
                + (b.metrics.map { Fixed.exact($0.auc, digits: 3) } ?? "-").padded(to: 8) + (b.metrics.map { Fixed.exact($0.brier, digits: 4) } ?? "-") + "\n"
        }
        out += "\n【概率变动最大】（每个产品、每年前 \(moversShown) 家）\n"
        for pair in movers {
            for m in pair.rises.prefix(moversShown) + pair.falls.prefix(moversShown) {
                let why = (m.gained.isEmpty ? "" : "新增理由：" + m.gained.joined(separator: "、")) + (m.lost.isEmpty ? "" : (m.gained.isEmpty ? "" : "；") + "不再是理由：" + m.lost.joined(separator: "、"))
                out += "  \(m.from)→\(m.to) \(offerName(m.offer))  \(m.id) \(m.name ?? "")  \(Fixed.exact(m.before, digits: 3)) → \(Fixed.exact(m.after, digits: 3))（\(m.statusBefore.code) → \(m.statusAfter.code)）\(why.isEmpty ? "" : "  " + why)\n"
            }
        }
        if !track.flags.isEmpty {
            out += "\n【需核对】\(track.flags.count) 处：\n"
            for f in track.flags.prefix(20) { out += "  第 \(f.line) 行 \(f.id)：\(f.message)\n" }
        }
        out += "\n" + Self.horizonNote + "\n"
        if let probabilityNote { out += probabilityNote + "\n" }
        return out
    }

    // MARK: - Workbook

    package func workbook() -> XLSXWorkbook {
        let all = rows()
        let names = ["transition": "年度变化", "backtest": "回测", "rise": "概率上升", "fall": "概率下降", "flag": "需核对"]
        var sheets: [XLSXWorkbook.Sheet] = []
        for section in ["transition", "backtest", "rise", "fall", "flag"] {
            var sheet = XLSXWorkbook.Sheet(name: names[section]!, header: Self.columns, widths: Self.columns.map { ["reasons_gained", "reasons_lost", "name", "item"].contains($0) ? 32 : 12 })
            for row in all where row[0] == section {
                sheet.rows.append(row.map { cell in cell.isEmpty ? .empty : Double(cell).map(XLSXWorkbook.Cell.number) ?? .text(cell) })
            }
            sheets.append(sheet)
        }
        return XLSXWorkbook(sheets: sheets)
    }

    package func bytes(_ format: Format, byteOrderMark: Bool = false) throws(FileWriteError) -> [UInt8] {
        switch format {
        case .csv: Array(((byteOrderMark ? CSVField.byteOrderMark : "") + csv()).utf8)
        case .json: Array(json().utf8)
        case .xlsx: try workbook().bytes()
        }
    }
}
