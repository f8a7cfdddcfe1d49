import FinRec
import Foundation
import Testing

/// The shipped model with the shipped catalog in it (the model file carries the catalog it was
/// trained with; the tests below judge the catalog as it is now) and, unless `origin` is nil, the
/// given data origin in its provenance.
func modelWithShippedCatalog(origin: String? = "synthetic") throws -> TrainedModel {
    let path = repositoryRoot() + "/Models/default-model.json"
    guard case .object(var model) = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: path))),
          case .object(var provenance)? = model["provenance"] else { throw CocoaError(.fileReadCorruptFile) }
    model["catalog"] = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: repositoryRoot() + "/Models/catalog.json")))
    provenance["data_origin"] = origin.map(JSONValue.string) ?? .null
    if origin == nil { provenance["data_origin"] = nil }
    model["provenance"] = .object(provenance)
    return try TrainedModel.decode(Array(JSONValue.object(model).prettyPrinted().utf8), path: path)
}

/// Assesses one applicant (fields as in an applicant file) with `model`.
func assess(_ fields: [String: Field], model: TrainedModel, language: Language = .zh) throws -> ApplicantAssessment {
    var object = JSONObject([("enterprise_id", .string("91370100MA3C5YQ12D")), ("fiscal_year", .number(2025))])
    for (k, v) in fields.sorted(by: { $0.key < $1.key }) { object[k] = v.json }
    let (chunk, _) = try JSONRecordReader.parse(Array(JSONValue.object(object).prettyPrinted().utf8), path: "applicant.json",
                                                schema: EnterpriseSchema.schema)
    let scorer = try OfferScorer(model: model, asOf: assessmentDay, threads: .singleThreaded)
    return try #require(ApplicantAssessment.assess(scorer.score(chunk, firstRow: 0), with: scorer, language: language).first)
}

/// Decisions that used to flip in corners: firms already listed, firms too large to be SMEs,
/// certificates due for renewal, bridge loans without a loan falling due, STAR standard 5, months
/// quoted on NEEQ, and what the probabilities are learnt from.
@Suite("Decisions in corners: listed and non-SME firms, renewals, bridge loans, STAR standard 5")
struct DecisionCornerTests {
    static let model = try! modelWithShippedCatalog()

    /// A clean, profitable joint-stock manufacturer that is a valid provincial 专精特新 SME.
    static let firm: [String: Field] = with(cleanFirm, [
        "certification_tier": "provincial_srdi", "employees": 300, "revenue_y1": 30_000, "revenue_y2": 25_000, "revenue_y3": 20_000,
        "total_assets": 40_000, "total_liabilities": 16_000, "net_assets": 24_000, "net_profit_y1": 3_000, "net_profit_y2": 2_500,
        "maturing_loan": 0, "listed_board": "none",
    ])

    static func ids(_ offers: [Catalog.Offer]) -> Set<String> { Set(offers.map(\.id)) }

    @Test("A firm listed on 创业板 holds it and is not offered another IPO board, NEEQ or the regional board; loans stay")
    func listedFirm() throws {
        let a = try assess(with(Self.firm, ["listed_board": "chinext"]), model: Self.model)
        #expect(Self.ids(a.held).contains("chinext"))
        let offered = Set(a.offers.map(\.offer.id))
        for board in ["chinext", "star", "bse", "neeq", "neeq_innovation", "regional_board"] {
            #expect(!offered.contains(board), "\(board) still offered to a listed firm")
        }
        #expect(Self.ids(a.notApplicable.map(\.offer)).isSuperset(of: ["star", "bse", "neeq", "neeq_innovation", "regional_board"]))
        let star = try #require(a.notApplicable.first { $0.offer.id == "star" })
        #expect(star.reasons.contains { $0.text.contains("创业板") && $0.text.contains("尚未在境内证券交易所上市") }, "\(star.reasons.map(\.text))")
        #expect(offered.isSuperset(of: ["srdi_loan", "patent_loan", "project_loan"]))
        // The SME size limits are helpers ("show": false): not among the officer's key figures.
        #expect(a.keyFigures.allSatisfy { !$0.name.hasPrefix("sme_limit_") })
        #expect(a.keyFigures.contains { $0.name == "debt_ratio" })
    }

    @Test("A firm listed in Hong Kong may return to the A-share boards, for a person to judge; not to NEEQ")
    func hongKongListed() throws {
        let a = try assess(with(Self.firm, ["listed_board": "hk"]), model: Self.model)
        let star = try #require(a.offers.first { $0.offer.id == "star" })
        #expect(star.status != .pass)
        #expect(Self.ids(a.notApplicable.map(\.offer)).contains("neeq"))
        let (status, reasons) = try eligibility(with(Self.firm, ["listed_board": "hk", "expected_market_value": 500_000]), offer: "chinext")
        #expect(status == .unknown)
        #expect(reasons.contains { $0.conditionID == "not_listed_abroad" && $0.review })
    }

    @Test("Without the listing status the boards stay open, with a warning that the firm is taken as not listed")
    func listingStatusAbsent() throws {
        let a = try assess(with(Self.firm, ["listed_board": nil]), model: Self.model)
        let regional = try #require(a.offers.first { $0.offer.id == "regional_board" })
        #expect(regional.status == .pass)
        #expect(regional.warnings.contains { $0.conditionID == "listing_status_known" && $0.text.contains("上市情况") })
        let withStatus = try assess(Self.firm, model: Self.model)
        #expect(try #require(withStatus.offers.first { $0.offer.id == "regional_board" }).warnings.isEmpty)
    }

    @Test("The SME size test (工信部联企业〔2011〕300号) at its limits: an industrial firm is large only with ≥ 1,000 staff and ≥ 4亿 revenue", arguments: [
        ("999 staff, 8.5亿 revenue: SME", "C35", 999, 85_000.0, 10_000.0, Truth.pass),
        ("1,000 staff, 4亿 revenue exactly: not an SME", "C35", 1_000, 40_000.0, 10_000.0, Truth.fail),
        ("1,200 staff, 3.9999亿 revenue: SME", "C35", 1_200, 39_999.99, 10_000.0, Truth.pass),
        ("1,200 staff, 8.5亿 revenue: not an SME", "C35", 1_200, 85_000.0, 10_000.0, Truth.fail),
        ("software: 300 staff and 1亿 revenue is the limit", "I65", 300, 10_000.0, 10_000.0, Truth.fail),
        ("software: 299 staff", "I65", 299, 50_000.0, 10_000.0, Truth.pass),
        ("wholesale: 200 staff and 4亿 revenue", "F51", 200, 40_000.0, 10_000.0, Truth.fail),
        ("construction counts revenue or assets: assets below 8亿", "E48", 5_000, 90_000.0, 79_999.0, Truth.pass),
        ("construction: both at 8亿", "E48", 5_000, 80_000.0, 80_000.0, Truth.fail),
        ("agriculture counts revenue only", "A01", 5_000, 19_999.0, 100_000.0, Truth.pass),
        ("other services count staff only", "M73", 300, 1_000.0, 100.0, Truth.fail),
    ] as [(String, String, Int, Double, Double, Truth)])
    func smeSize(name: String, industry: String, employees: Int, revenue: Double, assets: Double, expected: Truth) throws {
        let fields = with(Self.firm, ["certification_tier": "none", "certification_valid_until": nil, "industry_code": .text(industry),
                                      "employees": .number(Double(employees)), "revenue_y1": .number(revenue), "total_assets": .number(assets),
                                      "total_liabilities": .number(assets / 2), "net_assets": .number(assets / 2)])
        let evaluator = try EligibilityEvaluator(catalog: shippedCatalog)
        var object = JSONObject([("enterprise_id", .string("91370100MA3C5YQ12D")), ("fiscal_year", .number(2025))])
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) { object[k] = v.json }
        let (chunk, _) = try JSONRecordReader.parse(Array(JSONValue.object(object).prettyPrinted().utf8), path: "a.json", schema: EnterpriseSchema.schema)
        let result = evaluator.evaluate(chunk, asOf: assessmentDay)
        let k = try #require(shippedCatalog.offers.firstIndex { $0.id == "innovative_sme" })
        // Not an SME: the tier does not apply at all; an SME: it applies (whatever it then decides).
        #expect(result.notApplicable(offer: k, row: 0) == (expected == .fail), "\(name)")
    }

    @Test("A firm with 1,200 staff and 8.5亿 revenue is offered no SME tier, and its 专精特新贷 warns that the renewal would fail")
    func largeFirm() throws {
        let a = try assess(with(Self.firm, ["employees": 1_200, "revenue_y1": 85_000]), model: Self.model)
        let offered = Set(a.offers.map(\.offer.id))
        #expect(offered.isDisjoint(with: ["innovative_sme", "srdi_sme", "little_giant", "srdi_sme_renewal", "little_giant_renewal"]))
        #expect(Self.ids(a.notApplicable.map(\.offer)).contains("little_giant"))
        let loan = try #require(a.offers.first { $0.offer.id == "srdi_loan" })
        #expect(loan.warnings.contains { $0.conditionID == "sme_size_renewal" })
    }

    @Test("An expired provincial certificate is not held: its renewal (复核) is offered; one valid for years makes the renewal not apply")
    func certificateRenewal() throws {
        let expired = try assess(with(Self.firm, ["certification_valid_until": "2026-03-31"]), model: Self.model)
        #expect(!Self.ids(expired.held).contains("srdi_sme"))
        let renewal = try #require(expired.offers.first { $0.offer.id == "srdi_sme_renewal" })
        #expect(renewal.offer.chineseName == "专精特新中小企业复核")
        #expect(!Self.ids(expired.notApplicable.map(\.offer)).contains("srdi_sme_renewal"))
        let dueSoon = try assess(with(Self.firm, ["certification_valid_until": "2027-03-31"]), model: Self.model)
        #expect(Self.ids(dueSoon.held).contains("srdi_sme"))
        #expect(dueSoon.offers.contains { $0.offer.id == "srdi_sme_renewal" })
        let valid = try assess(with(Self.firm, ["certification_valid_until": "2028-12-31"]), model: Self.model)
        #expect(Self.ids(valid.held).contains("srdi_sme"))
        #expect(Self.ids(valid.notApplicable.map(\.offer)).contains("srdi_sme_renewal"))
    }

    @Test("A little giant with 82% debt gets 小巨人贷 with a warning that its renewal would fail on debt")
    func giantDebtWarning() throws {
        let fields = with(Self.firm, ["certification_tier": "little_giant", "total_liabilities": 32_800, "net_assets": 7_200])
        let a = try assess(fields, model: Self.model)
        let loan = try #require(a.offers.first { $0.offer.id == "little_giant_loan" })
        #expect(loan.status == .pass)
        #expect(loan.warnings.contains { $0.conditionID == "renewal_debt_75" && $0.text.contains("75%") })
        let calm = try assess(with(fields, ["total_liabilities": 30_000, "net_assets": 10_000]), model: Self.model)  // exactly 75%
        #expect(try #require(calm.offers.first { $0.offer.id == "little_giant_loan" }).warnings.allSatisfy { $0.conditionID != "renewal_debt_75" })
    }

    @Test("信用应急贷 does not apply without a loan falling due; above the fund's cap a person decides; debt must be below 70%")
    func bridgeLoan() throws {
        let none = try assess(with(Self.firm, ["maturing_loan": 0, "renewal_commitment": 1]), model: Self.model)
        let bridge = try #require(none.notApplicable.first { $0.offer.id == "emergency_loan" })
        #expect(!none.offers.contains { $0.offer.id == "emergency_loan" })
        #expect(bridge.reasons.allSatisfy { !$0.text.contains("差") && $0.text.contains("不成立") }, "\(bridge.reasons.map(\.text))")
        let (large, reasons) = try eligibility(with(Self.firm, ["maturing_loan": 1_500, "renewal_commitment": 1]), offer: "emergency_loan")
        #expect(large == .unknown)
        #expect(reasons.contains { $0.conditionID == "within_fund_cap" && $0.review })
        #expect(try eligibility(with(Self.firm, ["maturing_loan": 1_000, "renewal_commitment": 1]), offer: "emergency_loan").status == .pass)
        // Exactly 70% is not below 70%.
        let atLimit = with(Self.firm, ["maturing_loan": 500, "renewal_commitment": 1, "total_liabilities": 28_000, "net_assets": 12_000])
        #expect(try eligibility(atLimit, offer: "emergency_loan").status == .fail)
    }

    /// A loss-making biotech: market value 45亿, revenue 800万 (none two years ago), heavy R&D.
    static let biotech: [String: Field] = with(cleanFirm, [
        "industry_code": "C27", "founding_year": 2015, "expected_market_value": 450_000, "revenue_y1": 800, "revenue_y2": 300, "revenue_y3": 0,
        "net_profit_y1": -15_000, "net_profit_y2": -12_000, "rd_expense_y1": 12_000, "rd_expense_y2": 10_000, "rd_expense_y3": 8_000,
        "employees": 200, "rd_staff": 120, "invention_patents": 20, "class1_ip": 25, "st_award_level": "none",
    ])

    @Test("科创板 standard 5: a loss-making biotech is undecided (its qualitative part is for a person), exempt from the revenue indicator")
    func starStandardFive() throws {
        let (status, reasons) = try eligibility(Self.biotech, offer: "star")
        #expect(status == .unknown)
        #expect(reasons.contains { $0.review && $0.conditionID.hasPrefix("qualitative_5") })
        // Nothing asks for the growth rate that revenue of 0 two years ago makes impossible to compute.
        #expect(reasons.allSatisfy { !$0.text.contains("复合增长率") }, "\(reasons.map(\.text))")
        // Below 40亿 there is no standard 5: the firm fails (it meets no standard 1–4).
        #expect(try eligibility(with(Self.biotech, ["expected_market_value": 350_000]), offer: "star").status == .fail)
        // Too few patents for the regular indicators and no exception: standard 5 does not help.
        #expect(try eligibility(with(Self.biotech, ["invention_patents": 5, "class1_ip": 5]), offer: "star").status == .fail)
    }

    @Test("北交所 path: months quoted on the basic tier count; 11 months leaves one")
    func bseMonths() throws {
        let fields = with(Self.firm, ["neeq_status": "basic", "neeq_months": 11, "share_capital": 3_000, "weighted_roe_y1": 0.12,
                                      "weighted_roe_y2": 0.11, "expected_market_value": 60_000])
        let a = try assess(fields, model: Self.model)
        let bse = try #require(a.offers.first { $0.offer.id == "bse" })
        let step = try #require(bse.path?.steps.first { $0.id == "twelve_months" })
        #expect(step.monthsLeft == 1)
        #expect(step.requiredMonths == 12)
        #expect(step.text.contains("还需 1 个月"), "\(step.text)")
        #expect(step.earliest == CivilDate(daysSinceEpoch: assessmentDay).adding(months: 1).iso)
    }

    @Test("新三板创新层 for an unquoted firm says it means entering the tier at quotation")
    func innovationTierAtQuotation() throws {
        let fields = with(Self.firm, ["share_capital": 3_000, "weighted_roe_y1": 0.12, "weighted_roe_y2": 0.11])
        let a = try assess(fields, model: Self.model)
        let tier = try #require(a.offers.first { $0.offer.id == "neeq_innovation" })
        #expect(tier.status == .pass)
        #expect(tier.warnings.contains { $0.conditionID == "quoted" && $0.text.contains("挂牌时") })
    }

    @Test("A synthetic model's probabilities say so in the table and the JSON; a bank's do not")
    func probabilityNote() throws {
        for (origin, noted) in [("synthetic", true), ("bank", false)] {
            let model = try modelWithShippedCatalog(origin: origin)
            let a = try assess(Self.firm, model: model)
            let scorer = try OfferScorer(model: model, asOf: assessmentDay, threads: .singleThreaded)
            let document = ScoreDocument(results: [a], scorer: scorer, language: .zh, reasons: 3, modelPath: "m.json", asOf: "2026-06-30")
            #expect(document.table().contains("合成") == noted, "\(origin)")
            guard case .object(let json) = document.jsonValue() else { Issue.record("not an object"); continue }
            #expect((json["probability_note"] != JSONValue.null) == noted)
            #expect(json["model_data_origin"] == .string(origin))
        }
        #expect(try modelWithShippedCatalog(origin: nil).provenance.dataOrigin == nil)
    }

    @Test("The synthetic history has untiered firms without certificates, and joint-stock firms are named 股份有限公司")
    func syntheticWorld() {
        let generator = EnterpriseGenerator(seed: 7, fiscalYear: 2025)
        let firms = (0..<4_000).map(generator.firm)
        let untiered = firms.filter { $0.tier == .none }
        #expect(untiered.count > 300 && untiered.count < 600, "\(untiered.count) of 4,000 untiered (expected about 11%)")
        #expect(untiered.allSatisfy { $0.certificateValidUntil == nil })
        #expect(firms.allSatisfy { $0.jointStock == $0.name.hasSuffix("股份有限公司") })
        #expect(firms.filter(\.regionalSRDIBoard).allSatisfy { $0.regionalEquity && $0.tier != .none })
    }

    @Test("An input column FinRec does not know is named in a warning, with the field it was probably meant to be")
    func unknownColumnsWarn() throws {
        let bytes = Array(#"{"enterprise_id": "91370100MA3C5YQ12D", "fiscal_year": 2025, "listed_bord": "chinext", "label_bse": 1, "foo": 1}"#.utf8)
        let (_, report) = try JSONRecordReader.parse(bytes, path: "a.json", schema: EnterpriseSchema.schema)
        let warning = try #require(EnterpriseSchema.schema.unknownFieldsWarning(report.unknownColumns, file: "a.json"))
        #expect(warning.hasPrefix("a.json: ignored 2 columns"), "\(warning)")
        #expect(warning.contains("listed_bord (did you mean 'listed_board'?)"), "\(warning)")
        #expect(warning.contains("foo") && !warning.contains("label_bse"), "\(warning)")
        #expect(EnterpriseSchema.schema.unknownFieldsWarning(["label_bse", "truth_bse"], file: "a.json") == nil)
    }
}
