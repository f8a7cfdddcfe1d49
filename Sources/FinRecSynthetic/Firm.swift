import FinRecBase
import FinRecRecords
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The true state of one synthetic enterprise, before any field is hidden from the output.
/// Money in 万元; `[0]` is the latest fiscal year, `[1]` the one before, `[2]` the one before that.
public struct Firm: Sendable {
    public enum Tier: Int, Sendable, CaseIterable { case none = 0, innovative, provincialSRDI, littleGiant }

    public var id = ""
    public var name = ""
    public var city = ""
    public var industry = ""
    public var fiscalYear = 2025
    public var foundingYear = 2010
    public var tier = Tier.innovative
    /// Days since 1970-01-01.
    public var certificateValidUntil: Int?
    public var highTech = false
    public var revenue: [Double] = [0, 0, 0]
    public var mainRevenue: [Double] = [0, 0]
    public var netProfit: [Double] = [0, 0, 0]
    public var rd: [Double] = [0, 0, 0]
    public var cashFlow: [Double] = [0, 0, 0]
    public var totalAssets = 0.0
    public var totalLiabilities = 0.0
    /// Set by the generator to the rounded difference of assets and liabilities, as filed.
    public var netAssets = 0.0
    public var roe: [Double] = [0, 0]
    public var shareCapital = 0.0
    public var employees = 1
    public var rdStaff = 0
    public var inventionPatents = 0
    public var class1IP = 0
    public var class1SelfFiled = 0
    public var class2IP = 0
    public var pledgeablePatents = 0
    public var patentRemainingYears = 0.0
    /// Index into EnterpriseSchema.rdInstitutionLevels.
    public var rdInstitution = 0
    /// Index into EnterpriseSchema.awardLevels.
    public var award = 0
    public var digitalLevel = 1
    public var keyChain = false
    public var strategicEmerging = false
    public var nicheYears = 0.0
    public var nicheShare = 0.0
    /// Index into EnterpriseSchema.neeqStatuses.
    public var neeqStatus = 0
    public var neeqMonths = 0
    public var regionalEquity = false
    /// On the regional market's 专精特新 board (专板), which the regional-board offer admits into.
    public var regionalSRDIBoard = false
    /// A joint-stock company (股份有限公司), not a limited one.
    public var jointStock = false
    /// Working-capital loans maturing within 30 days (万元), and whether the bank committed to renew.
    public var maturingLoan = 0.0
    public var renewalCommitment = false
    public var reservePool = false
    public var marketValue = 0.0
    public var equityFinancing = 0.0
    public var overdue = 0
    public var specialMention = false
    public var abnormal = false
    public var accident = false
    /// Unobserved quality: drives outcomes beyond what the fields show.
    public var latentQuality = 0.0

    public var age: Int { fiscalYear - foundingYear }
    public var debtRatio: Double { totalAssets > 0 ? totalLiabilities / totalAssets : 1 }
    public var rdIntensity: Double { revenue[0] > 0 ? rd[0] / revenue[0] : 0 }

    /// The date eligibility is judged on: 30 June after the latest fiscal year.
    public var asOfDay: Int { CivilDate(year: fiscalYear + 1, month: 6, day: 30)!.daysSinceEpoch }
    public var certificateValid: Bool { (certificateValidUntil ?? Int.min) >= asOfDay }
}
