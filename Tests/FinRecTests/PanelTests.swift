import FinRec
import Foundation
import Testing

@Suite("A synthetic panel of years: the same firms, evolving")
struct PanelTests {
    static let panel = SyntheticPanel(seed: 11, years: 2022...2025, count: 3_000, withTruth: false)

    /// Per year, per enterprise id: its row as a dictionary of column → cell.
    static let byYear: [Int: [String: [String: String]]] = {
        var out: [Int: [String: [String: String]]] = [:]
        let header = panel.header
        for year in panel.years {
            for i in 0..<panel.indexCount {
                guard let cells = panel.row(i, year: year) else { continue }
                let row = Dictionary(uniqueKeysWithValues: zip(header, cells))
                precondition(out[year, default: [:]][row["enterprise_id"]!] == nil, "an id twice in a year")
                out[year, default: [:]][row["enterprise_id"]!] = row
            }
        }
        return out
    }()

    @Test("Year one is `synth --fiscal-year` of that year, row for row; the file is the same on one or two threads")
    func firstYear() throws {
        let plain = SyntheticDataset(generator: EnterpriseGenerator(seed: 11, fiscalYear: 2022), withTruth: false)
        for i in 0..<Self.panel.count { #expect(Self.panel.row(i, year: 2022) == plain.row(i)) }
        let one = temporaryFolder() + "/a.csv", two = temporaryFolder() + "/b.csv"
        let small = SyntheticPanel(seed: 11, years: 2022...2024, count: 800, withTruth: true)
        try small.write(to: one, threads: .singleThreaded)
        try small.write(to: two, threads: ThreadPolicy(workers: 2))
        #expect(try Data(contentsOf: URL(fileURLWithPath: one)) == Data(contentsOf: URL(fileURLWithPath: two)))
        let other = SyntheticPanel(seed: 12, years: 2022...2024, count: 800, withTruth: true)
        #expect((0..<800).filter { small.row($0, year: 2023) == other.row($0, year: 2023) && small.row($0, year: 2023) != nil }.isEmpty)
    }

    @Test("A firm keeps its id, founding year, city and industry; entrants are new ids, young and at most 创新型; exits never return")
    func identity() {
        let years = Array(Self.panel.years)
        for (a, b) in zip(years, years.dropLast().map { $0 + 1 }) {
            let now = Self.byYear[a]!, next = Self.byYear[b]!
            for (id, row) in next {
                guard let before = now[id] else {
                    // An entrant: founded within three years, no tier above 创新型, never seen before.
                    #expect(Int(row["founding_year"]!)! >= b - 2, "\(id)")
                    #expect(["none", "innovative"].contains(row["certification_tier"]!))
                    #expect(years.filter { $0 < a }.allSatisfy { Self.byYear[$0]![id] == nil }, "\(id) came back")
                    continue
                }
                for field in ["founding_year", "city", "industry"] { #expect(row[field] == before[field], "\(id) \(field)") }
                #expect(Int(row["fiscal_year"]!) == Int(before["fiscal_year"]!)! + 1)
            }
        }
        // Exits and entries both happen, at the documented rates (2–4% and 10% of the first year).
        let exits = Self.byYear[2022]!.keys.filter { Self.byYear[2023]![$0] == nil }.count
        #expect(exits > 30 && exits < 150, "\(exits) exits of 3,000")
        #expect(Self.byYear[2023]!.count == 3_000 - exits + 300)
    }

    @Test("Last year's outcomes show: a success at t is a quotation, listing or regional-board seat at t + 1; a listed firm stays listed; months on 新三板 add up")
    func outcomesShow() {
        var checked = 0
        for year in 2022...2024 {
            for (id, row) in Self.byYear[year]! {
                guard let next = Self.byYear[year + 1]![id] else { continue }
                let listed = next["listed_board"] != "none"
                if row["listed_board"] != "none" { #expect(next["listed_board"] == row["listed_board"], "\(id) delisted") }
                for (label, board) in [("label_bse", "bse"), ("label_star", "star"), ("label_chinext", "chinext")] where row[label] == "1" {
                    checked += 1
                    #expect(listed, "\(id): \(label) = 1 in \(year), not listed in \(year + 1)")
                    if row["label_bse"] != "1" && row["label_star"] != "1" || board == "bse" { _ = board }
                }
                if row["label_neeq"] == "1" && !listed {
                    checked += 1
                    #expect(next["neeq_status"] != "not_quoted" && next["company_form"] == "joint_stock", "\(id): quoted in \(year + 1)")
                }
                if row["label_regional_board"] == "1" && !listed && next["neeq_status"] == "not_quoted" {
                    checked += 1
                    #expect(next["regional_srdi_board"] == "1", "\(id): on the regional board in \(year + 1)")
                }
                if row["neeq_status"] != "not_quoted" && !listed {
                    #expect(Int(next["neeq_months"]!) == Int(row["neeq_months"]!)! + 12, "\(id): months on 新三板")
                }
                // A listed firm seeks no listing: its board labels are empty.
                if row["listed_board"] != "none" {
                    for label in ["label_bse", "label_star", "label_neeq", "label_chinext", "label_regional_board"] { #expect(row[label] == "", "\(id) \(label)") }
                }
            }
        }
        #expect(checked > 100, "\(checked) outcomes checked")
    }

    @Test("Each year's snapshot passes the reader's validation, and a tier granted in a year is one the catalog's tier rule does not rule out that year")
    func tiersFollowTheCatalog() throws {
        let rank = ["none": 0, "innovative": 1, "provincial_srdi": 2, "little_giant": 3]
        let tierOffer = ["innovative": "innovative_sme", "provincial_srdi": "srdi_sme", "little_giant": "little_giant"]
        let evaluator = try EligibilityEvaluator(catalog: shippedCatalog)
        var upgrades = 0, contradictions: [String] = []
        for year in 2023...2025 {
            let path = temporaryFolder() + "/panel-\(year).csv"
            // An upgraded firm is written with its tier of the year before: the catalog does not
            // offer a tier a firm holds, so it is asked whether it would grant it on this year's state.
            var text = Self.panel.header.map(CSVField.escape).joined(separator: ",") + "\n"
            let tierColumn = Self.panel.header.firstIndex(of: "certification_tier")!, untilColumn = Self.panel.header.firstIndex(of: "certification_valid_until")!
            let header = Self.panel.header
            for i in 0..<Self.panel.indexCount {
                guard var cells = Self.panel.row(i, year: year) else { continue }
                if let before = Self.byYear[year - 1]![cells[0]], rank[cells[tierColumn]]! > rank[before["certification_tier"]!]! {
                    cells[tierColumn] = before["certification_tier"]!
                    cells[untilColumn] = before[header[untilColumn]]!
                }
                text += cells.map(CSVField.escape).joined(separator: ",") + "\n"
            }
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let reader = try EnterpriseFileReader(path: path)
            let day = CivilDate(year: year + 1, month: 6, day: 30)!.daysSinceEpoch
            var rows = 0
            while let chunk = try reader.nextChunk() {
                rows += chunk.rowCount
                let eligibility = evaluator.evaluate(chunk, asOf: day)
                for r in 0..<chunk.rowCount {
                    let id = chunk.ids[r]
                    guard let before = Self.byYear[year - 1]![id], let now = Self.byYear[year]![id],
                          rank[now["certification_tier"]!]! > rank[before["certification_tier"]!]!,
                          let offer = tierOffer[now["certification_tier"]!],
                          let k = shippedCatalog.offers.firstIndex(where: { $0.id == offer }) else { continue }
                    upgrades += 1
                    if eligibility.status(offer: k, row: r) == .fail { contradictions.append("\(id) \(offer) \(year)") }
                }
            }
            #expect(try reader.finish().rowsRejected == 0 && rows == Self.byYear[year]!.count)
        }
        #expect(upgrades > 200, "\(upgrades) upgrades")
        #expect(contradictions.isEmpty, "\(contradictions.count) of \(upgrades) upgrades the catalog rules out, e.g. \(contradictions.prefix(5))")
    }
}
