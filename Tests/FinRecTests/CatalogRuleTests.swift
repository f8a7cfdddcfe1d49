import FinRec
import Foundation
import Testing

/// One applicant built from `fields`, read through the JSON reader, evaluated on the shipped
/// catalog as of 2026-06-30.
func eligibility(_ fields: [String: Field], offer: String, language: Language = .zh) throws -> (status: Truth, reasons: [EligibilityReason]) {
    var object = JSONObject([("enterprise_id", .string("91370100MA3C5YQ12D")), ("fiscal_year", .number(2025))])
    for (k, v) in fields.sorted(by: { $0.key < $1.key }) { object[k] = v.json }
    let bytes = Array(JSONValue.object(object).prettyPrinted().utf8)
    let (chunk, _) = try JSONRecordReader.parse(bytes, path: "applicant.json", schema: EnterpriseSchema.schema)
    let evaluator = try EligibilityEvaluator(catalog: shippedCatalog)
    let result = evaluator.evaluate(chunk, asOf: assessmentDay)
    let k = try #require(shippedCatalog.offers.firstIndex { $0.id == offer })
    return (result.status(offer: k, row: 0), result.reasons(offer: k, row: 0, language: language))
}

/// A field value in a test applicant: a number, a string, or nil for "absent".
enum Field: Sendable, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByNilLiteral {
    case number(Double), text(String), absent
    init(integerLiteral value: Int) { self = .number(Double(value)) }
    init(floatLiteral value: Double) { self = .number(value) }
    init(stringLiteral value: String) { self = .text(value) }
    init(nilLiteral: ()) { self = .absent }
    var json: JSONValue {
        switch self {
        case .number(let x): .number(x)
        case .text(let s): .string(s)
        case .absent: .null
        }
    }
}

/// A clean little giant that every credit screen passes; tests add what each offer needs.
let cleanFirm: [String: Field] = [
    "founding_year": 2010, "certification_tier": "little_giant", "certification_valid_until": "2027-12-31",
    "industry_code": "C35", "special_mention_loans": 0, "abnormal_or_dishonest": 0, "overdue_24m": 0, "major_accident_3y": 0,
    "neeq_status": "not_quoted", "neeq_months": 0, "company_form": "joint_stock", "regional_equity_listed": 0, "listed_board": "none",
]

func with(_ base: [String: Field], _ changes: [String: Field]) -> [String: Field] {
    base.merging(changes) { _, new in new }
}

/// Thresholds worked out by hand from the published rules (Models/RULES.md): each case sets one field to a value at,
/// just past or just short of the threshold (or removes it) and says what the offer must be.
@Suite("Catalog rules at their thresholds")
struct CatalogRuleTests {
    typealias Case = (String, [String: Field], Truth)

    // MARK: Loans

    static let loanBase = with(cleanFirm, ["total_assets": 10_000, "total_liabilities": 5_000, "net_assets": 5_000,
                                           "pledgeable_patents": 3, "patent_remaining_years": 8, "maturing_loan": 500, "renewal_commitment": 1])

    @Test("专精特新贷: tier, certificate validity and credit screens", arguments: [
        ("provincial SRDI passes", ["certification_tier": "provincial_srdi"], .pass),
        ("little giant passes", [:], .pass),
        ("innovative SME fails", ["certification_tier": "innovative"], .fail),
        ("tier missing is unknown", ["certification_tier": nil], .unknown),
        ("certificate valid on the assessment day passes", ["certification_valid_until": "2026-06-30"], .pass),
        ("certificate expired the day before fails", ["certification_valid_until": "2026-06-29"], .fail),
        ("certificate date missing is unknown", ["certification_valid_until": nil], .unknown),
        ("5 overdue repayments pass", ["overdue_24m": 5], .pass),
        ("6 overdue repayments fail (连三累六)", ["overdue_24m": 6], .fail),
        ("special-mention loans fail", ["special_mention_loans": 1], .fail),
        ("dishonesty list fails", ["abnormal_or_dishonest": 1], .fail),
        ("missing credit flag is unknown", ["special_mention_loans": nil], .unknown),
        ("a failure beats a missing field", ["special_mention_loans": nil, "certification_tier": "innovative"], .fail),
    ] as [Case])
    func srdiLoan(name: String, changes: [String: Field], expected: Truth) throws {
        #expect(try eligibility(with(Self.loanBase, changes), offer: "srdi_loan").status == expected, "\(name)")
    }

    @Test("A certificate expiring within the 1-year loan term warns; one expired fails", arguments: [
        ("valid a year and a day: no warning", "2027-07-01", Truth.pass, false),
        ("valid exactly a year (as_of + 365): no warning", "2027-06-30", .pass, false),
        ("a day short of the term: open, with a warning", "2027-06-29", .pass, true),
        ("valid on the assessment day only: open, with a warning", "2026-06-30", .pass, true),
        ("expired: fails, no warning", "2026-06-29", .fail, false),
    ])
    func certificateWarning(name: String, until: String, expected: Truth, warns: Bool) throws {
        for offer in ["srdi_loan", "little_giant_loan"] {
            var object = JSONObject([("enterprise_id", .string("91370100MA3C5YQ12D")), ("fiscal_year", .number(2025))])
            for (k, v) in with(Self.loanBase, ["certification_valid_until": .text(until)]).sorted(by: { $0.key < $1.key }) { object[k] = v.json }
            let (chunk, _) = try JSONRecordReader.parse(Array(JSONValue.object(object).prettyPrinted().utf8), path: "a.json", schema: EnterpriseSchema.schema)
            let result = try EligibilityEvaluator(catalog: shippedCatalog).evaluate(chunk, asOf: assessmentDay)
            let k = try #require(shippedCatalog.offers.firstIndex { $0.id == offer })
            #expect(result.status(offer: k, row: 0) == expected, "\(offer) \(name)")
            let warnings = result.warnings(offer: k, row: 0, language: .zh)
            #expect(warnings.isEmpty != warns, "\(offer) \(name): \(warnings.map(\.text))")
            if warns { #expect(warnings.first?.text.contains("资质有效期至 " + until) == true, "\(warnings.map(\.text))") }
        }
    }

    @Test("小巨人贷: little giants only", arguments: [
        ("little giant passes", [:], .pass),
        ("provincial SRDI fails", ["certification_tier": "provincial_srdi"], .fail),
        ("expired little giant fails", ["certification_valid_until": "2025-12-31"], .fail),
    ] as [Case])
    func littleGiantLoan(name: String, changes: [String: Field], expected: Truth) throws {
        #expect(try eligibility(with(Self.loanBase, changes), offer: "little_giant_loan").status == expected, "\(name)")
    }

    @Test("专利创新贷: a pledgeable patent with 5 years left, 2 years in business", arguments: [
        ("base passes", [:], .pass),
        ("exactly 5 years left passes", ["patent_remaining_years": 5], .pass),
        ("4.99 years left fails", ["patent_remaining_years": 4.99], .fail),
        ("5.01 years left passes", ["patent_remaining_years": 5.01], .pass),
        ("remaining life missing is unknown", ["patent_remaining_years": nil], .unknown),
        ("one pledgeable patent passes", ["pledgeable_patents": 1], .pass),
        ("no pledgeable patent fails", ["pledgeable_patents": 0], .fail),
        ("founded 2023 (2 years) passes", ["founding_year": 2023], .pass),
        ("founded 2024 (1 year) fails", ["founding_year": 2024], .fail),
    ] as [Case])
    func patentLoan(name: String, changes: [String: Field], expected: Truth) throws {
        #expect(try eligibility(with(Self.loanBase, changes), offer: "patent_loan").status == expected, "\(name)")
    }

    @Test("中长期项目贷 and 信用应急贷: debt ratio at 70%", arguments: [
        ("project: 70% debt passes", "project_loan", ["total_liabilities": 7_000, "net_assets": 3_000], .pass),
        ("project: 70.01% debt fails", "project_loan", ["total_liabilities": 7_001, "net_assets": 2_999], .fail),
        ("project: founded 2022 (3 years) passes", "project_loan", ["founding_year": 2022], .pass),
        ("project: founded 2023 (2 years) fails", "project_loan", ["founding_year": 2023], .fail),
        ("project: liabilities missing is unknown", "project_loan", ["total_liabilities": nil], .unknown),
        ("emergency: 69.99% debt passes", "emergency_loan", ["total_liabilities": 6_999, "net_assets": 3_001], .pass),
        ("emergency: 70% debt fails", "emergency_loan", ["total_liabilities": 7_000, "net_assets": 3_000], .fail),
        ("emergency: a loan of 0.01万 falling due passes", "emergency_loan", ["maturing_loan": 0.01], .pass),
        ("emergency: no loan falling due fails", "emergency_loan", ["maturing_loan": 0], .fail),
        ("emergency: without the bank's renewal commitment fails", "emergency_loan", ["renewal_commitment": 0], .fail),
        ("emergency: commitment not known is unknown", "emergency_loan", ["renewal_commitment": nil], .unknown),
    ] as [(String, String, [String: Field], Truth)])
    func debtRatio(name: String, offer: String, changes: [String: Field], expected: Truth) throws {
        #expect(try eligibility(with(Self.loanBase, changes), offer: offer).status == expected, "\(name)")
    }

    // MARK: 北交所

    /// Meets BSE standard 1 exactly through two years of profit: MV 2亿, net profit 1500万 twice, ROE 8%.
    static let bseBase = with(cleanFirm, [
        "neeq_status": "innovation", "neeq_months": 12, "total_assets": 12_000, "total_liabilities": 7_000, "net_assets": 5_000,
        "expected_market_value": 20_000, "net_profit_y1": 1_500, "net_profit_y2": 1_500, "weighted_roe_y1": 0.08, "weighted_roe_y2": 0.08,
        "revenue_y1": 9_000, "revenue_y2": 8_000, "rd_expense_y1": 300, "rd_expense_y2": 300, "operating_cash_flow_y1": 800,
    ])

    @Test("北交所: NEEQ innovation tier 12 months, net assets 5000万, standard 1", arguments: [
        ("base passes", [:], .pass),
        ("11 months quoted fails", ["neeq_months": 11], .fail),
        ("basic tier fails", ["neeq_status": "basic"], .fail),
        ("net assets 4999.99万 fails", ["total_liabilities": 7_000.01, "net_assets": 4_999.99], .fail),
        ("market value 19999.99万 fails", ["expected_market_value": 19_999.99], .fail),
        ("market value missing is unknown", ["expected_market_value": nil], .unknown),
        ("net profit 1499.99万 last-but-one year fails", ["net_profit_y2": 1_499.99], .fail),
        ("average ROE 7.995% fails", ["weighted_roe_y2": 0.0799], .fail),
        ("one year of 2500万 profit at 8% ROE passes", ["net_profit_y1": 2_500, "net_profit_y2": 100, "weighted_roe_y2": 0.01], .pass),
        ("one year of 2499.99万 profit fails", ["net_profit_y1": 2_499.99, "net_profit_y2": 100, "weighted_roe_y2": 0.01], .fail),
        ("finance industry fails", ["industry_code": "J66"], .fail),
        ("major accident fails", ["major_accident_3y": 1], .fail),
    ] as [Case])
    func bseStandard1(name: String, changes: [String: Field], expected: Truth) throws {
        #expect(try eligibility(with(Self.bseBase, changes), offer: "bse").status == expected, "\(name)")
    }

    /// Fails standard 1 (low profit) so the other standards decide.
    static let bseLowProfit = with(bseBase, ["net_profit_y1": 100, "net_profit_y2": 100])

    @Test("北交所 standards 2, 3 and 4", arguments: [
        ("standard 1 alone fails here", [:], .fail),
        ("S2: MV 4亿, revenue 1.3亿 after 1亿 (+30%), cash flow positive", ["expected_market_value": 40_000, "revenue_y1": 13_000, "revenue_y2": 10_000], .pass),
        ("S2: growth 29.99% fails", ["expected_market_value": 40_000, "revenue_y1": 12_999, "revenue_y2": 10_000], .fail),
        ("S2: average revenue exactly 1亿 passes", ["expected_market_value": 40_000, "revenue_y1": 11_500, "revenue_y2": 8_500], .pass),
        ("S2: zero operating cash flow fails", ["expected_market_value": 40_000, "revenue_y1": 13_000, "revenue_y2": 10_000, "operating_cash_flow_y1": 0], .fail),
        ("S3: MV 8亿, revenue 2亿, R&D exactly 8% over 2 years", ["expected_market_value": 80_000, "revenue_y1": 20_000, "revenue_y2": 20_000,
                                                             "rd_expense_y1": 1_600, "rd_expense_y2": 1_600], .pass),
        ("S3: R&D 7.9975% fails", ["expected_market_value": 80_000, "revenue_y1": 20_000, "revenue_y2": 20_000,
                                  "rd_expense_y1": 1_599, "rd_expense_y2": 1_600], .fail),
        ("S3: R&D missing is unknown", ["expected_market_value": 80_000, "revenue_y1": 20_000, "revenue_y2": 20_000,
                                       "rd_expense_y1": 1_600, "rd_expense_y2": nil], .unknown),
        ("S4: MV 15亿 and 5000万 R&D over 2 years", ["expected_market_value": 150_000, "rd_expense_y1": 2_500, "rd_expense_y2": 2_500], .pass),
        ("S4: 4999.99万 R&D fails", ["expected_market_value": 150_000, "rd_expense_y1": 2_499.99, "rd_expense_y2": 2_500,
                                    "revenue_y1": 9_000, "revenue_y2": 9_000], .fail),
    ] as [Case])
    func bseOtherStandards(name: String, changes: [String: Field], expected: Truth) throws {
        #expect(try eligibility(with(Self.bseLowProfit, changes), offer: "bse").status == expected, "\(name)")
    }

    @Test("A failed BSE standard explains itself with the value, the threshold and the standard")
    func bseReason() throws {
        let firm = with(Self.bseLowProfit, ["expected_market_value": 80_000, "revenue_y1": 20_000, "revenue_y2": 20_000,
                                            "rd_expense_y1": 1_060, "rd_expense_y2": 1_060])
        let zh = try eligibility(firm, offer: "bse", language: .zh).reasons.map(\.text)
        #expect(zh.contains("近两年研发投入占比 5.3% < 8%（北交所标准三）"), "\(zh)")
        #expect(zh.contains("预计市值 8亿元 < 15亿元（北交所标准四）"), "\(zh)")
        let en = try eligibility(firm, offer: "bse", language: .en).reasons.map(\.text)
        #expect(en.contains("2-year R&D ratio 5.3% < 8% (BSE standard 3)"), "\(en)")
        let unknown = try eligibility(with(firm, ["rd_expense_y2": nil, "expected_market_value": nil]), offer: "bse").reasons
        #expect(unknown.allSatisfy { $0.status == .unknown })
        #expect(unknown.contains { $0.missingFields == ["预计市值（expected_market_value）"] })
        let unconfirmed = try eligibility(with(Self.bseBase, ["industry_code": "K70"]), offer: "bse").reasons
        #expect(unconfirmed.map(\.text) == ["不属于金融业、房地产业：不满足【规则来源待核实】"])
    }

    // MARK: 科创板

    /// STAR standard 1(b) (MV 10亿, profitable, revenue ≥ 1亿) and the regular 科创属性 indicators at
    /// their thresholds: 3-year R&D 3000万 of 3.8125亿 revenue (7.9%), R&D staff 10%, 7 invention
    /// patents, revenue CAGR exactly 25% (1亿 → 1.5625亿 over two years).
    static let starBase = with(cleanFirm, [
        "expected_market_value": 100_000, "net_profit_y1": 800, "net_profit_y2": -200,
        "revenue_y1": 15_625, "revenue_y2": 12_500, "revenue_y3": 10_000,
        "rd_expense_y1": 1_000, "rd_expense_y2": 1_000, "rd_expense_y3": 1_000,
        "employees": 100, "rd_staff": 10, "invention_patents": 7, "class1_ip": 7, "st_award_level": "none",
    ])

    @Test("科创板: standards and the 2024 科创属性 indicators", arguments: [
        ("base passes", [:], .pass),
        ("6 invention patents fail", ["invention_patents": 6], .fail),
        ("6 patents but a national S&T award passes (exception)", ["invention_patents": 6, "st_award_level": "national"], .pass),
        ("R&D staff 9% fails", ["rd_staff": 9], .fail),
        ("50 patents pass despite 9% R&D staff (exception)", ["rd_staff": 9, "invention_patents": 50, "class1_ip": 50], .pass),
        ("CAGR 24.99% fails", ["revenue_y1": 15_624], .fail),
        ("revenue y3 missing is unknown", ["revenue_y3": nil], .unknown),
        ("software firm without patents but 10%+ R&D passes", ["industry_code": "I65", "invention_patents": 0, "class1_ip": 0,
                                                              "rd_expense_y1": 1_600, "rd_expense_y2": 1_300, "rd_expense_y3": 1_100], .pass),
        ("software firm at 7.9% R&D fails", ["industry_code": "I65", "invention_patents": 0, "class1_ip": 0], .fail),
        ("loss-making last year fails standard 1", ["net_profit_y1": -1], .fail),
        ("market value 9.99亿 fails", ["expected_market_value": 99_999], .fail),
        ("founded 2023 (2 years) fails", ["founding_year": 2023], .fail),
        ("a limited company fails (股改 first)", ["company_form": "limited"], .fail),
        ("company form not known is unknown", ["company_form": nil], .unknown),
        ("real estate (K70) fails", ["industry_code": "K70"], .fail),
        ("finance (J66) fails", ["industry_code": "J66"], .fail),
        ("leasing and business services (L72) passes", ["industry_code": "L72"], .pass),
    ] as [Case])
    func star(name: String, changes: [String: Field], expected: Truth) throws {
        #expect(try eligibility(with(Self.starBase, changes), offer: "star").status == expected, "\(name)")
    }

    /// Fails STAR standard 1 (loss-making) so standards 2–4 decide; 科创属性 still met.
    static let starNoProfit = with(starBase, ["net_profit_y1": -100])

    /// Changes to `starNoProfit` that leave only standard 5: MV 40亿, revenue 2.9亿 (short of
    /// standards 3 and 4, CAGR exactly 25%), 3-year R&D 6.4% (科创属性 met, standard 2 not).
    static let starStandard5: [String: Field] = ["expected_market_value": 400_000, "revenue_y1": 29_000, "revenue_y2": 23_200, "revenue_y3": 18_560,
                                                 "rd_expense_y1": 1_500, "rd_expense_y2": 1_500, "rd_expense_y3": 1_500]

    @Test("Review conditions say a person must judge and why: 创业板's industry list, 科创板 standard 5")
    func reviewReasons() throws {
        let chinext = try eligibility(with(Self.chinextBase, ["industry_code": "C15"]), offer: "chinext")
        #expect(chinext.status == .unknown)
        let industry = try #require(chinext.reasons.first)
        #expect(chinext.reasons.count == 1 && industry.review && industry.missingFields.isEmpty && industry.conditionID == "industry_allowed")
        #expect(industry.text.contains("行业代码 C15") && industry.text.contains("需人工判断"), "\(industry.text)")
        let star = try eligibility(with(Self.starNoProfit, Self.starStandard5), offer: "star", language: .en)
        #expect(star.status == .unknown)
        #expect(star.reasons.map(\.conditionID) == ["qualitative_5"] && star.reasons.allSatisfy(\.review), "\(star.reasons.map(\.text))")
        #expect(star.reasons.first?.text.contains("for a person to judge") == true)
        // A field that is missing is not a review: the reason names the field.
        let missing = try eligibility(with(Self.chinextBase, ["industry_code": nil]), offer: "chinext")
        #expect(missing.status == .unknown && missing.reasons.allSatisfy { !$0.review && !$0.missingFields.isEmpty })
    }

    @Test("科创板 standards 2, 3 and 4", arguments: [
        ("standard 1 fails without profit", [:], .fail),
        // Revenue 2亿 → 2.5亿 → 3.125亿 keeps the 25% CAGR of 科创属性; R&D 11437.5万 of 76250万 is exactly 15%.
        ("S2: MV 15亿, revenue ≥ 2亿, 3-year R&D exactly 15%", ["expected_market_value": 150_000, "revenue_y1": 31_250, "revenue_y2": 25_000,
                                                         "revenue_y3": 20_000, "rd_expense_y1": 3_812.5, "rd_expense_y2": 3_812.5, "rd_expense_y3": 3_812.5], .pass),
        ("S2: 3-year R&D 14.98% fails", ["expected_market_value": 150_000, "revenue_y1": 31_250, "revenue_y2": 25_000,
                                        "revenue_y3": 20_000, "rd_expense_y1": 3_800, "rd_expense_y2": 3_812.5, "rd_expense_y3": 3_812.5], .fail),
        ("S3: MV 20亿, revenue 3亿, 3-year cash flow exactly 1亿", ["expected_market_value": 200_000, "revenue_y1": 30_000,
                                                                "operating_cash_flow_y1": 4_000, "operating_cash_flow_y2": 3_000, "operating_cash_flow_y3": 3_000], .pass),
        ("S3: cash flow 9999万 fails", ["expected_market_value": 200_000, "revenue_y1": 30_000,
                                       "operating_cash_flow_y1": 3_999, "operating_cash_flow_y2": 3_000, "operating_cash_flow_y3": 3_000], .fail),
        ("S4: MV 30亿 and revenue 3亿", ["expected_market_value": 300_000, "revenue_y1": 30_000], .pass),
        ("S4: MV 29.99亿 fails (and S3 by cash flow)", ["expected_market_value": 299_900, "revenue_y1": 30_000,
                                                      "operating_cash_flow_y1": 100, "operating_cash_flow_y2": 100, "operating_cash_flow_y3": 100], .fail),
        // Standard 5: MV 40亿 and qualitative conditions no field records; revenue 2.9亿 fails 2–4.
        ("S5: MV 40亿 alone is for a person to judge", Self.starStandard5, .unknown),
        ("S5: MV 39.99亿 fails", with(Self.starStandard5, ["expected_market_value": 399_900]), .fail),
    ] as [Case])
    func starOtherStandards(name: String, changes: [String: Field], expected: Truth) throws {
        #expect(try eligibility(with(Self.starNoProfit, changes), offer: "star").status == expected, "\(name)")
    }

    // MARK: 新三板, 创业板, regional board

    /// NEEQ: not quoted, 2 years, share capital 500万, net assets = share capital, and financial
    /// condition (iii) exactly: revenue 3000万 and 2-year R&D 5% (150万 + 150万 of 6000万).
    static let neeqBase = with(cleanFirm, [
        "founding_year": 2023, "share_capital": 500, "total_assets": 1_000, "total_liabilities": 500, "net_assets": 500,
        "revenue_y1": 3_000, "revenue_y2": 3_000, "rd_expense_y1": 150, "rd_expense_y2": 150,
        "net_profit_y1": -10, "net_profit_y2": -10, "operating_cash_flow_y1": -1, "operating_cash_flow_y2": -1, "equity_financing_2y": 0,
    ])

    @Test("新三板 (all thresholds unconfirmed)", arguments: [
        ("base passes", [:], .pass),
        ("already on the basic tier fails", ["neeq_status": "basic", "neeq_months": 3], .fail),
        ("a limited company fails (股改 first)", ["company_form": "limited"], .fail),
        ("share capital 499.99万 fails", ["share_capital": 499.99], .fail),
        ("net assets below share capital fails", ["total_liabilities": 500.01, "net_assets": 499.99], .fail),
        ("founded 2024 (1 year) fails", ["founding_year": 2024], .fail),
        ("R&D 4.98% fails condition (iii)", ["rd_expense_y1": 149], .fail),
        ("profit 600万 last year passes condition (i)", ["rd_expense_y1": 149, "net_profit_y1": 600], .pass),
        ("profits 400万 + 400万 pass condition (i)", ["rd_expense_y1": 149, "net_profit_y1": 400, "net_profit_y2": 400], .pass),
        ("profits 400万 + 399.99万 fail condition (i)", ["rd_expense_y1": 149, "net_profit_y1": 400, "net_profit_y2": 399.99], .fail),
        ("average revenue 3000万 growing 20% passes condition (ii)", ["rd_expense_y1": 149, "revenue_y1": 3_272.73, "revenue_y2": 2_727.27], .pass),
        ("average revenue 5000万 with positive cash flow passes condition (ii)", ["rd_expense_y1": 149, "revenue_y1": 5_000, "revenue_y2": 5_000,
                                                                              "operating_cash_flow_y1": 1, "operating_cash_flow_y2": 1], .pass),
        ("R&D 1000万 with 2000万 equity passes condition (iv)", ["rd_expense_y1": 500, "rd_expense_y2": 500, "revenue_y1": 1_000,
                                                               "revenue_y2": 1_000, "equity_financing_2y": 2_000], .pass),
    ] as [Case])
    func neeq(name: String, changes: [String: Field], expected: Truth) throws {
        #expect(try eligibility(with(Self.neeqBase, changes), offer: "neeq").status == expected, "\(name)")
    }

    /// ChiNext standard 1 exactly: net profit 6000万 and 4000万 (1亿 together); a market value of
    /// 10亿 keeps standards 2–4 decided (failed) rather than unknown.
    static let chinextBase = with(cleanFirm, ["net_profit_y1": 6_000, "net_profit_y2": 4_000, "revenue_y1": 30_000, "expected_market_value": 100_000])

    @Test("创业板: 2024 standard 1 and the industry negative list", arguments: [
        ("base passes", [:], .pass),
        ("net profit 5999.99万 fails", ["net_profit_y1": 5_999.99, "net_profit_y2": 4_000.01], .fail),
        ("two years 9999.99万 fails", ["net_profit_y2": 3_999.99], .fail),
        ("agriculture (A01) is for a person to judge", ["industry_code": "A01"], .unknown),
        ("beverages (C15) is for a person to judge", ["industry_code": "C15"], .unknown),
        ("textiles (C17) is for a person to judge", ["industry_code": "C17"], .unknown),
        ("ferrous metals (C31) is for a person to judge", ["industry_code": "C31"], .unknown),
        ("residential services (O80) is for a person to judge", ["industry_code": "O80"], .unknown),
        ("repair and other services (O82) is for a person to judge", ["industry_code": "O82"], .unknown),
        ("agricultural food processing (C13, dropped from the final list) passes", ["industry_code": "C13"], .pass),
        ("food manufacturing (C14, dropped) passes", ["industry_code": "C14"], .pass),
        ("apparel (C18, dropped) passes", ["industry_code": "C18"], .pass),
        ("non-ferrous metals (C32) passes", ["industry_code": "C32"], .pass),
        ("a limited company fails (股改 first)", ["company_form": "limited"], .fail),
        ("a listed industry and a failed standard fail", ["industry_code": "C15", "net_profit_y1": 5_999.99, "net_profit_y2": 4_000.01], .fail),
        ("MV 15亿, profitable, revenue 4亿 passes standard 2", ["net_profit_y1": 1, "expected_market_value": 150_000, "revenue_y1": 40_000], .pass),
        ("revenue 3.9999亿 fails standard 2", ["net_profit_y1": 1, "expected_market_value": 150_000, "revenue_y1": 39_999.99], .fail),
        ("S3: MV 50亿 and revenue 3亿 pass", ["net_profit_y1": -1, "expected_market_value": 500_000], .pass),
        ("S3: MV 49.99亿 fails (flat revenue and no R&D fail S4 too)", ["net_profit_y1": -1, "expected_market_value": 499_900,
                                                                        "revenue_y2": 30_000, "revenue_y3": 30_000,
                                                                        "rd_expense_y1": 0, "rd_expense_y2": 0, "rd_expense_y3": 0], .fail),
        ("S4a (unconfirmed): MV 30亿, revenue 2亿, CAGR just over 30%", ["net_profit_y1": -1, "expected_market_value": 300_000, "revenue_y1": 20_000,
                                                                     "revenue_y2": 15_000, "revenue_y3": 11_834.31], .pass),
        ("S4a: CAGR just under 30% fails", ["net_profit_y1": -1, "expected_market_value": 300_000, "revenue_y1": 20_000,
                                            "revenue_y2": 15_000, "revenue_y3": 11_834.33, "rd_expense_y1": 0, "rd_expense_y2": 0, "rd_expense_y3": 0], .fail),
        ("market value missing leaves standards 2-4 unknown", ["net_profit_y1": 5_999.99, "expected_market_value": nil], .unknown),
    ] as [Case])
    func chinext(name: String, changes: [String: Field], expected: Truth) throws {
        #expect(try eligibility(with(Self.chinextBase, changes), offer: "chinext").status == expected, "\(name)")
    }

    @Test("区域性股权市场专精特新板 (unconfirmed)", arguments: [
        ("innovative SME passes", ["certification_tier": "innovative"], .pass),
        ("no tier fails", ["certification_tier": "none"], .fail),
        ("quoted on NEEQ fails", ["neeq_status": "basic", "neeq_months": 5], .fail),
        ("on another board of the regional market may transfer in", ["certification_tier": "innovative", "regional_equity_listed": 1], .pass),
        ("already on the SRDI board fails", ["certification_tier": "innovative", "regional_equity_listed": 1, "regional_srdi_board": 1], .fail),
        ("listed on an exchange fails", ["certification_tier": "innovative", "listed_board": "chinext"], .fail),
    ] as [Case])
    func regional(name: String, changes: [String: Field], expected: Truth) throws {
        let result = try eligibility(with(cleanFirm, changes), offer: "regional_board")
        #expect(result.status == expected, "\(name)")
        #expect(result.reasons.allSatisfy { $0.unconfirmed })
    }
}
