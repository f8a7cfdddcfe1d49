import FinRecBase
import FinRecRecords
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The hidden world behind the synthetic outcome labels: the real eligibility rules of the fifteen
/// modelled offers (Models/RULES.md; thresholds as there), evaluated on a firm's true values, and a success
/// probability among eligible firms that depends on the fields through non-linear effects and
/// interactions, plus the firm's unobserved quality. A linear model on the observed fields can
/// learn much of it, not all.
///
/// This code is written independently of the catalog's expression rules so that each checks the
/// other: on the shipped dataset, every firm the catalog finds eligible with all fields present
/// must be eligible here and the other way round.
package enum WorldModel {
    /// The modelled offers with stable ids: the ten loans and boards in catalog order, then the
    /// supply-chain offers and the three sub-funds of Shandong's 新旧动能转换基金.
    package static let productIds = ["srdi_loan", "little_giant_loan", "patent_loan", "project_loan", "emergency_loan",
                                    "bse", "star", "neeq", "chinext", "regional_board",
                                    "receivables_finance", "procurement_loan", "angel_fund", "venture_fund", "industry_fund"]

    /// Shandong's 16 prefecture-level cities.
    static let shandongCities: Set<String> = ["济南", "青岛", "淄博", "枣庄", "东营", "烟台", "潍坊", "济宁",
                                              "泰安", "威海", "日照", "临沂", "德州", "聊城", "滨州", "菏泽"]

    /// The ten strong industries (十强产业) of Shandong as GB/T 4754-2017 divisions: our own
    /// division-level mapping (DATASET.md), the province publishes none.
    static let tenStrongDivisions: Set<String> = [
        "A01", "A02", "A03", "A04", "A05", "C13", "C14", "C26", "C27", "C28", "C29", "C30", "C31", "C32", "C33", "C34",
        "C35", "C37", "C38", "C39", "C40", "D44", "I63", "I64", "I65", "J66", "J67", "J68", "J69", "M73", "N78", "Q84",
        "R86", "R87", "R88", "R90",
    ]

    /// Whether the firm is an SME (中小企业) by the 2011 size standard (工信部联企业〔2011〕300号):
    /// below the employee, revenue or asset limit of its sector; a sector without a limit on a
    /// measure never passes on it.
    static func isSME(_ f: Firm) -> Bool {
        let division = f.industry, section = division.prefix(1)
        // (employees, revenue 万元, total assets 万元); nil: that measure is not used.
        let limits: (Int?, Double?, Double?)
        switch section {
        case "A": limits = (nil, 20_000, nil)                       // agriculture, forestry, fishery
        case "B", "C", "D": limits = (1_000, 40_000, nil)           // industry
        case "E": limits = (nil, 80_000, 80_000)                    // construction
        case "F": limits = division == "F51" ? (200, 40_000, nil) : (300, 20_000, nil)  // wholesale; retail
        case "G": limits = division == "G59" ? (200, 30_000, nil) : (1_000, 30_000, nil)  // warehousing; transport, post
        case "H": limits = (300, 10_000, nil)                       // hotels and catering
        case "I":
            if division == "I63" || division == "I64" { limits = (2_000, 100_000, nil) }  // telecom, internet
            else if division == "I65" { limits = (300, 10_000, nil) }                    // software
            else { limits = (300, nil, nil) }
        case "K": limits = (nil, 200_000, 10_000)                   // real estate (as development)
        case "L": limits = (300, nil, 120_000)                      // leasing and business services
        default: limits = (300, nil, nil)                           // sectors the standard does not list
        }
        return limits.0.map { f.employees < $0 } == true || limits.1.map { f.revenue[0] < $0 } == true
            || limits.2.map { f.totalAssets < $0 } == true
    }

    /// R&D expense as a share of total cost (revenue less net profit), as 财税〔2018〕55号 measures
    /// a start-up's R&D: rd / max(revenue − net profit, rd, 1).
    static func rdCostShare(_ f: Firm) -> Double {
        f.rd[0] / max(f.revenue[0] - f.netProfit[0], f.rd[0], 1)
    }

    /// Whether product `k` concerns the firm at all: receivables finance needs confirmed
    /// receivables, the procurement loan a contract still running on the assessment date. A firm
    /// it does not concern never applies (its label is empty).
    package static func applies(_ f: Firm, product k: Int) -> Bool {
        switch productIds[k] {
        case "receivables_finance": f.receivablesConfirmed > 0
        case "procurement_loan": f.procurementAmount > 0 && (f.procurementEnd ?? Int.min) >= f.asOfDay
        // A listed firm (a panel's later years) seeks no listing or quotation.
        case "bse", "star", "neeq", "chinext", "regional_board": f.listedBoard == 0
        default: true
        }
    }

    /// Loans' common credit screens: no special-mention or non-performing loans, not on the
    /// abnormal-operation or dishonesty lists, fewer than 6 overdue repayments in 24 months (连三累六).
    static func creditClean(_ f: Firm) -> Bool {
        !f.specialMention && !f.abnormal && f.overdue < 6
    }

    static func sum(_ xs: [Double], _ n: Int) -> Double { xs.prefix(n).reduce(0, +) }

    /// BSE 2.1.3: at least one market-value / financial standard.
    static func bseStandard(_ f: Firm) -> Bool {
        let mv = f.marketValue, np = f.netProfit, rev = f.revenue
        let s1 = mv >= 20_000 && ((np[0] >= 1500 && np[1] >= 1500 && (f.roe[0] + f.roe[1]) / 2 >= 0.08)
                                  || (np[0] >= 2500 && f.roe[0] >= 0.08))
        let s2 = mv >= 40_000 && (rev[0] + rev[1]) / 2 >= 10_000 && rev[1] > 0 && rev[0] / rev[1] - 1 >= 0.30 && f.cashFlow[0] > 0
        let s3 = mv >= 80_000 && rev[0] >= 20_000 && (f.rd[0] + f.rd[1]) / (rev[0] + rev[1]) >= 0.08
        let s4 = mv >= 150_000 && f.rd[0] + f.rd[1] >= 5000
        return s1 || s2 || s3 || s4
    }

    /// STAR 2.1.2 standards 1–4 (standard 5 needs a qualitative review and is not modelled).
    static func starStandard(_ f: Firm) -> Bool {
        let mv = f.marketValue, np = f.netProfit, rev = f.revenue
        let s1 = mv >= 100_000 && ((np[0] > 0 && np[1] > 0 && np[0] + np[1] >= 5000) || (np[0] > 0 && rev[0] >= 10_000))
        let s2 = mv >= 150_000 && rev[0] >= 20_000 && sum(f.rd, 3) / sum(rev, 3) >= 0.15
        let s3 = mv >= 200_000 && rev[0] >= 30_000 && sum(f.cashFlow, 3) >= 10_000
        let s4 = mv >= 300_000 && rev[0] >= 30_000
        return s1 || s2 || s3 || s4
    }

    /// 科创属性 (2024-04-30 version): all four regular indicators, or an exception.
    static func sciTechAttribute(_ f: Firm) -> Bool {
        let rev3 = sum(f.revenue, 3), rd3 = sum(f.rd, 3)
        let software = f.industry == "I65"
        let rdOK = rd3 / rev3 >= 0.05 || rd3 >= 8000
        let staffOK = Double(f.rdStaff) / Double(f.employees) >= 0.10
        let patentsOK = software ? rd3 / rev3 >= 0.10 : f.inventionPatents >= 7
        let cagr = f.revenue[2] > 0 ? (f.revenue[0] / f.revenue[2]).squareRoot() - 1 : 0
        let growthOK = cagr >= 0.25 || f.revenue[0] >= 30_000
        let regular = rdOK && staffOK && patentsOK && growthOK
        let exception = f.award == 2 || f.inventionPatents >= 50
        return regular || exception
    }

    /// NEEQ 2023 financial alternatives (i)–(iv) (Models/RULES.md: unconfirmed).
    static func neeqFinancial(_ f: Firm) -> Bool {
        let np = f.netProfit, rev = f.revenue
        let i = (np[0] > 0 && np[1] > 0 && np[0] + np[1] >= 800) || np[0] >= 600
        let avg = (rev[0] + rev[1]) / 2
        let ii = (avg >= 3000 && rev[1] > 0 && rev[0] / rev[1] - 1 >= 0.20) || (avg >= 5000 && f.cashFlow[0] > 0 && f.cashFlow[1] > 0)
        let iii = rev[0] >= 3000 && (f.rd[0] + f.rd[1]) / (rev[0] + rev[1]) >= 0.05
        let iv = f.rd[0] + f.rd[1] >= 1000 && f.equityFinancing >= 2000
        return i || ii || iii || iv
    }

    /// ChiNext "in principle not supported" industries (GB/T 4754 divisions), as the final 2020
    /// rule lists them. The rule admits exceptions (firms deeply merged with new technology); the
    /// world treats such firms as not listing, the catalog leaves them to a person.
    static let chinextExcluded: Set<String> = {
        var s = Set<String>()
        for d in 1...5 { s.insert(String(format2("A", d))) }
        for d in 6...12 { s.insert(String(format2("B", d))) }
        for c in ["C15", "C17", "C31", "D44", "D45", "D46", "E47", "E48", "E49", "E50",
                  "G53", "G54", "G55", "G56", "G57", "G58", "G59", "G60", "H61", "H62",
                  "J66", "J67", "J68", "J69", "K70", "O80", "O81", "O82"] { s.insert(c) }
        return s
    }()

    static func format2(_ letter: String, _ d: Int) -> String { letter + (d < 10 ? "0" : "") + String(d) }

    /// ChiNext 2024 standards 1–3, and the reported 2026 standard 4.
    static func chinextStandard(_ f: Firm) -> Bool {
        let mv = f.marketValue, np = f.netProfit, rev = f.revenue
        let s1 = np[0] > 0 && np[1] > 0 && np[0] + np[1] >= 10_000 && np[0] >= 6000
        let s2 = mv >= 150_000 && np[0] > 0 && rev[0] >= 40_000
        let s3 = mv >= 500_000 && rev[0] >= 30_000
        let cagr = f.revenue[2] > 0 ? (f.revenue[0] / f.revenue[2]).squareRoot() - 1 : 0
        let s4a = mv >= 300_000 && rev[0] >= 20_000 && cagr >= 0.30
        let s4b = mv >= 400_000 && rev[0] >= 20_000 && sum(f.rd, 3) >= 10_000 && sum(f.rd, 3) / sum(rev, 3) >= 0.15
        return s1 || s2 || s3 || s4a || s4b
    }

    /// Whether `f` meets the rule of product `k` (index into ``productIds``).
    package static func eligible(_ f: Firm, product k: Int) -> Bool {
        let boardClean = !f.abnormal && !f.accident
        switch productIds[k] {
        case "srdi_loan":
            return (f.tier == .provincialSRDI || f.tier == .littleGiant) && f.certificateValid && creditClean(f)
        case "little_giant_loan":
            return f.tier == .littleGiant && f.certificateValid && creditClean(f)
        case "patent_loan":
            return f.pledgeablePatents >= 1 && f.patentRemainingYears >= 5 && f.age >= 2 && creditClean(f)
        case "project_loan":
            return f.age >= 3 && f.debtRatio <= 0.70 && f.netAssets > 0 && creditClean(f)
        case "emergency_loan":
            return f.maturingLoan > 0 && f.renewalCommitment && f.debtRatio < 0.70 && creditClean(f)
        case "bse":
            let industryOK = !f.industry.hasPrefix("J") && !f.industry.hasPrefix("K")
            return f.neeqStatus == 2 && f.neeqMonths >= 12 && f.netAssets >= 5000 && industryOK && boardClean && bseStandard(f)
        case "star":
            let industryOK = !f.industry.hasPrefix("J") && !f.industry.hasPrefix("K")
            return f.jointStock && f.age >= 3 && industryOK && boardClean && starStandard(f) && sciTechAttribute(f)
        case "neeq":
            return f.jointStock && f.neeqStatus == 0 && f.age >= 2 && f.shareCapital >= 500 && f.netAssets >= f.shareCapital && boardClean && neeqFinancial(f)
        case "chinext":
            return f.jointStock && f.age >= 3 && !chinextExcluded.contains(f.industry) && boardClean && chinextStandard(f)
        case "regional_board":
            // Firms on another board of a regional market may transfer into the 专精特新 board.
            return f.tier != .none && f.certificateValid && f.neeqStatus == 0 && !f.regionalSRDIBoard && !f.abnormal
        case "receivables_finance":
            let core = f.coreEnterpriseId ?? ""
            return applies(f, product: k) && !core.isEmpty && core != f.id && creditClean(f)
        case "procurement_loan":
            return applies(f, product: k) && isSME(f) && creditClean(f)
        case "angel_fund":
            // 初创科技型企业 (财税〔2018〕55号). The synthetic firms are all unlisted.
            return shandongCities.contains(f.city) && f.yearsSinceFounding <= 5 && f.employees <= 300 && f.totalAssets <= 5_000
                && f.revenue[0] <= 5_000 && rdCostShare(f) >= 0.20 && !f.abnormal
        case "venture_fund":
            let innovative = f.highTech || f.tier.rawValue >= Firm.Tier.innovative.rawValue || f.techSMEListed
            return shandongCities.contains(f.city) && f.yearsSinceFounding <= 10 && isSME(f) && innovative
                && (tenStrongDivisions.contains(f.industry) || f.strategicEmerging) && !f.abnormal
        case "industry_fund":
            return shandongCities.contains(f.city) && tenStrongDivisions.contains(f.industry) && f.revenue[0] >= 5_000
                && f.netProfit[0] > 0 && !f.abnormal && !f.accident
        default:
            preconditionFailure("unknown product \(productIds[k])")
        }
    }

    static func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }

    /// The logit of success for product `k` among eligible firms: non-linear in the fields, with
    /// interactions and the firm's latent quality.
    package static func successLogit(_ f: Firm, product k: Int) -> Double {
        let rdI = f.rdIntensity
        let logRev = log(max(f.revenue[0], 1) / 5000)
        let growth = f.revenue[1] > 0 ? f.revenue[0] / f.revenue[1] - 1 : 0
        let margin = f.revenue[0] > 0 ? f.netProfit[0] / f.revenue[0] : 0
        let debt = f.debtRatio
        let patents = log1p(Double(f.inventionPatents))
        let q = f.latentQuality
        let tierBoost = Double(f.tier.rawValue) * 0.25
        let creditPenalty = 0.45 * Double(f.overdue)
        switch productIds[k] {
        case "srdi_loan":
            return -0.3 + 1.4 * tanh(12 * (rdI - 0.05)) + 0.35 * logRev - 4 * max(0, debt - 0.55)
                + (f.keyChain ? 0.4 : 0) + (f.highTech ? 0.3 : 0) + 0.8 * tanh(4 * margin) - creditPenalty + 0.6 * q
        case "little_giant_loan":
            return 0.2 + 1.2 * tanh(10 * (rdI - 0.06)) + 0.3 * logRev + 2.5 * f.nicheShare - 3 * max(0, debt - 0.5)
                + 0.25 * patents * (f.keyChain ? 1.5 : 1) - creditPenalty + 0.6 * q
        case "patent_loan":
            return -1.0 + 0.7 * patents + 0.08 * min(f.patentRemainingYears, 15) + 0.8 * tanh(10 * (rdI - 0.04))
                - 2.5 * max(0, debt - 0.6) + tierBoost - creditPenalty + 0.5 * q
        case "project_loan":
            return -1.2 + 0.5 * logRev + 1.5 * tanh(5 * (f.cashFlow[0] / max(f.revenue[0], 1)))
                - 5 * max(0, debt - 0.5) + 0.8 * tanh(5 * margin) + (f.keyChain ? 0.5 : 0) - creditPenalty + 0.5 * q
        case "emergency_loan":
            let liquidity = f.cashFlow[0] / max(f.revenue[0], 1)
            return 0.4 - 3 * debt * debt + 1.2 * tanh(6 * liquidity) + tierBoost - 0.7 * Double(f.overdue) + 0.4 * q
        case "bse":
            return -1.0 + 1.6 * tanh(3 * growth) + 0.5 * logRev + 1.2 * tanh(8 * (rdI - 0.05)) + 0.8 * tanh(6 * margin)
                + (f.tier == .littleGiant ? 0.5 : 0) + 0.7 * q
        case "star":
            return -1.5 + 2.0 * tanh(10 * (rdI - 0.08)) + 0.6 * patents + 1.0 * tanh(2 * growth) + 0.3 * logRev
                + (f.strategicEmerging ? 0.6 : 0) + 0.7 * q
        case "neeq":
            return -0.4 + 0.5 * logRev + 1.0 * tanh(3 * growth) + 0.6 * tanh(6 * margin)
                + (f.regionalEquity ? 0.4 : 0) + 0.3 * tierBoost + 0.6 * q
        case "chinext":
            return -1.2 + 0.6 * logRev + 1.5 * tanh(3 * growth) + 1.0 * tanh(5 * margin) + 0.5 * q
        case "regional_board":
            return -0.2 + 0.3 * logRev + 0.5 * tanh(3 * growth) + 0.6 * tanh(6 * (rdI - 0.03)) + tierBoost + 0.5 * q
        case "receivables_finance":
            // The core enterprise's confirmation carries most of the risk: approval is common,
            // higher for a larger confirmed amount (relative to revenue), lower with a poor credit
            // history or heavy debt.
            let share = f.receivablesConfirmed / max(f.revenue[0], 1)
            return 0.65 + 1.0 * tanh(10 * (share - 0.08)) - 0.55 * Double(f.overdue) - 4 * max(0, debt - 0.6)
                + (f.keyChain ? 0.3 : 0) + 0.4 * q
        case "procurement_loan":
            let share = f.procurementAmount / max(f.revenue[0], 1)
            return 0.55 + 0.9 * tanh(6 * (share - 0.1)) - 4 * max(0, debt - 0.55) - 0.6 * Double(f.overdue)
                + 0.5 * tanh(5 * margin) + 0.4 * q
        case "angel_fund":
            // Start-ups: growth and R&D weight, patents the more for a strategic-emerging firm.
            return -3.45 + 1.4 * tanh(3 * growth) + 1.2 * tanh(6 * (rdCostShare(f) - 0.3))
                + 0.45 * patents * (f.strategicEmerging ? 1.5 : 1) + (f.highTech ? 0.3 : 0) + 0.8 * q
        case "venture_fund":
            return -3.15 + 1.2 * tanh(3 * growth) + 1.0 * tanh(10 * (rdI - 0.06)) + 0.35 * patents + tierBoost
                + (f.strategicEmerging ? 0.4 : 0) + (f.keyChain ? 0.3 : 0) + 0.7 * q
        case "industry_fund":
            return -3.5 + 0.4 * logRev + 0.9 * tanh(3 * growth) + 0.8 * tanh(6 * margin) + tierBoost
                + 0.2 * patents * (f.keyChain ? 2 : 1) + (f.strategicEmerging ? 0.3 : 0) + 0.6 * q
        default:
            preconditionFailure("unknown product \(productIds[k])")
        }
    }

    /// P(success | applied): 0 for an ineligible firm, else the logistic of ``successLogit(_:product:)``.
    package static func successProbability(_ f: Firm, product k: Int) -> Double {
        eligible(f, product: k) ? sigmoid(successLogit(f, product: k)) : 0
    }
}
