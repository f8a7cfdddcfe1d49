package import FinRecBase
import FinRecRecords
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The same synthetic firms over several fiscal years (`finrec synth --years 2022-2025`): one
/// snapshot a year, in which each firm's accounts evolve from the year before, the outcomes of the
/// year before show (a firm quoted, listed, on the regional board, invested in), tiers are granted
/// and lost by the tier rules of the year, some firms exit and new ones enter.
///
/// Year one is exactly `finrec synth --fiscal-year` of the first year. Each later state is drawn
/// from the previous one with a random stream of its own (seed, firm, year), so a panel is the same
/// for a seed whatever the thread count, and streams in bounded memory (each year's rows are
/// recomputed from year one: years × (years + 1) / 2 evolutions a firm).
package struct SyntheticPanel: Sendable {
    package let dataset: SyntheticDataset
    package let years: ClosedRange<Int>
    /// Firms in the first year.
    package let count: Int

    /// New firms a later year brings, as a share of the first year's count.
    package static let entryShare = 0.10
    /// P(upgrade | the next tier's rules are met), per target tier (创新型, 专精特新, 小巨人):
    /// calibrated so that a 20,000-firm pool gains about 1,000 provincial 专精特新 and 100–150 小巨人
    /// a year, near the Shandong plan's pace (4,000 and 400 over 2022–2025).
    package static let upgradeRates = [0.30, 0.34, 0.10]
    /// P(a certificate due for review is renewed): when the tier's rules are met as the fields show
    /// them, and when they are not (the evaluation's routes the fields do not show: awards, scores
    /// computed on the ministry's platform); a firm not renewed drops one tier.
    package static let renewalRates = (met: 0.97, notMet: 0.6)

    package init(seed: UInt64, years: ClosedRange<Int>, count: Int, withTruth: Bool) {
        dataset = SyntheticDataset(generator: EnterpriseGenerator(seed: seed, fiscalYear: years.lowerBound), withTruth: withTruth)
        self.years = years
        self.count = count
    }

    package var header: [String] { dataset.header }
    var entrantsPerYear: Int { Int((Double(count) * Self.entryShare).rounded()) }

    /// Every enterprise index that exists in some year: the first year's, then each later year's entrants.
    package var indexCount: Int { count + entrantsPerYear * (years.count - 1) }

    /// The fiscal year enterprise `index` first appears in.
    package func entryYear(_ index: Int) -> Int {
        index < count ? years.lowerBound : years.lowerBound + 1 + (index - count) / max(entrantsPerYear, 1)
    }

    /// Enterprise `index`'s row of fiscal year `year`, nil when it has not entered yet or has exited.
    package func row(_ index: Int, year: Int) -> [String]? {
        let entry = entryYear(index)
        guard year >= entry, years.contains(year) else { return nil }
        var firm = entrant(index, year: entry)
        var y = entry
        while true {
            let (cells, outcomes) = dataset.row(firm, index: index, year: y - years.lowerBound)
            if y == year { return cells }
            guard let next = Self.evolve(firm, outcomes: outcomes, index: index, seed: dataset.generator.seed) else { return nil }
            firm = next
            y += 1
        }
    }

    /// The firm as it enters: the generator's firm of the first year, or for a later entrant a
    /// young untiered or innovative firm drawn by the generator for its entry year.
    func entrant(_ index: Int, year: Int) -> Firm {
        guard index >= count else { return dataset.generator.firm(index) }
        let generator = EnterpriseGenerator(seed: dataset.generator.seed, fiscalYear: year)
        var f = generator.firm(index)
        var r = SplitMix64(seed: dataset.generator.seed ^ 0xE7_7E_4A, index: UInt64(index))
        // New firms: founded in the last three years, without a tier beyond 创新型, unquoted.
        f.foundingYear = year - Int(r.uniform(0, 3))
        f.nicheYears = min(f.nicheYears, Double(f.age))
        if f.tier.rawValue > Firm.Tier.innovative.rawValue {
            f.tier = r.bernoulli(0.5) ? .innovative : .none
        }
        f.certificateValidUntil = f.tier == .none ? nil : CivilDate(year: year + 3, month: 12, day: 31)!.daysSinceEpoch
        f.neeqStatus = 0
        f.neeqMonths = 0
        f.regionalEquity = false
        f.regionalSRDIBoard = false
        f.reservePool = false
        return EnterpriseGenerator.roundedAsFiled(f)
    }

    /// The firm a year later, after `outcomes` (per modelled offer: nil when it did not apply),
    /// or nil when it exits (closure, merger or acquisition: about 2–4% a year, more for weak,
    /// indebted firms).
    static func evolve(_ old: Firm, outcomes: [Bool?], index: Int, seed: UInt64) -> Firm? {
        var r = SplitMix64(seed: seed ^ 0x9A_7E_1D_2B, index: UInt64(index) &+ (UInt64(old.fiscalYear) << 40))
        let q = old.latentQuality
        let exit = WorldModel.sigmoid(-3.7 - 0.45 * q + 4 * max(0, old.debtRatio - 0.7) + (old.netProfit[0] < 0 ? 0.5 : 0))
        if r.bernoulli(exit) { return nil }
        var f = old
        f.fiscalYear += 1
        let success = { (id: String) in outcomes[WorldModel.productIds.firstIndex(of: id)!] == true }

        // Accounts: a new latest year; growth persists with the firm's quality.
        let previousGrowth = old.revenue[1] > 0 ? old.revenue[0] / old.revenue[1] - 1 : 0.1
        let growth = max(-0.5, min(1.5, 0.04 + 0.35 * previousGrowth + 0.04 * q + 0.12 * r.normal()))
        let revenue = max(50, old.revenue[0] * (1 + growth))
        f.revenue = [revenue, old.revenue[0], old.revenue[1]]
        let mainShare = old.revenue[0] > 0 ? min(1, max(0.3, old.mainRevenue[0] / old.revenue[0] + 0.02 * r.normal())) : 0.8
        f.mainRevenue = [revenue * mainShare, old.mainRevenue[0]]
        let intensity = min(0.6, max(0.002, old.rdIntensity * exp(0.1 * r.normal()) + 0.002 * q))
        f.rd = [revenue * intensity, old.rd[0], old.rd[1]]
        let margin = (old.revenue[0] > 0 ? old.netProfit[0] / old.revenue[0] : 0.05) * 0.6 + (0.07 + 0.035 * q) * 0.4 + 0.03 * r.normal()
        f.netProfit = [revenue * margin, old.netProfit[0], old.netProfit[1]]
        f.cashFlow = [f.netProfit[0] * r.uniform(0.5, 1.5) + revenue * 0.04 * r.normal(), old.cashFlow[0], old.cashFlow[1]]
        f.totalAssets = max(10, old.totalAssets * (1 + 0.8 * growth + 0.03 * r.normal()))
        let debt = min(0.97, max(0.05, old.debtRatio + 0.03 * r.normal() - 0.01 * q))
        f.totalLiabilities = f.totalAssets * debt
        let equity0 = f.totalAssets - f.totalLiabilities, equity1 = max(old.totalAssets - old.totalLiabilities, 1)
        f.roe = [f.netProfit[0] / max((max(equity0, 1) + equity1) / 2, 1), old.roe[0]].map { min(max($0, -5), 5) }
        f.employees = max(5, Int((Double(old.employees) * (1 + 0.5 * growth + 0.03 * r.normal())).rounded()))
        f.rdStaff = min(f.employees, Int((Double(old.rdStaff) * Double(f.employees) / Double(max(old.employees, 1))).rounded()))
        f.marketValue = old.marketValue * (1 + growth) * exp(0.1 * r.normal())
        f.nicheYears = old.nicheYears + 1
        f.nicheShare = min(0.9, max(0.0005, old.nicheShare * exp(0.5 * growth + 0.05 * r.normal())))

        // IP accumulates with R&D; granted patents age.
        let newPatents = Int((r.uniform() * 2 * Double(f.rd[0]) / 400 * exp(0.2 * q)).rounded(.down))
        f.inventionPatents = old.inventionPatents + newPatents
        f.class1IP = old.class1IP + newPatents
        f.class1SelfFiled = old.class1SelfFiled + newPatents
        f.class2IP = old.class2IP + Int(r.uniform(0, 3))
        f.pledgeablePatents = old.pledgeablePatents + Int((Double(newPatents) * r.uniform(0.3, 0.9)).rounded())
        f.patentRemainingYears = f.pledgeablePatents == 0 ? 0 : newPatents > 0 ? max(old.patentRemainingYears - 1, r.uniform(12, 19)) : max(0, old.patentRemainingYears - 1)

        // Last year's outcomes show: quoted on 新三板, listed, on the regional board, invested in.
        if old.listedBoard == 0 {
            let listing = [("bse", 5), ("star", 3), ("chinext", 4)].first { success($0.0) }
            if let listing {
                f.listedBoard = listing.1
                f.jointStock = true
                f.neeqStatus = 0
                f.neeqMonths = 0
                f.reservePool = false
                f.regionalEquity = false
                f.regionalSRDIBoard = false
            } else if success("neeq") {
                f.neeqStatus = 1
                f.neeqMonths = Int(r.uniform(1, 12))
                f.jointStock = true
                f.regionalEquity = false
                f.regionalSRDIBoard = false
            } else if old.neeqStatus > 0 {
                f.neeqMonths = old.neeqMonths + 12
                if old.neeqStatus == 1 && r.bernoulli(0.12 + 0.05 * q) { f.neeqStatus = 2 }
            }
            if f.listedBoard == 0 && f.neeqStatus == 0 && success("regional_board") {
                f.regionalEquity = true
                f.regionalSRDIBoard = true
            }
        }
        if f.name.hasSuffix("有限公司") && !f.name.hasSuffix("股份有限公司") && f.jointStock {
            f.name = String(f.name.dropLast(4)) + "股份有限公司"
        }
        // Equity raised in two years: about half of the older raise drops out of the window; an
        // investment of last year comes in.
        f.equityFinancing = old.equityFinancing * 0.5
        for (fund, size) in [("angel_fund", 250.0), ("venture_fund", 1_500), ("industry_fund", 5_000)] where success(fund) {
            f.equityFinancing += size * r.uniform(0.5, 2)
        }

        // This year's credit record (the tiers' exclusions read it).
        f.overdue = old.overdue > 0 && r.bernoulli(0.5) ? max(0, old.overdue + Int(r.uniform(-2, 2))) : (r.bernoulli(0.06) ? 1 : 0)
        f.specialMention = old.specialMention ? r.bernoulli(0.5) : r.bernoulli(0.015)
        f.abnormal = old.abnormal ? r.bernoulli(0.4) : r.bernoulli(0.006)
        f.accident = r.bernoulli(0.006)

        // Tiers by the rules of the year, judged on the figures as filed: an upgrade when the next
        // tier's rules are met (with the chance the province's pace gives), a review when the
        // certificate expires.
        f = EnterpriseGenerator.roundedAsFiled(f)
        let yearEnd = { (year: Int) in CivilDate(year: year, month: 12, day: 31)!.daysSinceEpoch }
        if let until = old.certificateValidUntil, until < f.asOfDay {
            if r.bernoulli(Self.meetsTier(f, old.tier) ? Self.renewalRates.met : Self.renewalRates.notMet) {
                f.certificateValidUntil = yearEnd(f.fiscalYear + 3)
            } else {
                f.tier = Firm.Tier(rawValue: old.tier.rawValue - 1) ?? .none
                f.certificateValidUntil = f.tier == .none ? nil : yearEnd(f.fiscalYear + 2)
            }
        }
        if let next = Firm.Tier(rawValue: f.tier.rawValue + 1), f.tier == old.tier, Self.meetsTier(f, next),
           r.bernoulli(Self.upgradeRates[next.rawValue - 1]) {
            f.tier = next
            f.certificateValidUntil = yearEnd(f.fiscalYear + 3)
        }

        // This year's loans falling due, contracts and receivables.
        f.maturingLoan = 0
        f.renewalCommitment = false
        if r.bernoulli(0.2) {
            f.maturingLoan = min(f.revenue[0] * 0.3, r.logNormal(median: 300, sigma: 0.8))
            f.renewalCommitment = r.bernoulli(0.7)
        }
        f.receivablesConfirmed = 0
        f.coreEnterpriseId = nil
        f.procurementAmount = 0
        f.procurementEnd = nil
        f.requestedAmount = nil
        f.requestedTermMonths = nil
        let size = log(max(f.revenue[0], 1) / [2_400.0, 7_000, 22_000][max(0, f.tier.rawValue - 1)]) / 0.8
        EnterpriseGenerator.drawSupplyChainAndPolicy(&f, index: Int(truncatingIfNeeded: UInt64(index) &+ (UInt64(f.fiscalYear) << 40)), seed: seed,
                                                     tierIndex: max(0, f.tier.rawValue - 1), size: size, redrawStartupRD: false)
        return EnterpriseGenerator.roundedAsFiled(f)
    }

    /// Whether `f` meets the rules of tier `tier` in its state, by the measures of its assessment
    /// year (MIIT's 2022 measures, from 2026 the 2026 ones; Models/RULES.md "MIIT tiers"), as far as
    /// the fields show them; every tier needs an SME with a clean record. Written here, apart
    /// from the catalog's rules, so that each checks the other.
    /// The 2026 measures apply to applications from 2026-04-01 (a fiscal year 2025 snapshot's).
    static let rules2026 = CivilDate(year: 2026, month: 4, day: 1)!.daysSinceEpoch

    static func meetsTier(_ f: Firm, _ tier: Firm.Tier) -> Bool {
        guard WorldModel.isSME(f), !f.abnormal, !f.accident else { return false }
        let growth = f.mainRevenue[1] > 0 ? f.mainRevenue[0] / f.mainRevenue[1] - 1 : 0
        let mainShare = f.revenue[0] > 0 ? f.mainRevenue[0] / f.revenue[0] : 0
        switch tier {
        case .none:
            return true
        case .innovative:
            // Direct routes, else the 100-point evaluation (≥ 60, innovation ≥ 20, growth ≥ 15, specialisation ≥ 15).
            if f.award > 0 || f.highTech || f.rdInstitution >= 3 || f.equityFinancing >= 500 { return true }
            let ip = f.class1SelfFiled > 0 ? 15.0 : f.class1IP > 0 ? 10 : f.class2IP > 0 ? 5 : 0
            let rd = f.rdIntensity >= 0.05 ? 20.0 : f.rdIntensity >= 0.03 ? 15 : f.rdIntensity >= 0.02 ? 10 : f.rdIntensity >= 0.01 ? 5 : 0
            let g = growth >= 0.15 ? 20.0 : growth >= 0.10 ? 15 : growth >= 0.05 ? 10 : growth >= 0 ? 5 : 0
            let debt = f.debtRatio <= 0.55 ? 10.0 : f.debtRatio <= 0.75 ? 5 : 0
            let emerging = f.strategicEmerging ? 10.0 : 5
            let share = mainShare >= 0.7 ? 20.0 : mainShare >= 0.6 ? 15 : mainShare >= 0.55 ? 10 : mainShare >= 0.5 ? 5 : 0
            return ip + rd + g + debt + emerging + share >= 60 && ip + rd >= 20 && g + debt >= 15 && emerging + share >= 15
        case .provincialSRDI where f.asOfDay >= rules2026:
            // 2026: ≥ 3 niche years, revenue ≥ 1,500万 (or equity), main business ≥ 80%, debt ≤ 80%,
            // R&D ≥ 100万 and ≥ 3% in each of 2 years, a self-filed Class-I IP (or an award or platform).
            let rd = (0..<2).allSatisfy { f.rd[$0] >= 100 && f.rd[$0] >= 0.03 * f.revenue[$0] }
            return f.nicheYears >= 3 && (f.revenue[0] >= 1_500 || f.equityFinancing >= 2_000) && mainShare >= 0.8 && f.debtRatio <= 0.8
                && rd && (f.class1SelfFiled >= 1 || f.award > 0 || f.rdInstitution >= 3)
        case .provincialSRDI:
            return f.nicheYears >= 2 && f.rd[0] >= 100 && f.rdIntensity >= 0.03 && (f.revenue[0] >= 1_000 || f.equityFinancing >= 2_000)
        case .littleGiant where f.asOfDay >= rules2026:
            // 2026: revenue ≥ 5,000万, main business ≥ 90%, 2-year growth ≥ 5% a year, debt ≤ 75%,
            // 2-year R&D ≥ 1,200万 and ≥ 3% each year, ≥ 4 self-filed Class-I IP, niche share ≥ 10%.
            let cagr = f.revenue[2] > 0 ? (f.revenue[0] / f.revenue[2]).squareRoot() - 1 : 0
            let rd = f.rd[0] + f.rd[1] >= 1_200 && (0..<2).allSatisfy { f.rd[$0] >= 0.03 * f.revenue[$0] }
            return f.nicheYears >= 3 && f.revenue[0] >= 5_000 && mainShare >= 0.9 && cagr >= 0.05 && f.debtRatio <= 0.75 && rd
                && (f.class1SelfFiled >= 4 || f.award >= 2) && f.nicheShare >= 0.1
        case .littleGiant:
            // R&D by revenue band, in each of the 2 years (≥ 1亿: 3%; 5,000万–1亿: 6%; below: equity,
            // 2-year R&D and R&D staff); main business growth ≥ 5%; an own R&D institution.
            let ratio = { (y: Int) in f.revenue[y] > 0 ? f.rd[y] / f.revenue[y] : 0 }
            let rdOK = f.revenue[0] >= 10_000 ? ratio(0) >= 0.03 && ratio(1) >= 0.03
                : f.revenue[0] >= 5_000 ? ratio(0) >= 0.06 && ratio(1) >= 0.06
                : f.equityFinancing >= 8_000 && f.rd[0] + f.rd[1] >= 3_000 && Double(f.rdStaff) >= 0.5 * Double(f.employees)
            return f.nicheYears >= 3 && mainShare >= 0.7 && growth >= 0.05 && f.debtRatio <= 0.7 && f.nicheShare >= 0.1
                && rdOK && f.rdInstitution >= 1 && f.class1IP >= 2
        }
    }

    /// Writes the panel as CSV to `path` atomically: the rows of the first year, then of each later
    /// year, each year in enterprise order; blocks are generated in parallel and written in order,
    /// so the file is the same for any thread count.
    package func write(to path: String, threads: ThreadPolicy = .allCores, progress: ((Int) -> Void)? = nil) throws(FileWriteError) {
        let file = try AtomicFileWriter(path: path)
        try file.write(header.joined(separator: ",") + "\n")
        let total = indexCount
        for (n, year) in years.enumerated() {
            try SyntheticDataset.writeRows(count: total, to: file, block: 1024, threads: threads, progress: progress.map { report in { report(n * total + $0) } }) {
                row($0, year: year)
            }
        }
        try file.commit()
    }
}
