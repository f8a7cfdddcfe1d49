import FinRec
import Foundation
import Testing

/// What a loan costs after subsidies: the arithmetic against sums worked by hand, the choices a
/// costing makes (LPR row and tenor, spread, basis, stacking, caps), the catalog's checks of its
/// prices and benefits, and the costs the shipped catalog gives an applicant.
@Suite("Loan costs and policy benefits")
struct LoanCostTests {
    static func near(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-9) -> Bool { a.map { abs($0 - b) <= tolerance } ?? false }

    // MARK: Arithmetic

    @Test("The issue's example: 500万 for a year at 3.40% with 鲁科贷贴息 40% (cap 50万) costs 10.2万, an effective 2.04%")
    func lukedaiExample() {
        let interest = LoanArithmetic.interest(amount: 500, rate: 0.034, months: 12)
        let subsidy = LoanArithmetic.interestSubsidy(amount: 500, rate: 0.034, months: 12, share: 0.4, rateCap: nil, maximumRate: nil, cap: 50, capPerYear: true)
        #expect(Self.near(interest, 17))
        #expect(Self.near(subsidy, 6.8))
        #expect(Self.near(interest - subsidy, 10.2))
        #expect(Self.near((interest - subsidy) / 500, 0.0204))
    }

    @Test("A yearly cap binds and counts pro rata over the term; a per-loan cap counts once")
    func caps() {
        // 10,000万 at 3.40% for a year: 40% is 136万, above the 50万 cap.
        #expect(Self.near(LoanArithmetic.interestSubsidy(amount: 10_000, rate: 0.034, months: 12, share: 0.4, rateCap: nil, maximumRate: nil, cap: 50, capPerYear: true), 50))
        // Two years: 272万 against a cap of 100万; six months: 68万 against 25万.
        #expect(Self.near(LoanArithmetic.interestSubsidy(amount: 10_000, rate: 0.034, months: 24, share: 0.4, rateCap: nil, maximumRate: nil, cap: 50, capPerYear: true), 100))
        #expect(Self.near(LoanArithmetic.interestSubsidy(amount: 10_000, rate: 0.034, months: 6, share: 0.4, rateCap: nil, maximumRate: nil, cap: 50, capPerYear: true), 25))
        #expect(Self.near(LoanArithmetic.interestSubsidy(amount: 10_000, rate: 0.034, months: 24, share: 0.4, rateCap: nil, maximumRate: nil, cap: 50, capPerYear: false), 50))
        // Below the cap the term is pro rata: 500万 for 6 months at 3.40%, 40%: 3.4万.
        #expect(Self.near(LoanArithmetic.interestSubsidy(amount: 500, rate: 0.034, months: 6, share: 0.4, rateCap: nil, maximumRate: nil, cap: 50, capPerYear: true), 3.4))
    }

    @Test("A rate cap subsidises the rate only up to the cap; a ceiling on the subsidised points binds")
    func rateCaps() {
        // 创业担保: 50% of a 4.00% rate capped at LPR 3.00% + 50 bp = 3.50%: 1.75% of 300万 for 2 years.
        #expect(Self.near(LoanArithmetic.subsidisedRate(rate: 0.04, share: 0.5, rateCap: 0.035, maximumRate: nil), 0.0175))
        #expect(Self.near(LoanArithmetic.interestSubsidy(amount: 300, rate: 0.04, months: 24, share: 0.5, rateCap: 0.035, maximumRate: nil, cap: nil, capPerYear: true), 10.5))
        // Below the cap the actual rate counts: 50% of 3.20%.
        #expect(Self.near(LoanArithmetic.subsidisedRate(rate: 0.032, share: 0.5, rateCap: 0.035, maximumRate: nil), 0.016))
        // 技改: 50% of 5.00% is 2.50%, at most 2 points.
        #expect(Self.near(LoanArithmetic.subsidisedRate(rate: 0.05, share: 0.5, rateCap: nil, maximumRate: 0.02), 0.02))
        #expect(Self.near(LoanArithmetic.subsidisedRate(rate: 0.03, share: 0.5, rateCap: nil, maximumRate: 0.02), 0.015))
    }

    @Test("A fee subsidy never exceeds the fee paid")
    func feeSubsidy() {
        // 1% subsidy on a 0.8% fee: the fee, 800万 × 0.8% = 6.4万 a year.
        #expect(Self.near(LoanArithmetic.feeSubsidy(amount: 800, feeRate: 0.008, months: 12, rate: 0.01, cap: nil, capPerYear: true), 6.4))
        #expect(Self.near(LoanArithmetic.feeSubsidy(amount: 800, feeRate: 0.015, months: 18, rate: 0.01, cap: nil, capPerYear: true), 12))
    }

    // MARK: A costing on a small catalog

    /// Two loans and four policies; the LPR table has a row after the assessment date that must not be used.
    static func catalogJSON() -> [String: Any] {
        func condition(_ id: String, _ expr: String) -> [String: Any] {
            ["id": id, "zh": id, "en": id, "expr": expr, "source": "test", "status": "OK-news"]
        }
        func loan(_ id: String, price: [String: Any]) -> [String: Any] {
            ["id": id, "kind": "loan", "name_zh": id + "贷", "name_en": id, "description": "test loan", "rule": condition("open", "1 == 1"), "price": price]
        }
        func policy(_ id: String, benefit: [String: Any]) -> [String: Any] {
            ["id": id, "kind": "policy", "name_zh": id + "贴息", "name_en": id, "description": "test policy",
             "rule": condition("entitled", "employees >= 1"), "benefit": benefit.merging(["source": "test", "status": "OK-news"]) { a, _ in a }]
        }
        return [
            "format": "finrec-catalog", "format_version": 1, "description": "test",
            "kinds": [["id": "loan", "list": "loans", "list_zh": "贷款产品", "list_en": "Loans", "order": 1, "probability": true, "best": "best_loan"],
                      ["id": "policy", "list": "policy", "list_zh": "可享政策", "list_en": "Policy support", "order": 2, "probability": false]],
            "definitions": [] as [Any],
            "lpr": [["effective": "2025-05-20", "one_year": 0.03, "five_year": 0.035, "source": "test", "status": "OK-news"],
                    ["effective": "2026-07-01", "one_year": 0.02, "five_year": 0.025, "source": "test", "status": "OK-news"]],
            "offers": [
                loan("a", price: ["base": "lpr", "spreads": [["when": "certification_tier == 'little_giant'", "low": -0.01, "typical": -0.005, "high": 0],
                                                             ["low": 0, "typical": 0.004, "high": 0.01]],
                                  "guarantee_fee": 0.01, "guarantee_above": 500, "amount": 500, "term_months": 12, "max_term_months": 36,
                                  "source": "test", "status": "OK-news"]),
                loan("b", price: ["base": "lpr", "spreads": [["low": 0, "typical": 0.01, "high": 0.02]], "amount": 200,
                                  "amount_of": ["field": "receivables_confirmed", "share": 0.8], "term_months": 72, "source": "test", "status": "OK-news"]),
                policy("p40", benefit: ["type": "interest_subsidy", "loans": ["a", "b"], "share": 0.4, "cap": 50, "cap_per": "year"]),
                policy("p60", benefit: ["type": "interest_subsidy", "loans": ["a"], "share": 0.6]),
                policy("fee", benefit: ["type": "fee_subsidy", "loans": ["a"], "share": 0.01]),
                policy("own", benefit: ["type": "interest_subsidy", "share": 0.5, "rate_cap_spread": 0.005,
                                        "loan": ["zh": "创业担保贷款", "en": "startup loan", "amount": 300, "term_months": 24, "spread": 0.01]]),
                policy("lpr35", benefit: ["type": "interest_subsidy", "loans": ["b"], "of": "lpr", "share": 0.35, "cap": 2_000, "cap_per": "loan",
                                          "period_months": 36, "minimum_amount": 3_000]),
            ],
        ]
    }

    static func catalog(_ object: [String: Any] = catalogJSON()) throws -> Catalog {
        try Catalog.decode(Array(try JSONSerialization.data(withJSONObject: object)), path: "test-catalog.json")
    }

    /// Costs of one applicant with `fields`, each policy's status as given (others pass).
    static func costs(_ fields: [String: Field], statuses: [String: Truth] = [:], lpr: (Double, Double)? = nil) throws -> (RowCosts, Catalog) {
        let catalog = try catalog()
        var object = JSONObject([("enterprise_id", .string("91370100MA3C5YQ12D")), ("employees", .number(50))])
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) { object[k] = v.json }
        let (chunk, _) = try JSONRecordReader.parse(Array(JSONValue.object(object).prettyPrinted().utf8), path: "applicant.json", schema: EnterpriseSchema.schema)
        let costing = try Costing(catalog: catalog, schema: EnterpriseSchema.schema, asOf: assessmentDay).with(lpr: lpr)
        let result = costing.assess(chunk, row: 0, spreads: costing.spreads(chunk)) { statuses[catalog.offers[$0].id] ?? .pass }
        return (result, catalog)
    }

    static func index(_ catalog: Catalog, _ id: String) -> Int { catalog.offers.firstIndex { $0.id == id }! }

    @Test("The LPR row in force on the assessment date, the first spread whose condition holds, the typical basis; the larger interest subsidy chosen, the other declined; a fee only above the credit line")
    func typicalBasis() throws {
        let (costs, catalog) = try Self.costs(["certification_tier": "little_giant"])
        let a = try #require(costs.costs[Self.index(catalog, "a")])
        // 2025-05-20's 3.00% (not 2026-07-01's 2.00%), little giant spread −0.50: 2.50%.
        #expect(Self.near(a.lpr, 0.03) && Self.near(a.rate, 0.025) && Self.near(a.rateLow, 0.02) && Self.near(a.rateHigh, 0.03))
        #expect(a.basis == .typical && a.amount == 500 && a.months == 12 && a.tenor == .oneYear)
        #expect(Self.near(a.interestBeforeSubsidy, 12.5))
        // p60 gives 7.5万, p40 5.0万: p60 is chosen, p40 declined.
        #expect(a.subsidies.map { catalog.offers[$0.offer].id } == ["p60"])
        #expect(Self.near(a.subsidies.first?.amount, 7.5))
        #expect(a.declined.map { catalog.offers[$0.offer].id } == ["p40"] && Self.near(a.declined.first?.amount, 5))
        #expect(Self.near(a.interest, 5) && Self.near(a.effectiveRate, 0.01))
        // 500万 is within the 500万 credit line: no guarantee, no fee, nothing for the fee subsidy.
        #expect(a.guaranteeFee == 0 && a.feeSubsidy == 0)
        // The default spread when the tier is not little giant, or missing (a missing field is never rewarded).
        let other = try Self.costs(["certification_tier": "provincial_srdi"]).0.costs[Self.index(catalog, "a")]
        let missing = try Self.costs([:]).0.costs[Self.index(catalog, "a")]
        #expect(Self.near(other?.rate, 0.034) && Self.near(missing?.rate, 0.034))
    }

    @Test("A requested amount and term: the fee above the credit line and its subsidy, a term beyond the longest capped and said so, a term over five years on the 5-year LPR")
    func requestedBasis() throws {
        let (costs, catalog) = try Self.costs(["requested_amount": 800, "requested_term_months": 48, "receivables_confirmed": 1_000])
        let a = try #require(costs.costs[Self.index(catalog, "a")])
        #expect(a.basis == .requested && a.amount == 800 && a.months == 36 && a.termNote == .capped(asked: 48, maximum: 36))
        // 800万 × 1% × 3 years = 24万 of fee, all of it subsidised (1% a year).
        #expect(Self.near(a.guaranteeFee, 24) && Self.near(a.feeSubsidy, 24))
        // 3.40% for 3 years on 800万: 81.6万; p60 gives 48.96万, p40 capped at 50×3 = 150 gives 32.64万.
        #expect(Self.near(a.interestBeforeSubsidy, 81.6) && Self.near(a.interest, 81.6 - 48.96))
        #expect(Self.near(a.total, 81.6 - 48.96))
        let b = try #require(costs.costs[Self.index(catalog, "b")])
        // 48 months asked: b has no longest term; 4 years is on the 1-year LPR.
        #expect(b.tenor == .oneYear && Self.near(b.rate, 0.04) && b.months == 48)
        // Without a request b's typical 72 months price off the 5-year LPR, its amount 80% of the receivables.
        let typical = try #require(try Self.costs(["receivables_confirmed": 1_000]).0.costs[Self.index(catalog, "b")])
        #expect(typical.tenor == .fiveYear && Self.near(typical.rate, 0.045) && Self.near(typical.amount, 800))
    }

    @Test("Only entitled policies are applied; an undecided one is named, not counted; --lpr replaces the table")
    func entitlement() throws {
        let (costs, catalog) = try Self.costs([:], statuses: ["p60": .unknown, "p40": .fail], lpr: (0.025, 0.03))
        let a = try #require(costs.costs[Self.index(catalog, "a")])
        #expect(a.subsidies.isEmpty && a.declined.isEmpty)
        #expect(a.possible.map { catalog.offers[$0].id } == ["p60"])
        #expect(a.lprOverridden && Self.near(a.rate, 0.029) && Self.near(a.interest, 14.5))
        // A failed policy has no benefit; an undecided one is worth what it would pay.
        #expect(costs.benefits[Self.index(catalog, "p40")] == nil)
    }

    @Test("A policy's benefit: the most it pays on a loan the applicant is eligible for, else its own loan's basis, else none with the reason")
    func benefits() throws {
        let (costs, catalog) = try Self.costs(["certification_tier": "little_giant"])
        // p40 on a (12.5万 × 0.4 = 5.0) or b (200万 × 4.50% × 6 years = 54万 of interest, 21.6万 at 40%, capped 50 × 6 = 300): b.
        let p40 = try #require(costs.benefits[Self.index(catalog, "p40")])
        #expect(Self.near(p40.amount, 21.6) && p40.loan == Self.index(catalog, "b"))
        // The own loan: 300万 for 24 months at 3.00% + 1.00% = 4.00%, subsidised on at most 3.50%: 10.5万.
        let own = try #require(costs.benefits[Self.index(catalog, "own")])
        #expect(Self.near(own.amount, 10.5) && own.loan == nil)
        // A larger, longer request is costed at the most the loan lends and its longest term; a smaller one as asked.
        let large = try Self.costs(["certification_tier": "little_giant", "requested_amount": 1_000, "requested_term_months": 36]).0
        #expect(Self.near(large.benefits[Self.index(catalog, "own")]?.amount, 10.5))
        let small = try Self.costs(["certification_tier": "little_giant", "requested_amount": 100, "requested_term_months": 12]).0
        #expect(Self.near(small.benefits[Self.index(catalog, "own")]?.amount, 100 * 0.0175))
        // With no loan open to the applicant, an interest subsidy depends on a future loan.
        let (none, _) = try Self.costs([:], statuses: ["a": .fail, "b": .fail])
        #expect(none.benefits[Self.index(catalog, "p60")]?.amount == nil)
        #expect(none.benefits[Self.index(catalog, "p60")]?.reason == .noEligibleLoan(loans: [Self.index(catalog, "a")]))
        #expect(none.costs[Self.index(catalog, "a")] == nil)
    }

    @Test("A subsidy of a share of the 1-year LPR, for at most its period, on loans of at least its smallest amount")
    func lprShare() throws {
        // b at LPR 3.00% + 1.00% for 60 months: 35% of the LPR (not of the 4.00% rate) for 36 months on 4,000万: 126万.
        let (costs, catalog) = try Self.costs(["requested_amount": 4_000, "requested_term_months": 60])
        let lpr35 = Self.index(catalog, "lpr35")
        #expect(Self.near(costs.benefits[lpr35]?.amount, 4_000 * 0.35 * 0.03 * 3))
        let b = try #require(costs.costs[Self.index(catalog, "b")])
        // p40 on b: 40% of 4.00% for 5 years, 320万, capped at 50万 a year (250万): the larger, so lpr35 is not stacked.
        #expect(b.subsidies.map { catalog.offers[$0.offer].id } == ["p40"] && Self.near(b.subsidies.first?.amount, 250))
        #expect(b.declined.map { catalog.offers[$0.offer].id } == ["lpr35"])
        // Never more than the rate paid: at an LPR of 3.00% and a rate of 2.00%, 35% of 2.00%.
        #expect(Self.near(LoanArithmetic.subsidisedRate(rate: min(0.02, 0.03), share: 0.35, rateCap: nil, maximumRate: nil), 0.007))
        // 2,999万 is below the smallest loan it subsidises: no amount, and the reason.
        let small = try Self.costs(["requested_amount": 2_999, "requested_term_months": 60]).0
        #expect(small.benefits[lpr35]?.amount == nil && small.benefits[lpr35]?.reason == .belowMinimum(3_000))
    }

    // MARK: The catalog's checks

    static func error(_ change: (inout [String: Any]) -> Void) -> String? {
        var object = catalogJSON()
        change(&object)
        do {
            _ = try catalog(object)
            return nil
        } catch {
            return "\(error)"
        }
    }

    static func offer(_ object: inout [String: Any], _ i: Int, _ change: (inout [String: Any]) -> Void) {
        var offers = object["offers"] as! [[String: Any]]
        change(&offers[i])
        object["offers"] = offers
    }

    @Test("A catalog's prices and benefits are refused, naming the field, when they cannot be costed")
    func refusals() {
        #expect(Self.error { _ in } == nil)
        #expect(Self.error { $0["lpr"] = nil }?.contains("no \"lpr\" table") == true)
        #expect(Self.error { o in
            var rows = o["lpr"] as! [[String: Any]]
            rows.swapAt(0, 1)
            o["lpr"] = rows
        }?.contains("oldest first") == true)
        #expect(Self.error { o in
            var rows = o["lpr"] as! [[String: Any]]
            rows[0]["one_year"] = 3.1
            o["lpr"] = rows
        }?.contains("write 0.031 for 3.10%") == true)
        // A spread list whose last item has a condition: no default.
        #expect(Self.error { o in Self.offer(&o, 1) { offer in
            var price = offer["price"] as! [String: Any]
            price["spreads"] = [["when": "employees > 10", "low": 0, "typical": 0.01, "high": 0.02]]
            offer["price"] = price
        } }?.contains("the last spread is the default") == true)
        #expect(Self.error { o in Self.offer(&o, 1) { offer in
            var price = offer["price"] as! [String: Any]
            price["spreads"] = [["low": 0.02, "typical": 0.01, "high": 0.03]]
            offer["price"] = price
        } }?.contains("low ≤ typical ≤ high") == true)
        // A price on a policy, a benefit on a loan.
        #expect(Self.error { o in Self.offer(&o, 2) { $0["price"] = (Self.catalogJSON()["offers"] as! [[String: Any]])[1]["price"] } }?.contains("a price belongs to a loan") == true)
        #expect(Self.error { o in Self.offer(&o, 0) { $0["benefit"] = (Self.catalogJSON()["offers"] as! [[String: Any]])[2]["benefit"] } }?.contains("a benefit belongs to a rules-only policy") == true)
        // A subsidy on an offer without a price; a fee subsidy on a loan without a fee.
        #expect(Self.error { o in Self.offer(&o, 2) { offer in
            var benefit = offer["benefit"] as! [String: Any]
            benefit["loans"] = ["p60"]
            offer["benefit"] = benefit
        } }?.contains("'p60' is not an offer of this catalog with a price") == true)
        #expect(Self.error { o in Self.offer(&o, 4) { offer in
            var benefit = offer["benefit"] as! [String: Any]
            benefit["loans"] = ["b"]
            offer["benefit"] = benefit
        } }?.contains("'b' has no guarantee fee to subsidise") == true)
        // A grant whose city table has no row.
        #expect(Self.error { o in Self.offer(&o, 2) { $0["benefit"] = ["type": "grant", "table": "listing_reward", "source": "test", "status": "OK-news"] } }?
            .contains("no row of \"city_amounts\" is in table 'listing_reward'") == true)
        #expect(Self.error { o in Self.offer(&o, 2) { offer in
            var benefit = offer["benefit"] as! [String: Any]
            benefit["share"] = 40
            offer["benefit"] = benefit
        } }?.contains("a fraction above 0 and at most 1") == true)
        #expect(Self.error { o in Self.offer(&o, 1) { offer in
            var price = offer["price"] as! [String: Any]
            price["amount_of"] = ["field": "city", "share": 0.8]
            offer["price"] = price
        } }?.contains("'city' is not an amount field") == true)
    }

    @Test("A grant is paid from the city table: the row for the applicant's city, none with the reason for a city without one")
    func grants() throws {
        var object = Self.catalogJSON()
        Self.offer(&object, 2) { $0["benefit"] = ["type": "grant", "table": "listing_reward", "source": "test", "status": "OK-news"] }
        object["city_amounts"] = [["table": "listing_reward", "city": "济南", "amount": 200, "date": "2024-01-01", "source": "test", "status": "OK-news"]]
        let catalog = try Self.catalog(object)
        func benefit(_ city: String?) throws -> PolicyBenefit? {
            var fields = JSONObject([("enterprise_id", .string("91370100MA3C5YQ12D")), ("employees", .number(50))])
            if let city { fields["city"] = .string(city) }
            let (chunk, _) = try JSONRecordReader.parse(Array(JSONValue.object(fields).prettyPrinted().utf8), path: "a.json", schema: EnterpriseSchema.schema)
            let costing = try Costing(catalog: catalog, schema: EnterpriseSchema.schema, asOf: assessmentDay)
            return costing.assess(chunk, row: 0, spreads: costing.spreads(chunk)) { _ in .pass }.benefits[2]
        }
        #expect(try benefit("济南")?.amount == 200)
        #expect(try benefit("青岛")?.reason == .noCityAmount(city: "青岛"))
        #expect(try benefit(nil)?.reason == .noCityAmount(city: nil))
        // Two rows of one table for one city are refused.
        object["city_amounts"] = [["table": "listing_reward", "city": "济南", "amount": 200, "date": "2024-01-01", "source": "test", "status": "OK-news"],
                                  ["table": "listing_reward", "city": "济南", "amount": 300, "date": "2025-01-01", "source": "test", "status": "OK-news"]]
        #expect(throws: CatalogError.self) { try Self.catalog(object) }
        // A date as precise as its source (a year, a month); not a date that does not exist.
        for (date, valid) in [("2021", true), ("2021-05", true), ("2021-05-31", true), ("2021-13", false), ("2021-02-30", false), ("21-05", false), ("2021/05", false)] {
            object["city_amounts"] = [["table": "listing_reward", "city": "济南", "amount": 200, "date": date, "source": "test", "status": "OK-news"]]
            #expect(((try? Self.catalog(object)) != nil) == valid, "\(date)")
        }
    }
}
