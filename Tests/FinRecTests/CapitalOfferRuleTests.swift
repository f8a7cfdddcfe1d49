import FinRec
import Foundation
import Testing

/// The shipped catalog's equity, supply-chain and policy offers at their thresholds (Models/RULES.md,
/// "资本赋能"), as of 2026-06-30: each case sets one field at, just past or just short of the
/// threshold (or removes it) and says what the offer must be, or that it does not apply.
@Suite("Capital offers: equity, supply-chain finance and policies at their thresholds")
struct CapitalOfferRuleTests {
    /// What an offer is for one applicant: its status, or nil when it does not apply (不适用).
    static func outcome(_ fields: [String: Field], offer: String) throws -> Truth? {
        var object = JSONObject([("enterprise_id", .string("91370100MA3C5YQ12D")), ("fiscal_year", .number(2025))])
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) { object[k] = v.json }
        let (chunk, _) = try JSONRecordReader.parse(Array(JSONValue.object(object).prettyPrinted().utf8), path: "applicant.json", schema: EnterpriseSchema.schema)
        let result = try EligibilityEvaluator(catalog: shippedCatalog).evaluate(chunk, asOf: assessmentDay)
        let k = try #require(shippedCatalog.offers.firstIndex { $0.id == offer })
        return result.notApplicable(offer: k, row: 0) ? nil : result.status(offer: k, row: 0)
    }

    typealias Case = (String, [String: Field], Truth?)

    /// A start-up technology firm in 济南 that every angel-fund condition passes: founded 2022
    /// (4.49 years from 1 January 2022 to 2026-06-30), small, R&D 25% of its costs.
    static let startup = with(cleanFirm, [
        "city": "济南", "founding_year": 2022, "employees": 120, "total_assets": 3_000, "revenue_y1": 2_000, "net_profit_y1": 200,
        "rd_expense_y1": 450, "certification_tier": "innovative", "high_tech_enterprise": 1, "strategic_emerging": 1,
    ])

    @Test("天使投资: a start-up technology firm (财税〔2018〕55号, 2023年第17号) registered in Shandong and not listed; at best undecided (graduates' share)", arguments: [
        ("the start-up is undecided: its graduates' share is for a person", [:], .unknown),
        ("founded 2021: 5.49 years from 1 January fails", ["founding_year": 2021], .fail),
        ("300 employees still undecided", ["employees": 300], .unknown),
        ("301 employees fail", ["employees": 301], .fail),
        ("assets of exactly 5,000万 still undecided", ["total_assets": 5_000], .unknown),
        ("assets 0.01万 above fail", ["total_assets": 5_000.01], .fail),
        ("revenue of exactly 5,000万 still undecided", ["revenue_y1": 5_000, "rd_expense_y1": 1_200, "net_profit_y1": 0], .unknown),
        ("revenue 0.01万 above fails", ["revenue_y1": 5_000.01, "rd_expense_y1": 1_200, "net_profit_y1": 0], .fail),
        // Costs approximated as revenue − net profit: 360 / (2,000 − 200) = 20% exactly.
        ("R&D exactly 20% of costs still undecided", ["rd_expense_y1": 360], .unknown),
        ("R&D 0.01万 short of 20% fails", ["rd_expense_y1": 359.99], .fail),
        ("R&D missing is unknown", ["rd_expense_y1": nil], .unknown),
        ("a dishonesty listing fails", ["abnormal_or_dishonest": 1], .fail),
        ("registered in 上海: does not apply", ["city": "上海"], nil),
        ("listed on 科创板: does not apply", ["listed_board": "star", "company_form": "joint_stock"], nil),
        ("city missing: undecided", ["city": nil], .unknown),
    ] as [Case])
    func angelFund(name: String, changes: [String: Field], expected: Truth?) throws {
        #expect(try Self.outcome(with(Self.startup, changes), offer: "angel_fund") == expected, "\(name)")
    }

    @Test("创业投资: an unlisted innovative SME of at most 10 years in a ten-strong or strategic emerging industry", arguments: [
        ("the start-up passes", [:], .pass),
        ("founded 2017 (9.49 years) passes", ["founding_year": 2017], .pass),
        ("founded 2016 (10.49 years) fails", ["founding_year": 2016], .fail),
        ("no innovative attribute fails", ["certification_tier": "none", "high_tech_enterprise": 0, "tech_sme_listed": 0], .fail),
        ("only on the technology-based SME list passes", ["certification_tier": "none", "high_tech_enterprise": 0, "tech_sme_listed": 1], .pass),
        ("C41 (not ten-strong) and not strategic emerging fails", ["industry_code": "C41", "strategic_emerging": 0], .fail),
        ("C41 but strategic emerging passes", ["industry_code": "C41"], .pass),
        // An industrial firm is an SME below 1,000 employees or CNY 400m revenue.
        ("1,000 employees and 40,000万 revenue: not an SME, fails", ["employees": 1_000, "revenue_y1": 40_000, "rd_expense_y1": 9_000], .fail),
        ("1,000 employees and 39,999.99万 revenue: an SME, passes", ["employees": 1_000, "revenue_y1": 39_999.99, "rd_expense_y1": 9_000], .pass),
    ] as [Case])
    func ventureFund(name: String, changes: [String: Field], expected: Truth?) throws {
        #expect(try Self.outcome(with(Self.startup, changes), offer: "venture_fund") == expected, "\(name)")
    }

    @Test("产业投资: a profitable ten-strong firm of at least 5,000万 revenue in Shandong", arguments: [
        ("C35 with 5,000万 revenue and a profit passes", ["revenue_y1": 5_000, "net_profit_y1": 300], .pass),
        ("4,999.99万 revenue fails", ["revenue_y1": 4_999.99, "net_profit_y1": 300], .fail),
        ("a net profit of 0 fails", ["revenue_y1": 8_000, "net_profit_y1": 0], .fail),
        ("a net profit of 0.01万 passes", ["revenue_y1": 8_000, "net_profit_y1": 0.01], .pass),
        ("C41 is not a ten-strong division: fails", ["revenue_y1": 8_000, "net_profit_y1": 300, "industry_code": "C41"], .fail),
        ("I65 (software) passes", ["revenue_y1": 8_000, "net_profit_y1": 300, "industry_code": "I65"], .pass),
        ("a major accident fails", ["revenue_y1": 8_000, "net_profit_y1": 300, "major_accident_3y": 1], .fail),
    ] as [Case])
    func industryFund(name: String, changes: [String: Field], expected: Truth?) throws {
        #expect(try Self.outcome(with(Self.startup, changes), offer: "industry_fund") == expected, "\(name)")
    }

    @Test("财政资金股权投资 needs an approved project: at best undecided", arguments: [
        ("a little giant with a patent: undecided (the approval)", ["certification_tier": "little_giant", "invention_patents": 3], .unknown),
        ("no invention patent fails", ["certification_tier": "little_giant", "invention_patents": 0], .fail),
        ("neither SRDI nor high-tech fails", ["certification_tier": "innovative", "high_tech_enterprise": 0, "invention_patents": 3], .fail),
    ] as [Case])
    func fiscalEquity(name: String, changes: [String: Field], expected: Truth?) throws {
        #expect(try Self.outcome(with(Self.startup, changes), offer: "fiscal_equity") == expected, "\(name)")
    }

    static let supplier = with(cleanFirm, ["city": "青岛", "employees": 400, "revenue_y1": 30_000, "total_assets": 20_000])

    @Test("应收账款融资: receivables a core enterprise confirmed, its credit code, clean credit", arguments: [
        ("confirmed receivables and a company's code pass", ["receivables_confirmed": 800, "core_enterprise_id": "91370200MA3C5YQ12J"], .pass),
        ("no confirmed receivables: does not apply", ["receivables_confirmed": 0, "core_enterprise_id": "91370200MA3C5YQ12J"], nil),
        ("0.01万 confirmed applies", ["receivables_confirmed": 0.01, "core_enterprise_id": "91370200MA3C5YQ12J"], .pass),
        ("the core firm's code missing: undecided", ["receivables_confirmed": 800], .unknown),
        ("a core 'firm' that is not a company (code begins with 1) fails", ["receivables_confirmed": 800, "core_enterprise_id": "11370000MB2856934P"], .fail),
        ("6 overdue repayments fail", ["receivables_confirmed": 800, "core_enterprise_id": "91370200MA3C5YQ12J", "overdue_24m": 6], .fail),
    ] as [Case])
    func receivablesFinance(name: String, changes: [String: Field], expected: Truth?) throws {
        #expect(try Self.outcome(with(Self.supplier, changes), offer: "receivables_finance") == expected, "\(name)")
    }

    @Test("政采贷: a won procurement contract in force on the assessment date, an SME supplier", arguments: [
        ("a contract ending on the assessment date applies", ["procurement_contract_amount": 600, "procurement_contract_end": "2026-06-30"], .pass),
        ("a contract that ended the day before does not apply", ["procurement_contract_amount": 600, "procurement_contract_end": "2026-06-29"], nil),
        ("no contract: does not apply", ["procurement_contract_amount": 0, "procurement_contract_end": "2027-01-01"], nil),
        ("end date missing: undecided", ["procurement_contract_amount": 600], .unknown),
        ("a large supplier (1,000 staff, 40,000万 revenue) fails", ["procurement_contract_amount": 600, "procurement_contract_end": "2027-01-01",
                                                                  "employees": 1_000, "revenue_y1": 40_000], .fail),
    ] as [Case])
    func procurementLoan(name: String, changes: [String: Field], expected: Truth?) throws {
        #expect(try Self.outcome(with(Self.supplier, changes), offer: "procurement_loan") == expected, "\(name)")
    }

    @Test("Policies: who is entitled", arguments: [
        ("鲁科贷贴息: a listed technology-based SME in Shandong", "lukedai_subsidy", ["tech_sme_listed": 1], Truth?.some(.pass)),
        ("鲁科贷贴息: not on the list: undecided (the 科融信 evaluation is for a person)", "lukedai_subsidy", ["tech_sme_listed": 0], .unknown),
        ("鲁科贷贴息: 6 overdue repayments fail", "lukedai_subsidy", ["tech_sme_listed": 1, "overdue_24m": 6], .fail),
        ("鲁科贷贴息: list unknown", "lukedai_subsidy", ["tech_sme_listed": nil], .unknown),
        ("鲁科贷贴息: outside Shandong does not apply", "lukedai_subsidy", ["tech_sme_listed": 1, "city": "上海"], nil),
        ("鲁科贷风险补偿 follows the same list", "lukedai_risk_cover", ["tech_sme_listed": 1], .pass),
        ("技改专项贷贴息: a listed project", "techreno_subsidy", ["techreno_project": 1], .pass),
        ("技改专项贷贴息: no project", "techreno_subsidy", ["techreno_project": 0], .fail),
        ("专利质押贴息: a pledgeable patent", "patent_pledge_subsidy", ["pledgeable_patents": 1], .pass),
        ("专利质押贴息: none", "patent_pledge_subsidy", ["pledgeable_patents": 0], .fail),
        ("知识产权质押融资风险补偿: a pledgeable patent", "ip_pledge_risk_cover", ["pledgeable_patents": 1], .pass),
        ("担保费补贴（泰安）: a small firm in 泰安", "guarantee_fee_subsidy", ["city": "泰安", "employees": 120, "revenue_y1": 2_000], .pass),
        ("担保费补贴（泰安）: 济南 does not apply", "guarantee_fee_subsidy", ["city": "济南", "employees": 120], nil),
        // Small or micro (industrial standard): under 300 employees or under 2,000万 revenue.
        ("担保费补贴（泰安）: 300 staff and 2,000万 revenue is medium: fails", "guarantee_fee_subsidy", ["city": "泰安", "employees": 300, "revenue_y1": 2_000], .fail),
        ("创业担保贷款贴息: a small firm is undecided (the hiring share is for a person)", "startup_guarantee_subsidy", ["employees": 299], .unknown),
        ("创业担保贷款贴息: a medium firm fails", "startup_guarantee_subsidy", ["employees": 300, "revenue_y1": 2_000], .fail),
        ("上市奖励: in the listing reserve pool", "listing_reward", ["listing_reserve_pool": 1], .pass),
        ("上市奖励: not in the pool", "listing_reward", ["listing_reserve_pool": 0], .fail),
        ("上市奖励: already listed does not apply", "listing_reward", ["listing_reserve_pool": 1, "listed_board": "bse"], nil),
        ("新三板挂牌奖励: a joint-stock company not quoted", "neeq_quotation_reward", ["company_form": "joint_stock"], .pass),
        ("新三板挂牌奖励: a limited company (股改 first)", "neeq_quotation_reward", ["company_form": "limited"], .fail),
        ("新三板挂牌奖励: already quoted does not apply", "neeq_quotation_reward", ["neeq_status": "basic", "neeq_months": 12], nil),
    ] as [(String, String, [String: Field], Truth?)])
    func policies(name: String, offer: String, changes: [String: Field], expected: Truth?) throws {
        #expect(try Self.outcome(with(Self.startup, changes), offer: offer) == expected, "\(name)")
    }
}
