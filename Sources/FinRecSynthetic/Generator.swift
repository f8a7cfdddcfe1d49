import FinRecBase
import FinRecRecords
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Generates synthetic Shandong enterprises calibrated to the population figures of Models/RULES.md and the 2022 Shandong
/// plan, with outcome labels from ``WorldModel``.
///
/// Each enterprise is generated from its own random stream (seed, index), so any count streams in
/// bounded memory, in any order or in parallel, and the same seed always gives the same firms.
/// DATASET.md lists every calibration target and its source.
package struct EnterpriseGenerator: Sendable {
    package let seed: UInt64
    package let fiscalYear: Int
    /// A change of the whole population (e.g. a downturn year), to test drift monitoring.
    package var shift = PopulationShift()

    /// Shifts applied to every firm without drawing other random numbers, so each firm is the
    /// same firm with weaker (or stronger) accounts: the latest year's net margin, the latest
    /// year's revenue growth and the debt ratio move by these amounts (0.04 = 4 percentage points).
    package struct PopulationShift: Sendable, Equatable {
        package var netMargin = 0.0
        package var revenueGrowth = 0.0
        package var debtRatio = 0.0
        package init(netMargin: Double = 0, revenueGrowth: Double = 0, debtRatio: Double = 0) {
            self.netMargin = netMargin
            self.revenueGrowth = revenueGrowth
            self.debtRatio = debtRatio
        }
        package var isNone: Bool { self == PopulationShift() }
    }

    /// Tier mix of the Shandong cultivation pool: 20,000 innovative SMEs, of which 10,000
    /// provincial 专精特新 SMEs, of which 750 national little giants; and beside them 2,500
    /// candidates without a tier yet (科技型中小企业 and others the province screens for the
    /// innovative-SME evaluation), so that the history shows what an untiered firm gets.
    package static let tierShares: [(Firm.Tier, Double)] = [
        (.none, 2_500.0 / 22_500), (.innovative, 10_000.0 / 22_500), (.provincialSRDI, 9_250.0 / 22_500), (.littleGiant, 750.0 / 22_500),
    ]

    static let cityWeights: [(String, String, Double)] = [
        ("济南", "370100", 14), ("青岛", "370200", 17), ("淄博", "370300", 7), ("枣庄", "370400", 3),
        ("东营", "370500", 4), ("烟台", "370600", 10), ("潍坊", "370700", 10), ("济宁", "370800", 6),
        ("泰安", "370900", 4), ("威海", "371000", 5), ("日照", "371100", 2.5), ("临沂", "371300", 6),
        ("德州", "371400", 4), ("聊城", "371500", 3), ("滨州", "371600", 3), ("菏泽", "371700", 2.5),
    ]

    /// GB/T 4754 divisions with weights: mostly manufacturing (88% of little giants are
    /// manufacturers), some software and R&D services, a few in sectors boards exclude.
    static let industries: [(String, String, Double)] = [
        ("C26", "化工", 8), ("C27", "医药", 7), ("C29", "橡塑", 4), ("C30", "新材料", 5), ("C32", "有色金属", 2),
        ("C33", "金属制品", 5), ("C34", "通用设备", 12), ("C35", "专用设备", 13), ("C36", "汽车零部件", 5),
        ("C38", "电气机械", 9), ("C39", "电子信息", 10), ("C40", "仪器仪表", 5), ("C13", "农副食品", 1.5),
        ("C17", "纺织", 1.5), ("C31", "钢铁", 0.5), ("I65", "软件", 7), ("M73", "研发服务", 3), ("M74", "技术服务", 2),
        ("A01", "农业", 0.4), ("E48", "建筑", 0.4), ("F51", "批发", 0.6), ("J66", "金融", 0.1), ("K70", "房地产", 0.1),
    ]

    static let nameWords = ["华", "泰", "鲁", "海", "瑞", "恒", "德", "兴", "信", "达", "正", "博", "智", "科", "创", "源",
                            "宏", "诚", "盛", "远", "新", "汇", "川", "岳", "金", "航", "中", "齐", "东", "晨"]

    package init(seed: UInt64, fiscalYear: Int = 2025) {
        self.seed = seed
        self.fiscalYear = fiscalYear
    }

    /// The true state of enterprise number `index`.
    package func firm(_ index: Int) -> Firm {
        var r = SplitMix64(seed: seed, index: UInt64(index))
        var f = Firm()
        f.fiscalYear = fiscalYear
        f.tier = Self.tierShares[r.pick(weights: Self.tierShares.map(\.1))].0
        // 0 innovative (and untiered candidates, drawn like them), 1 SRDI, 2 little giant.
        let t = max(0, f.tier.rawValue - 1)
        let size = r.normal(), q = r.normal()
        f.latentQuality = q

        let city = Self.cityWeights[r.pick(weights: Self.cityWeights.map(\.2))]
        f.city = city.0
        let industry = Self.industries[r.pick(weights: Self.industries.map(\.2))]
        f.industry = industry.0
        f.id = Self.creditCode(region: city.1, index: index, seed: seed)
        let stem = f.city + (0..<2).map { _ in Self.nameWords[Int(r.uniform() * Double(Self.nameWords.count))] }.joined() + industry.1 + "科技"
        f.name = stem + "有限公司"

        // Age: little giants average about 13 years; the niche years follow.
        let age = max(1, Int(r.logNormal(median: [8.5, 10.5, 12.0][t], sigma: 0.45).rounded()))
        f.foundingYear = fiscalYear - min(age, 60)
        f.nicheYears = min(Double(f.age), max(t == 2 ? 3 : 1, (Double(f.age) * r.uniform(0.5, 1)).rounded()))

        // Revenue (万元): log-normal by tier, with the scale floors the tiers imply.
        let revenueMedian = [2_400.0, 7_000, 22_000][t]
        var revenue = revenueMedian * exp([0.9, 0.8, 0.65][t] * size)
        let floors = [200.0, 1_000, 5_000]
        if revenue < floors[t] { revenue = floors[t] * r.uniform(1, 1.6) }
        let g1 = max(-0.5, 0.10 + 0.05 * q + 0.14 * r.normal() + shift.revenueGrowth)
        let g2 = max(-0.5, 0.10 + 0.05 * q + 0.14 * r.normal())
        f.revenue = [revenue, revenue / (1 + g1), revenue / (1 + g1) / (1 + g2)]
        let mainShare = [r.uniform(0.55, 1), r.uniform(0.72, 1), r.uniform(0.86, 1)][t]
        f.mainRevenue = [f.revenue[0] * mainShare, f.revenue[1] * min(1, mainShare * r.uniform(0.95, 1.05))]

        // R&D intensity: little giants average about 7% (MIIT figures, Models/RULES.md), SRDI about 5.5%.
        var intensity = r.logNormal(median: [0.032, 0.05, 0.062][t], sigma: 0.42) * exp(0.1 * q)
        if t >= 1 { intensity = max(intensity, 0.031 + 0.01 * r.uniform()) }
        if t == 2 && revenue < 10_000 { intensity = max(intensity, 0.061 + 0.01 * r.uniform()) }
        intensity = min(intensity, 0.6)
        f.rd = (0..<3).map { y in f.revenue[y] * intensity * r.uniform(0.88, 1.12) }
        if t >= 1 { f.rd = f.rd.enumerated().map { y, v in y < 2 ? max(v, 100, f.revenue[y] * 0.0301) : v } }

        let margin = 0.07 + 0.035 * q + 0.06 * r.normal()
        f.netProfit = (0..<3).map { y in f.revenue[y] * (margin + 0.02 * r.normal() + (y == 0 ? shift.netMargin : 0)) }
        f.cashFlow = (0..<3).map { y in f.netProfit[y] * r.uniform(0.5, 1.5) + f.revenue[y] * 0.04 * r.normal() }
        f.totalAssets = f.revenue[0] * exp(0.2 + 0.3 * r.normal())
        var debt = 0.42 + 0.13 * r.normal() - 0.03 * q + shift.debtRatio
        debt = min(max(debt, 0.05), 0.97)
        if t == 2 { debt = min(debt, 0.69) }
        f.totalLiabilities = f.totalAssets * debt
        let equity0 = f.totalAssets - f.totalLiabilities, equity1 = max(equity0 - f.netProfit[0], 1)
        f.roe = [f.netProfit[0] / max((equity0 + equity1) / 2, 1), f.netProfit[1] / max(equity1, 1)].map { min(max($0, -5), 5) }
        f.shareCapital = max(50, max(f.totalAssets - f.totalLiabilities, 100) * r.uniform(0.15, 0.6))

        // People: little giants average about 250 employees.
        f.employees = max(5, Int(r.logNormal(median: [55.0, 110, 215][t], sigma: 0.55) * exp(0.35 * size)))
        let staffShare = min(max(0.14 + 0.04 * q + 0.06 * r.normal(), 0.02), 0.8)
        f.rdStaff = Int((Double(f.employees) * staffShare).rounded())

        // IP: little giants average 17–22 invention patents, skewed.
        let inventionMedian = [0.8, 4.5, 13][t]
        f.inventionPatents = r.bernoulli([0.35, 0.08, 0.01][t]) ? 0 : Int(r.logNormal(median: inventionMedian, sigma: 0.85).rounded())
        f.class1IP = f.inventionPatents + (r.bernoulli(0.15) ? Int(r.uniform(1, 4)) : 0)
        f.class1SelfFiled = f.class1IP - Int((Double(f.class1IP) * r.uniform(0, 0.25)).rounded())
        f.class2IP = Int(r.logNormal(median: [8.0, 15, 25][t], sigma: 0.7).rounded())
        f.pledgeablePatents = Int((Double(f.inventionPatents) * r.uniform(0.2, 0.9)).rounded())
        f.patentRemainingYears = f.pledgeablePatents > 0 ? r.uniform(1.5, 18) : 0

        f.rdInstitution = r.pick(weights: [[0.35, 0.25, 0.28, 0.11, 0.01], [0.1, 0.2, 0.4, 0.27, 0.03], [0.0, 0.05, 0.3, 0.52, 0.13]][t])
        f.award = r.pick(weights: [[0.95, 0.045, 0.005], [0.85, 0.13, 0.02], [0.7, 0.25, 0.05]][t])
        f.digitalLevel = min(6, max(1, [1, 2, 3][t] + Int((r.normal() + 0.5).rounded(.down))))
        f.keyChain = r.bernoulli([0.12, 0.25, 0.42][t])
        f.strategicEmerging = r.bernoulli([0.35, 0.45, 0.6][t])
        f.highTech = r.bernoulli([0.38, 0.62, 0.86][t])
        f.nicheShare = [r.uniform(0.001, 0.06), r.uniform(0.01, 0.2), r.uniform(0.10, 0.45)][t]

        // Certificates: 3-year validity from a recognition in the last three years; a few lapsed.
        let recognised = fiscalYear - Int(r.uniform(0, 3))
        let lapsed = r.bernoulli(0.05)
        let until = CivilDate(year: lapsed ? fiscalYear : recognised + 3, month: 12, day: 31)!
        f.certificateValidUntil = f.tier == .none ? nil : until.daysSinceEpoch

        // Capital markets: about 7.5% of little giants are on NEEQ nationally; the innovation tier
        // is about a third of quoted firms.
        let quoted = r.bernoulli([0.035, 0.07, 0.14][t] * exp(0.3 * size))
        if quoted {
            f.neeqStatus = r.bernoulli(0.35 + 0.1 * Double(t)) ? 2 : 1
            f.neeqMonths = Int(r.uniform(3, 120))
        }
        f.regionalEquity = !quoted && r.bernoulli([0.06, 0.12, 0.1][t])
        let priceToSales = r.logNormal(median: 1.8, sigma: 0.45) * exp(0.25 * q + 2 * max(0, intensity - 0.05))
        f.marketValue = f.revenue[0] * priceToSales
        f.equityFinancing = r.bernoulli([0.08, 0.18, 0.33][t]) ? r.logNormal(median: 2_500, sigma: 1) : 0
        // Listing reserve pool: ≥1,000 of 20,000, weighted to larger, better, higher-tier firms.
        f.reservePool = r.bernoulli(WorldModel.sigmoid(-4.1 + 1.2 * Double(t) + 0.9 * size + 0.5 * q + (quoted ? 1.5 : 0)))

        // Credit record.
        f.overdue = r.bernoulli(0.08) ? 1 + Int(r.logNormal(median: 1, sigma: 0.8)) : 0
        f.specialMention = r.bernoulli([0.03, 0.02, 0.012][t])
        f.abnormal = r.bernoulli([0.015, 0.008, 0.004][t])
        f.accident = r.bernoulli(0.006)

        // Drawn from a stream of their own, so adding them left every other field as it was.
        var x = SplitMix64(seed: seed ^ 0xC0_F0_12_3A, index: UInt64(index))
        // Every NEEQ-quoted firm is joint-stock; of the others, reserve-pool firms mostly (they
        // prepare to list), larger and higher-tier ones more often.
        f.jointStock = quoted || x.bernoulli(f.reservePool ? 0.8 : WorldModel.sigmoid(-2.2 + 0.5 * Double(t) + 0.6 * size))
        // A joint-stock company's registered name says so.
        if f.jointStock { f.name = stem + "股份有限公司" }
        // Of the firms on a regional equity market, about two in five are on its 专精特新 board.
        f.regionalSRDIBoard = f.regionalEquity && f.tier != .none && x.bernoulli(0.4)
        // About one firm in five has a working-capital loan falling due within 30 days; most of
        // their banks have agreed to renew it.
        if x.bernoulli(0.2) {
            f.maturingLoan = min(f.revenue[0] * 0.3, x.logNormal(median: 300, sigma: 0.8))
            f.renewalCommitment = x.bernoulli(0.7)
        }
        Self.drawSupplyChainAndPolicy(&f, index: index, seed: seed, tierIndex: t, size: size)
        return Self.roundedAsFiled(f)
    }

    /// Divisions whose firms win government-procurement contracts more often (equipment,
    /// electronics, instruments, medicine, software).
    static let procurementDivisions: Set<String> = ["C27", "C35", "C39", "C40", "I65"]

    /// The fields added for supply-chain finance, procurement loans, policy entitlements and the
    /// application, each from streams of their own, so that adding them left every other field
    /// as it was, except the R&D of the R&D-heavy start-ups (below).
    static func drawSupplyChainAndPolicy(_ f: inout Firm, index: Int, seed: UInt64, tierIndex t: Int, size: Double, redrawStartupRD: Bool = true) {
        var y = SplitMix64(seed: seed ^ 0x5C_F1_4A_4C_E2, index: UInt64(index))
        let manufacturer = f.industry.hasPrefix("C")

        // R&D-heavy start-ups: four in five of the young (≤ 3 years before the fiscal year's end,
        // so under 5 years at the assessment date) untiered and innovative firms
        // spend 21–45% of their costs on R&D, as the 初创科技型企业 that angel funds back do. The
        // accounts drawn above know no such firm, so their R&D is redrawn as a share of cost.
        if redrawStartupRD && t == 0 && f.age <= 3 && y.bernoulli(0.8) {
            f.rdHeavyStartup = true
            let share = y.uniform(0.21, 0.45)
            f.rd = (0..<3).map { k in share * max(f.revenue[k] - f.netProfit[k], 1) * (k == 0 ? 1 : y.uniform(0.95, 1.05)) }
        }

        // 科技型中小企业: the evaluation admits firms of at most 500 employees and 2亿 revenue and
        // assets; within those, high-tech and R&D-intensive firms mostly.
        let techSize = f.employees <= 500 && f.revenue[0] <= 20_000 && f.totalAssets <= 20_000
        let techScore = -0.85 + 1.7 * (f.highTech ? 1 : 0) + 12 * (f.rdIntensity - 0.04) + 0.3 * Double(t) + 0.3 * f.latentQuality
        f.techSMEListed = techSize && y.bernoulli(WorldModel.sigmoid(techScore))

        // Receivables a core enterprise confirmed: a third of the firms, key-chain members
        // (suppliers of a chain leader) more often; 3–25% of revenue.
        if y.bernoulli(WorldModel.sigmoid(-0.95 + 1.0 * (f.keyChain ? 1 : 0) + (manufacturer ? 0.25 : 0) + 0.2 * size)) {
            f.receivablesConfirmed = f.revenue[0] * min(0.25, max(0.03, y.logNormal(median: 0.09, sigma: 0.6)))
            f.coreEnterpriseId = coreEnterpriseCode(Int(y.uniform() * Double(coreEnterprises)), seed: seed)
        }

        // Government-procurement contracts: about one firm in nine, 1–60% of revenue; four in
        // five still running on the assessment date, a few ending on it, the rest ended.
        let procurementBias = procurementDivisions.contains(f.industry) ? 0.9 : 0
        if y.bernoulli(WorldModel.sigmoid(-2.55 + procurementBias + 0.15 * Double(t))) {
            f.procurementAmount = f.revenue[0] * min(0.6, max(0.01, y.logNormal(median: 0.08, sigma: 0.7)))
            if y.bernoulli(0.8) {
                f.procurementEnd = f.asOfDay + (y.bernoulli(0.04) ? 0 : Int(y.uniform(1, 541)))
            } else {
                f.procurementEnd = f.asOfDay - (y.bernoulli(0.08) ? 1 : Int(y.uniform(2, 366)))
            }
        }

        // The provincial major technical-renovation list: larger manufacturers.
        f.techrenoProject = manufacturer && y.bernoulli(WorldModel.sigmoid(-3.0 + 0.9 * size + 0.45 * Double(t)))

        // The application: three firms in ten named an amount and a term.
        if y.bernoulli(0.3) {
            f.requestedAmount = min(5_000, max(10, y.logNormal(median: 300, sigma: 0.9)))
            f.requestedTermMonths = [6, 12, 24, 36][y.pick(weights: [0.15, 0.45, 0.25, 0.15])]
        }
    }

    /// How many core enterprises (chain leaders) confirm the synthetic firms' receivables.
    static let coreEnterprises = 400

    /// The credit code of core enterprise `number`: a large Shandong firm registered before 2015,
    /// whose code carries its 9-digit organisation code where the pool's firms have "MA…", so it
    /// is never a pool firm's code.
    static func coreEnterpriseCode(_ number: Int, seed: UInt64) -> String {
        var c = SplitMix64(seed: seed ^ 0xC0_4E_C0_DE, index: UInt64(number))
        let region = cityWeights[c.pick(weights: cityWeights.map(\.2))].1
        let organisation = 10_000_000 + Int(c.uniform() * 89_999_999)
        return CreditCode.complete("91" + region + String(organisation) + String(Int(c.uniform() * 10)))!
    }

    /// The firm with every value rounded as the CSV writes it (money and years to 2 decimals,
    /// ratios to 4), so that the world model judges exactly the figures a reader of the file sees:
    /// a patent with 4.997 years left must not be ineligible in the world and show "5" in the file.
    static func roundedAsFiled(_ firm: Firm) -> Firm {
        func r2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
        func r4(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }
        var f = firm
        f.revenue = f.revenue.map(r2)
        f.mainRevenue = f.mainRevenue.map(r2)
        f.netProfit = f.netProfit.map(r2)
        f.rd = f.rd.map(r2)
        f.cashFlow = f.cashFlow.map(r2)
        f.totalAssets = r2(f.totalAssets)
        f.totalLiabilities = r2(f.totalLiabilities)
        f.netAssets = r2(f.totalAssets - f.totalLiabilities)
        f.roe = f.roe.map(r4)
        f.shareCapital = r2(f.shareCapital)
        f.patentRemainingYears = r2(f.patentRemainingYears)
        f.nicheYears = r2(f.nicheYears)
        f.maturingLoan = r2(f.maturingLoan)
        f.receivablesConfirmed = r2(f.receivablesConfirmed)
        f.procurementAmount = r2(f.procurementAmount)
        f.requestedAmount = f.requestedAmount.map(r2)
        f.nicheShare = r4(f.nicheShare)
        f.marketValue = r2(f.marketValue)
        f.equityFinancing = r2(f.equityFinancing)
        return f
    }

    /// A valid credit code in `region`, unique per index: 9 (market regulator) 1 (enterprise), the
    /// region, "MA" plus 7 characters as issued since 2015, and the check character. The 7
    /// characters are the index scrambled by a bijection of 0..<31⁷ (multiplication by a number
    /// prime to 31, plus a seed offset), so codes look random but never repeat below 31⁷ firms.
    static func creditCode(region: String, index: Int, seed: UInt64) -> String {
        let space: UInt64 = 27_512_614_111  // 31^7
        var v = (UInt64(index) % space).multipliedFullWidth(by: 16_807).low % space
        v = (v + seed % space) % space
        var chars = [UInt8](repeating: 0, count: 7)
        for i in (0..<7).reversed() {
            chars[i] = CreditCode.alphabet[Int(v % 31)]
            v /= 31
        }
        return CreditCode.complete("91" + region + "MA" + String(decoding: chars, as: UTF8.self))!
    }
}
