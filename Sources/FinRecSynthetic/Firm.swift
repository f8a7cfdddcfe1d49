import FinRecBase
import FinRecRecords
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The true state of one synthetic enterprise, before any field is hidden from the output.
/// Money in 万元; `[0]` is the latest fiscal year, `[1]` the one before, `[2]` the one before that.
package struct Firm: Sendable {
    package enum Tier: Int, Sendable, CaseIterable { case none = 0, innovative, provincialSRDI, littleGiant }

    package var id = ""
    package var name = ""
    package var city = ""
    package var industry = ""
    package var fiscalYear = 2025
    package var foundingYear = 2010
    package var tier = Tier.innovative
    /// Days since 1970-01-01.
    package var certificateValidUntil: Int?
    package var highTech = false
    package var revenue: [Double] = [0, 0, 0]
    package var mainRevenue: [Double] = [0, 0]
    package var netProfit: [Double] = [0, 0, 0]
    package var rd: [Double] = [0, 0, 0]
    package var cashFlow: [Double] = [0, 0, 0]
    package var totalAssets = 0.0
    package var totalLiabilities = 0.0
    /// Set by the generator to the rounded difference of assets and liabilities, as filed.
    package var netAssets = 0.0
    package var roe: [Double] = [0, 0]
    package var shareCapital = 0.0
    package var employees = 1
    package var rdStaff = 0
    package var inventionPatents = 0
    package var class1IP = 0
    package var class1SelfFiled = 0
    package var class2IP = 0
    package var pledgeablePatents = 0
    package var patentRemainingYears = 0.0
    /// Index into EnterpriseSchema.rdInstitutionLevels.
    package var rdInstitution = 0
    /// Index into EnterpriseSchema.awardLevels.
    package var award = 0
    package var digitalLevel = 1
    package var keyChain = false
    package var strategicEmerging = false
    package var nicheYears = 0.0
    package var nicheShare = 0.0
    /// Index into EnterpriseSchema.neeqStatuses.
    package var neeqStatus = 0
    package var neeqMonths = 0
    package var regionalEquity = false
    /// On the regional market's 专精特新 board (专板), which the regional-board offer admits into.
    package var regionalSRDIBoard = false
    /// Index into EnterpriseSchema.listedBoards (0: not listed); only a panel's later years list firms.
    package var listedBoard = 0
    /// A joint-stock company (股份有限公司), not a limited one.
    package var jointStock = false
    /// Working-capital loans maturing within 30 days (万元), and whether the bank committed to renew.
    package var maturingLoan = 0.0
    package var renewalCommitment = false
    package var reservePool = false
    package var marketValue = 0.0
    package var equityFinancing = 0.0
    /// On this year's national list of technology-based SMEs (科技型中小企业).
    package var techSMEListed = false
    /// Receivables a core enterprise has confirmed (万元, 0 when none), and that enterprise's credit code.
    package var receivablesConfirmed = 0.0
    package var coreEnterpriseId: String?
    /// Government-procurement contracts not yet completed (万元, 0 when none), and the end date of
    /// the latest-ending one (days since 1970-01-01; nil without a contract).
    package var procurementAmount = 0.0
    package var procurementEnd: Int?
    /// A project on Shandong's list of major technical-renovation projects.
    package var techrenoProject = false
    /// The application's amount (万元) and term (months), when the firm named them.
    package var requestedAmount: Double?
    package var requestedTermMonths: Int?
    /// One of the R&D-heavy start-ups whose R&D the generator redrew as a share of cost (DATASET.md).
    package var rdHeavyStartup = false
    package var overdue = 0
    package var specialMention = false
    package var abnormal = false
    package var accident = false
    /// Unobserved quality: drives outcomes beyond what the fields show.
    package var latentQuality = 0.0

    package var age: Int { fiscalYear - foundingYear }
    /// Years from 1 January of the founding year to the assessment date (the funds' age rules,
    /// counted as the catalog counts them: 4.5 years for a firm founded the year after a
    /// fiscal year three years back).
    package var yearsSinceFounding: Double { Double(asOfDay) / 365.2425 + 1970 - Double(foundingYear) }
    package var debtRatio: Double { totalAssets > 0 ? totalLiabilities / totalAssets : 1 }
    package var rdIntensity: Double { revenue[0] > 0 ? rd[0] / revenue[0] : 0 }

    /// The date eligibility is judged on: 30 June after the latest fiscal year.
    package var asOfDay: Int { CivilDate(year: fiscalYear + 1, month: 6, day: 30)!.daysSinceEpoch }
    package var certificateValid: Bool { (certificateValidUntil ?? Int.min) >= asOfDay }
}
