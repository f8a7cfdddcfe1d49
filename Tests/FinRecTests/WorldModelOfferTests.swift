import FinRec
import Foundation
import Testing

/// The world model's supply-chain and fund offers: each rule at its thresholds, and the
/// generated fields and labels they read.
@Suite("World model: supply-chain finance and the sub-funds")
struct WorldModelOfferTests {
    static func product(_ id: String) -> Int { WorldModel.productIds.firstIndex(of: id)! }

    static func eligible(_ f: Firm, _ id: String) -> Bool { WorldModel.eligible(f, product: product(id)) }

    /// A valid credit code that is not the firm's own.
    static let coreCode = CreditCode.complete("91370200" + "163567890")!

    /// A firm set up, field by field, to pass every new rule: a 4-year-old innovative
    /// manufacturer (C35, one of the ten strong industries) in 济南 with revenue 5000万 (the angel
    /// fund's ceiling and the industry fund's floor) and R&D 30% of its cost,
    /// a clean credit record, confirmed receivables and a running procurement contract.
    static func base() -> Firm {
        var f = EnterpriseGenerator(seed: 1).firm(0)
        f.city = "济南"
        f.industry = "C35"
        f.fiscalYear = 2025
        f.foundingYear = 2022
        f.tier = .innovative
        f.highTech = true
        f.techSMEListed = true
        f.strategicEmerging = false
        f.employees = 100
        f.totalAssets = 4_000
        f.totalLiabilities = 1_600
        f.revenue = [5_000, 4_000, 3_000]
        f.netProfit = [1_000, 200, 100]  // cost 4,000
        f.rd = [1_200, 900, 700]         // 30% of cost
        f.overdue = 0
        f.specialMention = false
        f.abnormal = false
        f.accident = false
        f.receivablesConfirmed = 500
        f.coreEnterpriseId = coreCode
        f.procurementAmount = 300
        f.procurementEnd = f.asOfDay + 100
        return f
    }

    @Test("The base firm passes every new rule, and the code it uses as its core enterprise is valid and not its own")
    func baseFirmPasses() {
        let f = Self.base()
        #expect(CreditCode.isValid(Self.coreCode) && Self.coreCode != f.id)
        for id in ["receivables_finance", "procurement_loan", "angel_fund", "venture_fund", "industry_fund"] {
            #expect(Self.eligible(f, id), "\(id)")
        }
        // 30 June 2026, the assessment date of fiscal year 2025.
        #expect(CivilDate(daysSinceEpoch: f.asOfDay).iso == "2026-06-30")
    }

    @Test("应收账款融资: applies only with confirmed receivables; needs another firm's code and a clean record (fewer than 6 overdue)")
    func receivablesFinance() {
        let k = Self.product("receivables_finance")
        var f = Self.base()
        f.receivablesConfirmed = 0
        #expect(!WorldModel.applies(f, product: k) && !Self.eligible(f, "receivables_finance"))
        f.receivablesConfirmed = 0.01
        #expect(WorldModel.applies(f, product: k) && Self.eligible(f, "receivables_finance"))
        f.coreEnterpriseId = nil
        #expect(WorldModel.applies(f, product: k) && !Self.eligible(f, "receivables_finance"))
        f.coreEnterpriseId = ""
        #expect(!Self.eligible(f, "receivables_finance"))
        f.coreEnterpriseId = f.id
        #expect(!Self.eligible(f, "receivables_finance"))
        f = Self.base()
        f.overdue = 5
        #expect(Self.eligible(f, "receivables_finance"))
        f.overdue = 6
        #expect(!Self.eligible(f, "receivables_finance"))
        f = Self.base()
        f.specialMention = true
        #expect(!Self.eligible(f, "receivables_finance"))
        f = Self.base()
        f.abnormal = true
        #expect(!Self.eligible(f, "receivables_finance"))
    }

    @Test("政采贷: a contract ending on the assessment date counts, one that ended the day before does not; SME limits are strict")
    func procurementLoan() {
        let k = Self.product("procurement_loan")
        var f = Self.base()
        f.procurementEnd = f.asOfDay
        #expect(WorldModel.applies(f, product: k) && Self.eligible(f, "procurement_loan"))
        f.procurementEnd = f.asOfDay - 1
        #expect(!WorldModel.applies(f, product: k) && !Self.eligible(f, "procurement_loan"))
        f.procurementEnd = nil
        #expect(!WorldModel.applies(f, product: k))
        f = Self.base()
        f.procurementAmount = 0
        #expect(!WorldModel.applies(f, product: k) && !Self.eligible(f, "procurement_loan"))
        // An industrial firm is an SME below 1,000 employees or below 4亿 revenue.
        f = Self.base()
        f.employees = 1_000
        f.revenue[0] = 40_000
        #expect(!Self.eligible(f, "procurement_loan"))
        f.employees = 999
        #expect(Self.eligible(f, "procurement_loan"))
        f.employees = 1_000
        f.revenue[0] = 39_999.99
        #expect(Self.eligible(f, "procurement_loan"))
        // Software: 300 employees or 1亿 revenue.
        f = Self.base()
        f.industry = "I65"
        f.employees = 300
        f.revenue[0] = 10_000
        #expect(!Self.eligible(f, "procurement_loan"))
        f.employees = 299
        #expect(Self.eligible(f, "procurement_loan"))
        // Research services (not listed by the standard): fewer than 300 employees, whatever the revenue.
        f = Self.base()
        f.industry = "M74"
        f.revenue[0] = 1
        f.employees = 300
        #expect(!Self.eligible(f, "procurement_loan"))
        f.employees = 299
        #expect(Self.eligible(f, "procurement_loan"))
        // Agriculture: revenue below 2亿 only; employees do not count.
        f = Self.base()
        f.industry = "A01"
        f.employees = 5
        f.revenue[0] = 20_000
        #expect(!Self.eligible(f, "procurement_loan"))
        f.revenue[0] = 19_999.99
        #expect(Self.eligible(f, "procurement_loan"))
        f = Self.base()
        f.overdue = 6
        #expect(!Self.eligible(f, "procurement_loan"))
    }

    @Test("Angel sub-fund: 初创科技型企业 at each threshold (4.5 years, 300 staff, 5000万 assets and revenue, R&D 20% of cost)")
    func angelFund() {
        var f = Self.base()
        // Assessed on 30 June after the fiscal year: founded three years before it, 4.5 years
        // from 1 January of the founding year; four years before, 5.5.
        f.foundingYear = f.fiscalYear - 3
        #expect(Self.eligible(f, "angel_fund"))
        f.foundingYear = f.fiscalYear - 4
        #expect(!Self.eligible(f, "angel_fund"))
        f = Self.base()
        f.employees = 300
        #expect(Self.eligible(f, "angel_fund"))
        f.employees = 301
        #expect(!Self.eligible(f, "angel_fund"))
        f = Self.base()
        f.totalAssets = 5_000
        #expect(Self.eligible(f, "angel_fund"))
        f.totalAssets = 5_000.01
        #expect(!Self.eligible(f, "angel_fund"))
        // Revenue 5000 with no profit: cost 5000, so R&D 1000 is exactly 20% of it.
        f = Self.base()
        f.revenue[0] = 5_000
        f.netProfit[0] = 0
        f.rd[0] = 1_000
        #expect(Self.eligible(f, "angel_fund"))
        f.rd[0] = 999.99
        #expect(!Self.eligible(f, "angel_fund"))
        f.rd[0] = 1_000
        f.revenue[0] = 5_000.01
        #expect(!Self.eligible(f, "angel_fund"))
        // R&D above the cost: the share is R&D over itself.
        f = Self.base()
        f.revenue[0] = 1_000
        f.netProfit[0] = 900
        f.rd[0] = 150
        #expect(Self.eligible(f, "angel_fund"))
        // A loss counts into the cost: revenue 1000, loss 1000, cost 2000; R&D 399 is below 20%.
        f.netProfit[0] = -1_000
        f.rd[0] = 399
        #expect(!Self.eligible(f, "angel_fund"))
        f.rd[0] = 400
        #expect(Self.eligible(f, "angel_fund"))
        f = Self.base()
        f.city = "北京"
        #expect(!Self.eligible(f, "angel_fund"))
        f = Self.base()
        f.abnormal = true
        #expect(!Self.eligible(f, "angel_fund"))
        // Credit history and accidents are not the angel fund's conditions.
        f = Self.base()
        f.overdue = 9
        f.accident = true
        #expect(Self.eligible(f, "angel_fund"))
    }

    @Test("Venture sub-fund: 9.5 years, an SME, innovative in one of three ways, a ten-strong or strategic-emerging industry")
    func ventureFund() {
        var f = Self.base()
        f.foundingYear = f.fiscalYear - 8
        #expect(Self.eligible(f, "venture_fund"))
        f.foundingYear = f.fiscalYear - 9
        #expect(!Self.eligible(f, "venture_fund"))
        f = Self.base()
        f.employees = 1_000
        f.revenue[0] = 40_000
        #expect(!Self.eligible(f, "venture_fund"))
        f.revenue[0] = 39_999.99
        #expect(Self.eligible(f, "venture_fund"))
        // Innovative: a high-tech enterprise, a tier of innovative SME or above, or on the 科技型中小企业 list.
        f = Self.base()
        f.tier = .none
        f.highTech = false
        f.techSMEListed = false
        #expect(!Self.eligible(f, "venture_fund"))
        var g = f
        g.highTech = true
        #expect(Self.eligible(g, "venture_fund"))
        g = f
        g.techSMEListed = true
        #expect(Self.eligible(g, "venture_fund"))
        for tier in [Firm.Tier.innovative, .provincialSRDI, .littleGiant] {
            g = f
            g.tier = tier
            #expect(Self.eligible(g, "venture_fund"), "\(tier)")
        }
        // C36 (automotive parts) and M74 are not among the ten strong industries' divisions.
        for division in ["C36", "M74"] {
            f = Self.base()
            f.industry = division
            #expect(!Self.eligible(f, "venture_fund"), "\(division)")
            f.strategicEmerging = true
            #expect(Self.eligible(f, "venture_fund"), "\(division)")
        }
        f = Self.base()
        f.city = "上海"
        #expect(!Self.eligible(f, "venture_fund"))
        f = Self.base()
        f.abnormal = true
        #expect(!Self.eligible(f, "venture_fund"))
    }

    @Test("Industry sub-fund: a ten-strong industry, revenue ≥ 5000万, a profit, no dishonesty, no major accident")
    func industryFund() {
        var f = Self.base()
        f.revenue[0] = 5_000
        #expect(Self.eligible(f, "industry_fund"))
        f.revenue[0] = 4_999.99
        #expect(!Self.eligible(f, "industry_fund"))
        f = Self.base()
        f.netProfit[0] = 0
        #expect(!Self.eligible(f, "industry_fund"))
        f.netProfit[0] = 0.01
        #expect(Self.eligible(f, "industry_fund"))
        // Age and size do not matter.
        f = Self.base()
        f.foundingYear = 1990
        f.employees = 5_000
        f.revenue[0] = 500_000
        #expect(Self.eligible(f, "industry_fund"))
        f = Self.base()
        f.industry = "C36"
        f.strategicEmerging = true
        #expect(!Self.eligible(f, "industry_fund"))
        f = Self.base()
        f.accident = true
        #expect(!Self.eligible(f, "industry_fund"))
        f = Self.base()
        f.abnormal = true
        #expect(!Self.eligible(f, "industry_fund"))
        f = Self.base()
        f.city = "天津"
        #expect(!Self.eligible(f, "industry_fund"))
    }

    @Test("Every division of the ten strong industries makes a firm eligible for the industry fund; their neighbours do not")
    func tenStrongDivisions() {
        let divisions = "A01 A02 A03 A04 A05 C13 C14 C26 C27 C28 C29 C30 C31 C32 C33 C34 C35 C37 C38 C39 C40 D44 I63 I64 I65 J66 J67 J68 J69 M73 N78 Q84 R86 R87 R88 R90"
        var f = Self.base()
        for division in divisions.split(separator: " ") {
            f.industry = String(division)
            #expect(Self.eligible(f, "industry_fund"), "\(division)")
        }
        for division in ["A00", "B06", "C15", "C17", "C36", "C41", "D45", "E48", "F51", "I62", "K70", "M74", "N77", "Q83", "R89"] {
            f.industry = division
            #expect(!Self.eligible(f, "industry_fund"), "\(division)")
        }
    }

    /// The true firms and rows of a pool of `count` from `seed`, with the header.
    static func pool(seed: UInt64, count: Int) -> (firms: [Firm], rows: [[String]], header: [String]) {
        let dataset = SyntheticDataset(generator: EnterpriseGenerator(seed: seed), withTruth: true)
        return ((0..<count).map(dataset.generator.firm), (0..<count).map(dataset.row), dataset.header)
    }

    @Test("On 20,000 firms the new fields are distributed as DATASET.md says, and a core enterprise is never a pool firm")
    func distributions() throws {
        let (firms, rows, header) = Self.pool(seed: 11, count: 20_000)
        let n = Double(firms.count)
        func share(_ p: (Firm) -> Bool, among: (Firm) -> Bool = { _ in true }) -> Double {
            let group = firms.filter(among)
            return Double(group.filter(p).count) / Double(group.count)
        }
        let tech = share { $0.techSMEListed }
        #expect(tech >= 0.40 && tech <= 0.55, "科技型中小企业 \(tech)")
        #expect(share({ $0.techSMEListed }, among: { $0.highTech }) > share({ $0.techSMEListed }, among: { !$0.highTech }) + 0.2)
        // The list admits at most 500 employees and 2亿 revenue and assets.
        #expect(firms.allSatisfy { !$0.techSMEListed || ($0.employees <= 500 && $0.revenue[0] <= 20_000 && $0.totalAssets <= 20_000) })

        let receivables = share { $0.receivablesConfirmed > 0 }
        #expect(receivables >= 0.30 && receivables <= 0.40, "receivables \(receivables)")
        #expect(share({ $0.receivablesConfirmed > 0 }, among: { $0.keyChain }) > share({ $0.receivablesConfirmed > 0 }, among: { !$0.keyChain }) + 0.1)
        let ids = Set(firms.map(\.id))
        var cores = Set<String>()
        for f in firms where f.receivablesConfirmed > 0 {
            // 3–25% of revenue, to the cent of 万元 the file writes.
            let slack = 0.006 / f.revenue[0]
            #expect(f.receivablesConfirmed / f.revenue[0] >= 0.03 - slack && f.receivablesConfirmed / f.revenue[0] <= 0.25 + slack)
            let core = try #require(f.coreEnterpriseId)
            #expect(CreditCode.isValid(core) && core != f.id && !ids.contains(core), "\(core) of \(f.id)")
            cores.insert(core)
        }
        #expect(firms.allSatisfy { ($0.receivablesConfirmed > 0) == ($0.coreEnterpriseId != nil) })
        // Many suppliers share a chain leader.
        #expect(cores.count > 100 && Double(cores.count) < receivables * n / 5)

        let contracts = firms.filter { $0.procurementAmount > 0 }
        let contractShare = Double(contracts.count) / n
        #expect(contractShare >= 0.08 && contractShare <= 0.15, "procurement \(contractShare)")
        #expect(firms.allSatisfy { ($0.procurementAmount > 0) == ($0.procurementEnd != nil) })
        let running = Double(contracts.filter { $0.procurementEnd! >= $0.asOfDay }.count) / Double(contracts.count)
        #expect(running >= 0.75 && running <= 0.85, "running contracts \(running)")
        // Both sides of the boundary occur: contracts ending on the assessment date and the day before.
        #expect(contracts.contains { $0.procurementEnd! == $0.asOfDay } && contracts.contains { $0.procurementEnd! == $0.asOfDay - 1 })

        let techreno = share { $0.techrenoProject }
        #expect(techreno >= 0.05 && techreno <= 0.10, "技改 \(techreno)")
        #expect(firms.allSatisfy { !$0.techrenoProject || $0.industry.hasPrefix("C") })
        // Larger firms more often: the mean revenue of the listed firms is above the others'.
        func meanRevenue(_ fs: [Firm]) -> Double { fs.map { $0.revenue[0] }.reduce(0, +) / Double(fs.count) }
        #expect(meanRevenue(firms.filter(\.techrenoProject)) > 1.5 * meanRevenue(firms.filter { !$0.techrenoProject && $0.industry.hasPrefix("C") }))

        // The application's fields, from the written cells.
        let amountColumn = try #require(header.firstIndex(of: "requested_amount"))
        let termColumn = try #require(header.firstIndex(of: "requested_term_months"))
        let amounts = rows.compactMap { Double($0[amountColumn]) }.sorted()
        let empty = 1 - Double(amounts.count) / n
        #expect(empty >= 0.67 && empty <= 0.73, "requested empty \(empty)")
        #expect(rows.allSatisfy { $0[amountColumn].isEmpty == $0[termColumn].isEmpty })
        #expect(amounts.first! >= 10 && amounts.last! <= 5_000)
        let median = amounts[amounts.count / 2]
        #expect(median >= 260 && median <= 345, "median requested amount \(median)")
        #expect(Set(rows.map { $0[termColumn] }) == ["", "6", "12", "24", "36"])
    }

    @Test("The written cells of the new fields are the true values, with a few hidden; a firm an offer does not concern has no label for it")
    func cellsAndLabels() throws {
        let (firms, rows, header) = Self.pool(seed: 12, count: 5_000)
        func column(_ name: String) throws -> Int { try #require(header.firstIndex(of: name)) }
        let tech = try column("tech_sme_listed"), receivables = try column("receivables_confirmed"),
            core = try column("core_enterprise_id"), amount = try column("procurement_contract_amount"),
            end = try column("procurement_contract_end"), techreno = try column("techreno_project"),
            receivablesLabel = try column("label_receivables_finance"), procurementLabel = try column("label_procurement_loan")
        var hidden = [Int](repeating: 0, count: 4), labelled = [0, 0]
        for (f, row) in zip(firms, rows) {
            if row[tech].isEmpty { hidden[0] += 1 } else { #expect(row[tech] == (f.techSMEListed ? "1" : "0")) }
            if row[receivables].isEmpty { hidden[1] += 1 } else { #expect(abs(Double(row[receivables])! - f.receivablesConfirmed) < 1e-9) }
            if row[amount].isEmpty { hidden[2] += 1 } else { #expect(abs(Double(row[amount])! - f.procurementAmount) < 1e-9) }
            if row[techreno].isEmpty { hidden[3] += 1 } else { #expect(row[techreno] == (f.techrenoProject ? "1" : "0")) }
            #expect(row[core].isEmpty || row[core] == f.coreEnterpriseId)
            #expect(f.coreEnterpriseId != nil || row[core].isEmpty)
            #expect(row[end].isEmpty || row[end] == CivilDate(daysSinceEpoch: f.procurementEnd!).iso)
            // Not concerned: never applied.
            if f.receivablesConfirmed == 0 { #expect(row[receivablesLabel].isEmpty) } else if !row[receivablesLabel].isEmpty { labelled[0] += 1 }
            if f.procurementAmount == 0 || f.procurementEnd! < f.asOfDay { #expect(row[procurementLabel].isEmpty) } else if !row[procurementLabel].isEmpty { labelled[1] += 1 }
        }
        for count in hidden { #expect(count > 0 && count < 250, "hidden \(hidden)") }
        #expect(labelled.allSatisfy { $0 > 100 }, "\(labelled)")
    }

    @Test("Among eligible firms the new offers succeed at the spec's base rates, and the labels of eligible applicants follow the true probabilities")
    func baseRates() throws {
        let (firms, rows, header) = Self.pool(seed: 13, count: 20_000)
        let ranges: [(String, ClosedRange<Double>)] = [
            ("receivables_finance", 0.60...0.75), ("procurement_loan", 0.55...0.70),
            ("angel_fund", 0.08...0.15), ("venture_fund", 0.10...0.20), ("industry_fund", 0.15...0.25),
        ]
        for (id, range) in ranges {
            let k = Self.product(id)
            let label = try #require(header.firstIndex(of: "label_" + id))
            var truths: [Double] = [], applicantTruths: [Double] = [], successes = 0, ineligibleApplicants = 0
            for (f, row) in zip(firms, rows) {
                let p = WorldModel.successProbability(f, product: k)
                if WorldModel.eligible(f, product: k) { truths.append(p) } else { #expect(p == 0 && row[label] != "1") }
                guard !row[label].isEmpty else { continue }
                if p == 0 { ineligibleApplicants += 1; continue }
                applicantTruths.append(p)
                if row[label] == "1" { successes += 1 }
            }
            let mean = truths.reduce(0, +) / Double(truths.count)
            #expect(range.contains(mean), "\(id): mean success probability among eligible firms \(mean)")
            // The labels are Bernoulli draws of the truths: their count is within 4 standard deviations.
            let expected = applicantTruths.reduce(0, +), sd = applicantTruths.map { $0 * (1 - $0) }.reduce(0, +).squareRoot()
            #expect(abs(Double(successes) - expected) <= 4 * sd, "\(id): \(successes) successes, expected \(expected) ± \(sd)")
            #expect(applicantTruths.count >= 100, "\(id): \(applicantTruths.count) eligible applicants")
            // Funds see mostly eligible applicants; supply-chain offers only firms they concern.
            #expect(ineligibleApplicants < applicantTruths.count * 2, "\(id): \(ineligibleApplicants) ineligible applicants")
        }
    }
}
