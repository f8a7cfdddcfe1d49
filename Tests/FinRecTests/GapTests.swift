@testable import FinRec
@testable import FinRecCatalog
import Foundation
import Testing

@Suite("Gaps: how far an enterprise is from each offer, and the pool's near-misses")
struct GapTests {
    static let scorer = try! OfferScorer(model: try! TrainedModel.read(from: repositoryRoot() + "/Models/default-model.json"),
                                         asOf: assessmentDay, threads: .singleThreaded)

    /// The gap of `offer` for one applicant built like the catalog rule tests' firms.
    func gapOf(_ fields: [String: Field], offer: String, language: Language = .zh) throws -> (Truth, EligibilityGap?) {
        var object = JSONObject([("enterprise_id", .string("91370100MA3C5YQ12D")), ("fiscal_year", .number(2025))])
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) { object[k] = v.json }
        let (chunk, _) = try JSONRecordReader.parse(Array(JSONValue.object(object).prettyPrinted().utf8), path: "applicant.json", schema: EnterpriseSchema.schema)
        let result = Self.scorer.evaluator.evaluate(chunk, asOf: assessmentDay)
        let k = try #require(Self.scorer.catalog.offers.firstIndex { $0.id == offer })
        return (result.status(offer: k, row: 0), Self.scorer.gaps.gap(result, offer: k, row: 0, language: language))
    }

    @Test("A shortfall is stated in the user's units against the nearest standard")
    func shortfallText() throws {
        // 北交所 standard 1 needs a market value of 2亿: 1.9亿 is 1000万 short (cost 1000/20000), a step
        // the enterprise can take now; standards 2–4 need 4亿 and more.
        let (status, gap) = try gapOf(with(CatalogRuleTests.bseBase, ["expected_market_value": 19_000]), offer: "bse")
        let g = try #require(gap)
        #expect(status == .fail)
        #expect(g.items.map(\.text) == ["预计市值 1.9亿元，需 ≥2亿元，差 1000万元（北交所标准一）"])
        #expect(g.standards.first == "北交所标准一")
        #expect(g.reachable && g.nextAccounts == nil)
        #expect(abs(g.distance - 1_000.0 / 20_000) < 1e-12)
        let item = try #require(g.items.first)
        #expect(item.value == 19_000 && item.threshold == 20_000 && item.shortfall == 1_000 && item.closes == .now)
        // English, and a ratio in percentage points.
        let (_, roe) = try gapOf(with(CatalogRuleTests.bseBase, ["weighted_roe_y1": 0.07, "weighted_roe_y2": 0.07, "net_profit_y1": 2_600]),
                               offer: "bse", language: .en)
        let texts = try #require(roe).items.map(\.text)
        #expect(texts.count == 1 && texts[0].contains("7%") && texts[0].contains("1 percentage points short"), "\(texts)")
        // A passing offer has no gap; a step (company form) costs 1.
        #expect(try gapOf(CatalogRuleTests.bseBase, offer: "bse").1 == nil)
        let (_, form) = try gapOf(with(CatalogRuleTests.chinextBase, ["company_form": "limited"]), offer: "chinext")
        #expect(form?.distance == EligibilityGap.stepCost && form?.items.map(\.conditionID) == ["joint_stock"])
    }

    @Test("The vectorised distances equal each row's explained gap, for every offer of the shipped pool")
    func distancesAgree() throws {
        var options = ReaderOptions()
        options.chunkRows = 500
        let reader = try EnterpriseFileReader(path: repositoryRoot() + "/Datasets/shandong-pool.csv", options: options)
        var rows = 0, compared = 0
        while let chunk = try reader.nextChunk(), rows < 1_000 {
            let result = Self.scorer.evaluator.evaluate(chunk, asOf: assessmentDay)
            for k in Self.scorer.catalog.offers.indices {
                let distances = Self.scorer.gaps.distances(result, offer: k)
                for r in 0..<chunk.rowCount {
                    let gap = Self.scorer.gaps.gap(result, offer: k, row: r, language: .zh)
                    #expect((gap?.distance ?? 0) == distances[r], "row \(rows + r) offer \(Self.scorer.catalog.offers[k].id)")
                    if let gap {
                        compared += 1
                        #expect(!gap.items.isEmpty)
                        if gap.reachable {
                            #expect(abs(gap.items.reduce(0) { $0 + $1.cost } - gap.distance) < 1e-9)
                            #expect(!gap.items.contains { $0.closes == .nextAccounts || $0.closes == .never })
                        } else if let accounts = gap.nextAccounts {
                            // Open only with the next accounts: that way's items add up to its distance,
                            // and one of them waits for the accounts.
                            #expect(abs(gap.items.reduce(0) { $0 + $1.cost } - accounts.distance) < 1e-9)
                            #expect(gap.items.contains { $0.closes == .nextAccounts })
                            #expect(!gap.items.contains { $0.closes == .never })
                        } else {
                            // Out of reach: a condition the enterprise cannot change fails on every way.
                            #expect(gap.items.contains { $0.cost == .infinity })
                        }
                    }
                }
            }
            rows += chunk.rowCount
        }
        #expect(compared > 3_000)
    }

    /// Fields that cross-field checks tie to others: moving one alone would make the record invalid.
    static let tiedFields: Set<String> = ["rd_staff", "employees", "main_business_revenue_y1", "revenue_y1", "total_assets", "total_liabilities",
                                          "net_assets", "founding_year", "fiscal_year", "invention_patents", "class1_ip", "pledgeable_patents",
                                          "class1_ip_self_filed", "neeq_status", "neeq_months", "company_form"]

    @Test("Closing every shortfall of the nearest way makes the offer pass (generated firms, every offer)")
    func closingTheGapPasses() throws {
        let dataset = SyntheticDataset(generator: EnterpriseGenerator(seed: 77), withTruth: false)
        let header = dataset.header
        let folder = temporaryFolder()
        let original = folder + "/firms.csv"
        try dataset.write(count: 4_000, to: original)
        let chunk = try #require(try EnterpriseFileReader(path: original, options: { var o = ReaderOptions(); o.chunkRows = 4_000; return o }()).nextChunk())
        let result = Self.scorer.evaluator.evaluate(chunk, asOf: assessmentDay)
        var fixed: [String] = [], expected: [(row: Int, offer: Int)] = []
        for k in Self.scorer.catalog.offers.indices {
            let conditions = Dictionary(uniqueKeysWithValues: Self.scorer.catalog.offers[k].rule.conditions.map { ($0.id, $0) })
            for r in 0..<chunk.rowCount where result.status(offer: k, row: r) == .fail {
                let gap = try #require(Self.scorer.gaps.gap(result, offer: k, row: r, language: .en))
                var cells = dataset.row(r)
                var closable = true
                for item in gap.items {
                    guard item.status == .fail, let shortfall = item.shortfall, let value = item.value,
                          case .binary(let op, .column(let name, _), .number(_))? = conditions[item.conditionID]?.expression,
                          !Self.tiedFields.contains(name), let column = header.firstIndex(of: name),
                          let field = EnterpriseSchema.schema.index(of: name).map({ EnterpriseSchema.schema.fields[$0] }) else { closable = false; break }
                    // The smallest step of the field's precision beyond a strict bound.
                    let step: Double = if case .integer = field.kind { 1 } else if case .ratio = field.kind { 0.0001 } else { 0.01 }
                    let up = op == .greater || op == .greaterOrEqual
                    let strict = op == .greater || op == .less
                    let target = up ? value + shortfall + (strict ? step : 0) : value - shortfall - (strict ? step : 0)
                    if case .integer = field.kind { cells[column] = String(Int(target.rounded(up ? .up : .down))) } else {
                        cells[column] = Fixed.format(target, digits: 4)
                    }
                }
                guard closable else { continue }
                // Each line needs an id of its own: valid codes from another generator.
                cells[header.firstIndex(of: "enterprise_id")!] = EnterpriseGenerator(seed: 78).firm(fixed.count).id
                fixed.append(cells.map(CSVField.escape).joined(separator: ","))
                expected.append((r, k))
            }
        }
        #expect(expected.count > 300, "only \(expected.count) gaps closable by moving single fields")
        let path = folder + "/fixed.csv"
        try (header.joined(separator: ",") + "\n" + fixed.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        var options = ReaderOptions()
        options.chunkRows = max(1, fixed.count)
        let after = try #require(try EnterpriseFileReader(path: path, options: options).nextChunk())
        let evaluated = Self.scorer.evaluator.evaluate(after, asOf: assessmentDay)
        for (i, e) in expected.enumerated() {
            #expect(evaluated.status(offer: e.offer, row: i) == .pass,
                    "firm \(e.row) offer \(Self.scorer.catalog.offers[e.offer].id): \(evaluated.reasons(offer: e.offer, row: i, language: .en).map(\.text))")
        }
    }

    @Test("rank --near-miss keeps, per offer, the enterprises nearest to passing, as a brute-force sort finds them; --where filters")
    func nearMisses() throws {
        let path = repositoryRoot() + "/Datasets/shandong-pool.csv"
        let offers = ["bse", "star", "neeq"].map { id in Self.scorer.catalog.offers.firstIndex { $0.id == id }! }
        var ranking = PoolRanking(scorer: Self.scorer, offers: offers, top: 5, workers: 2)
        ranking.nearMisses = 25
        ranking.filter = try PoolRanking.filter("city == '济南' || certification_tier == 'little_giant'", scorer: Self.scorer)
        var options = ReaderOptions()
        options.chunkRows = 3_000
        let ranker = try ranking.run(try EnterpriseFileReader(path: path, options: options))
        // Brute force: every row that meets the filter and does not pass by a way open now, sorted by
        // (distance, the offer's probability high first, id, position).
        let reader = try EnterpriseFileReader(path: path)
        var candidates = [[(distance: Double, logit: Double, id: String, position: Int)]](repeating: [], count: offers.count)
        var position = 0, kept = 0
        while let chunk = try reader.nextChunk() {
            let scored = Self.scorer.score(chunk, firstRow: position)
            let ids = chunk.ids
            for r in 0..<chunk.rowCount {
                defer { position += 1 }
                guard chunk.value("city", row: r) == .text("济南") || chunk.value("certification_tier", row: r) == .number(3) else { continue }
                kept += 1
                for (i, k) in offers.enumerated() where scored.status(offer: k, row: r) != .pass {
                    let gap = try #require(Self.scorer.gaps.gap(scored.eligibility, offer: k, row: r, language: .zh))
                    // A rule-only offer has no probability: its ties go by id.
                    if gap.reachable { candidates[i].append((gap.distance, scored.logit(offer: k, row: r) ?? 0, ids[r], position)) }
                }
            }
        }
        #expect(ranker.rows == kept && ranker.filteredOut == 20_000 - kept && kept > 1_000)
        var tiesByProbability = 0
        for i in offers.indices {
            let expected = candidates[i].sorted { ($0.distance, -$0.logit, $0.id, $0.position) < ($1.distance, -$1.logit, $1.id, $1.position) }.prefix(25)
            let listed = ranker.topNearMisses(i)
            #expect(listed.map(\.enterpriseID) == expected.map(\.id))
            #expect(listed.map(\.gap.distance) == expected.map(\.distance))
            #expect(listed.allSatisfy { $0.city == "济南" || $0.tier == "little_giant" })
            #expect(listed.allSatisfy { $0.gap.reachable && $0.gap.nextAccounts == nil })
            // Equal gaps whose order the probability decides against the id order.
            for (a, b) in zip(expected, expected.dropFirst()) where a.distance == b.distance && a.id > b.id { tiesByProbability += 1 }
        }
        #expect(tiesByProbability > 0, "no tie in the lists to check the order by probability on")
    }

    @Test("A barred industry is out of reach (科创板 for real estate, K70); 创业板's list is a review, not a bar")
    func barredIndustry() throws {
        for language in Language.allCases {
            let (status, gap) = try gapOf(with(CatalogRuleTests.starBase, ["industry_code": "K70"]), offer: "star", language: language)
            let g = try #require(gap)
            #expect(status == .fail)
            #expect(!g.reachable && g.distance == .infinity && g.nextAccounts == nil)
            let bar = try #require(g.items.first { $0.conditionID == "industry_allowed" })
            #expect(bar.status == .fail && bar.closes == .never && bar.cost == .infinity)
        }
        // 北交所 bars finance and real estate too.
        let (_, bse) = try gapOf(with(CatalogRuleTests.bseBase, ["industry_code": "J66"]), offer: "bse")
        #expect(bse?.reachable == false && bse?.items.first { $0.conditionID == "industry_allowed" }?.closes == .never)
        // 创业板 "in principle does not support" agriculture: left to a person, still reachable.
        let (status, gap) = try gapOf(with(CatalogRuleTests.chinextBase, ["industry_code": "A01"]), offer: "chinext")
        let g = try #require(gap)
        #expect(status == .unknown && g.reachable && g.distance == EligibilityGap.unknownCost)
        #expect(g.items.map(\.conditionID) == ["industry_allowed"] && g.items[0].status == .unknown && g.items[0].closes == nil)
    }

    @Test("A shortfall in last year's accounts is out of reach until the next accounts, and says when")
    func accountsOnlyShortfall() throws {
        // 北交所 standard 1(a) needs 1500万 net profit in each of two years: 1400万 is 100万 short
        // (cost 100/1500), which only the FY2026 accounts can change.
        let (status, gap) = try gapOf(with(CatalogRuleTests.bseBase, ["net_profit_y1": 1_400]), offer: "bse")
        let g = try #require(gap)
        #expect(status == .fail)
        #expect(!g.reachable && g.distance == .infinity)
        let accounts = try #require(g.nextAccounts)
        #expect(accounts.fiscalYear == 2026 && abs(accounts.distance - 100.0 / 1_500) < 1e-12)
        #expect(accounts.text == "2026年度财务报表（约2027年4—5月公布）")
        #expect(g.standards.first == "北交所标准一")
        let item = try #require(g.items.first)
        #expect(g.items.count == 1 && item.closes == .nextAccounts && item.value == 1_400 && item.shortfall == 100)
        #expect(item.text.hasPrefix("最近一年净利润 1400万元，需 ≥1500万元，差 100万元") && item.text.hasSuffix("待2026年度财务报表（约2027年4—5月公布）方可能补足"),
                "\(item.text)")
        let (_, english) = try gapOf(with(CatalogRuleTests.bseBase, ["net_profit_y1": 1_400]), offer: "bse", language: .en)
        #expect(english?.items.first?.text.hasSuffix("can close with the FY2026 accounts (published around April–May 2027) at the earliest") == true)
        // The age (fiscal_year − founding_year) grows with the accounts too: 创业板 wants 3 years.
        let (_, young) = try gapOf(with(CatalogRuleTests.chinextBase, ["founding_year": 2024]), offer: "chinext")
        #expect(young?.reachable == false && young?.nextAccounts?.fiscalYear == 2026)
        #expect(young?.items.contains { $0.closes == .nextAccounts } == true)
        // Without a fiscal year the text names the next annual accounts.
        let (_, noYear) = try gapOf(with(CatalogRuleTests.bseBase, ["net_profit_y1": 1_400, "fiscal_year": nil]), offer: "bse")
        #expect(noYear?.nextAccounts?.fiscalYear == nil && noYear?.nextAccounts?.text == "下一年度财务报表")
    }

    /// A pool file of the catalog rule tests' firms, each with an id of its own.
    func pool(_ firms: [[String: Field]]) throws -> String {
        let generator = EnterpriseGenerator(seed: 91)
        let records: [JSONValue] = firms.enumerated().map { i, fields in
            var object = JSONObject([("enterprise_id", .string(generator.firm(i).id)), ("fiscal_year", .number(2025))])
            for (k, v) in fields.sorted(by: { $0.key < $1.key }) { object[k] = v.json }
            return .object(object)
        }
        let path = temporaryFolder() + "/pool.json"
        try JSONValue.array(records).prettyPrinted().write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("Near-misses leave out firms that only the next accounts or nothing they can do would bring in; an undecided one shows its missing fields")
    func nearMissesThatTellTheTruth() throws {
        let base = CatalogRuleTests.bseBase
        let path = try pool([
            with(base, ["expected_market_value": 19_000]),  // 0: market value short: a near-miss
            with(base, ["net_profit_y1": 1_400]),  // 1: last year's profit short: waits for the accounts
            with(base, ["expected_market_value": 19_000, "abnormal_or_dishonest": 1]),  // 2: on the dishonesty list
            with(base, ["expected_market_value": 19_000, "industry_code": "K70"]),  // 3: real estate
            with(base, ["weighted_roe_y1": nil]),  // 4: undecided for want of the ROE
            base,  // 5: passes
        ])
        let k = try #require(Self.scorer.catalog.offers.firstIndex { $0.id == "bse" })
        var ranking = PoolRanking(scorer: Self.scorer, offers: [k], top: 5)
        ranking.nearMisses = 10
        let ranker = try ranking.run(try EnterpriseFileReader(path: path))
        let ids = (0..<6).map { EnterpriseGenerator(seed: 91).firm($0).id }
        let listed = ranker.topNearMisses(0)
        // The undecided firm (cost 0.5) comes after the market-value one (cost 0.05).
        #expect(listed.map(\.enterpriseID) == [ids[0], ids[4]])
        let undecided = try #require(listed.last)
        let roe = try #require(EnterpriseSchema.schema.index(of: "weighted_roe_y1"))
        #expect(undecided.status == .unknown && undecided.missingFields == [roe])
        #expect(undecided.gap.items.contains { $0.status == .unknown && $0.missingFields == ["加权平均净资产收益率（最近一年）（weighted_roe_y1）"] })
        // The outputs carry the status and the missing fields.
        let document = RankDocument(ranker: ranker, scorer: Self.scorer, modelPath: "m", asOf: "2026-06-30")
        let rows = CSVText.rows(document.csv())
        let header = try #require(rows.first)
        let group = try #require(header.firstIndex(of: "group")), status = try #require(header.firstIndex(of: "status"))
        let missing = try #require(header.firstIndex(of: "missing_fields")), id = try #require(header.firstIndex(of: "enterprise_id"))
        let nearRows = rows.dropFirst().filter { $0[group] == "near_miss" }
        #expect(nearRows.map { $0[id] } == [ids[0], ids[4]])
        #expect(nearRows.map { $0[status] } == ["fail", "unknown"])
        #expect(nearRows.map { $0[missing] } == ["", "加权平均净资产收益率（最近一年）（weighted_roe_y1）"])
        let json = try JSONValue.parse(Array(document.json().utf8))
        let entries = try #require(json["offers"]?.array?.first?["near_miss"]?.array)
        #expect(entries.map { $0["status"]?.string } == ["fail", "unknown"])
        #expect(entries.map { $0["missing_fields"]?.array?.compactMap(\.string) } == [[], ["weighted_roe_y1"]])
        #expect(entries.allSatisfy { $0["shortfalls"]?.array?.isEmpty == false })
    }
}

extension GapTests {
    /// Every text of a non-passing offer: its reasons, its gap's items and its path.
    static func texts(_ scored: ScoredChunk, row r: Int, language: Language) -> [(text: String, missing: [String])] {
        var out: [(String, [String])] = []
        for k in scorer.catalog.offers.indices where scored.status(offer: k, row: r) != .pass {
            out += scored.eligibility.reasons(offer: k, row: r, language: language).map { ($0.text, $0.missingFields) }
            out += (scorer.gaps.gap(scored.eligibility, offer: k, row: r, language: language)?.items ?? []).map { ($0.text, $0.missingFields) }
            out += (scorer.paths.path(scored.eligibility, offer: k, row: r, asOf: assessmentDay, language: language)?.steps ?? [])
                .flatMap { $0.gap?.items ?? [] }.map { ($0.text, $0.missingFields) }
        }
        return out
    }

    /// Whether each "缺少 " / "missing " in `text` is followed by the label of a field of `missing`
    /// (the fields the reason says are missing), and there is one such word for any missing field.
    static func namesItsFields(_ text: String, _ missing: [String], _ language: Language) -> Bool {
        let word = language == .zh ? "缺少 " : "cannot tell, missing "
        let parts = text.components(separatedBy: word)
        guard parts.count > 1 else { return missing.isEmpty }
        let labels = EnterpriseSchema.schema.fields.map { $0.label(language) }
        return !missing.isEmpty && parts.dropFirst().allSatisfy { rest in labels.contains { rest.hasPrefix($0) } }
            && missing.allSatisfy { text.contains($0) }
    }

    @Test("Every 缺少 (missing) names its fields: example applicants, pool rows and a value that cannot be computed, in Chinese and English")
    func everyMissingNamesAField() throws {
        let folder = repositoryRoot() + "/Datasets/applicants"
        var chunks: [RecordChunk] = try FileManager.default.contentsOfDirectory(atPath: folder).sorted().filter { $0.hasSuffix(".json") }.map {
            try #require(try EnterpriseFileReader(path: folder + "/" + $0).nextChunk())
        }
        var options = ReaderOptions()
        // 300 pool rows (about 90,000 texts: every offer's explanations in both languages; the suite runs under the address sanitizer too).
        options.chunkRows = 300
        chunks.append(try #require(try EnterpriseFileReader(path: repositoryRoot() + "/Datasets/shandong-pool.csv", options: options).nextChunk()))
        // No revenue in three years: the R&D ratio and the growth cannot be computed, though no field is missing.
        let zero = with(CatalogRuleTests.starBase, ["revenue_y1": 0, "revenue_y2": 0, "revenue_y3": 0, "rd_expense_y1": 10, "rd_expense_y2": 10,
                                                   "rd_expense_y3": 10])
        chunks.append(try #require(try EnterpriseFileReader(path: try pool([zero])).nextChunk()))
        var checked = 0, missingTexts = 0
        for language in Language.allCases {
            for chunk in chunks {
                let scored = Self.scorer.score(chunk, firstRow: 0)
                for r in 0..<chunk.rowCount {
                    for (text, missing) in Self.texts(scored, row: r, language: language) {
                        checked += 1
                        if !missing.isEmpty { missingTexts += 1 }
                        #expect(Self.namesItsFields(text, missing, language), "\(language): \(text) (missing \(missing))")
                        #expect(!text.contains(language == .zh ? "缺少 （" : "missing ("), "\(text)")
                    }
                }
            }
            // The value that cannot be computed names the fields it is computed from, with their values.
            let scored = Self.scorer.score(try #require(chunks.last), firstRow: 0)
            let uncomputable = Self.texts(scored, row: 0, language: language).map(\.text)
                .filter { $0.contains(language == .zh ? "无法由" : "not computable from") }
            #expect(!uncomputable.isEmpty)
            #expect(uncomputable.allSatisfy { language == .zh ? $0.contains("营业收入（") && $0.contains("） 0万元") : $0.contains("revenue_y") && $0.contains(" CNY 0m") },
                    "\(uncomputable)")
        }
        #expect(checked > 50_000 && missingTexts > 2_000, "\(checked) texts, \(missingTexts) with missing fields")
    }
}

extension GapTests {
    @Test("A missing value's reason code says it is scored as the least favourable value seen in training until supplied")
    func missingValueIsScoredAsWorst() throws {
        // The incomplete applicant without its overdue count, and with 0 and 1000 overdue repayments
        // (1000 is beyond the training range, so it scores as the range's worst end).
        let applicant = try JSONValue.parse(try FileBytes.read(repositoryRoot() + "/Datasets/applicants/missing-fields.json"))
        guard case .object(let fields) = applicant else { Issue.record("not an object"); return }
        let records: [JSONValue] = [nil, 0.0, 1_000.0].enumerated().map { i, overdue in
            var object = fields
            object["统一社会信用代码"] = .string(EnterpriseGenerator(seed: 92).firm(i).id)
            if let overdue { object["overdue_24m"] = .number(overdue) }
            return .object(object)
        }
        let path = temporaryFolder() + "/overdue.json"
        try JSONValue.array(records).prettyPrinted().write(toFile: path, atomically: true, encoding: .utf8)
        let chunk = try #require(try EnterpriseFileReader(path: path).nextChunk())
        let scored = Self.scorer.score(chunk, firstRow: 0)
        let k = try #require(Self.scorer.catalog.offers.firstIndex { $0.id == "srdi_loan" })
        let points = (0..<3).map { r in Self.scorer.reasonCodes(scored, offer: k, row: r).first { $0.feature == "overdue_24m" }!.points }
        // Independent of the note's wording: the missing value scores as the worst of the values supplied.
        #expect(abs(points[0] - min(points[1], points[2])) < 1e-6, "\(points)")
        #expect(points[0] < -20)
        for language in Language.allCases {
            let document = ScoreDocument(results: ApplicantAssessment.assess(scored, with: Self.scorer, language: language), scorer: Self.scorer,
                                         language: language, reasons: 50, modelPath: "m", asOf: "2026-06-30")
            let note = language == .zh ? "缺失按训练数据中最不利的取值计分，补充后重算" : "missing: scored as the least favourable value seen in training until supplied"
            let json = try JSONValue.parse(Array(document.json().utf8))
            let offers = try #require(json["enterprises"]?.array?.first?["offers"]?.array)
            let srdi = try #require(offers.first { $0["id"]?.string == "srdi_loan" })
            let overdue = try #require(srdi["reason_codes_down"]?.array?.first { $0["feature"]?.string == "overdue_24m" })
            #expect(overdue["missing_note"]?.string == note)
            let typed = try #require(document.report().enterprises.first?.offers.first { $0.id == "srdi_loan" }?
                .reasonCodesDown.first { $0.feature == "overdue_24m" })
            #expect(typed.text.hasSuffix("（\(note)）"))
            // Every code of a missing value carries a note, and only those.
            for o in offers {
                for code in (o["reason_codes_up"]?.array ?? []) + (o["reason_codes_down"]?.array ?? []) {
                    let missing = code["value"]?.string == (language == .zh ? "缺失" : "missing")
                    #expect((code["missing_note"]?.string != nil) == missing, "\(code)")
                }
            }
            let table = document.table()
            #expect(table.contains((language == .zh ? "近24个月逾期次数 = 缺失 " : "overdue repayments in 24 months = missing ")), "\(table)")
            #expect(table.contains(language == .zh ? "分（\(note)）" : " pts (\(note))"))
        }
    }
}

extension GapTests {
    @Test("A fact a rule asks for twice is one step: 50 invention patents meet 科创属性 and the revenue indicator at once")
    func sharedFactCountsOnce() throws {
        // 40 patents, R&D staff 5% (the regular 科创属性 indicators fail), revenue growth 2.5% and
        // revenue 1.05亿 (the revenue indicator fails; both read closed years, out of reach now).
        // The nearest way is 50 invention patents, the exception to both: 10 short of 50 once.
        let firm = with(CatalogRuleTests.starBase, ["invention_patents": 40, "class1_ip": 40, "rd_staff": 5, "revenue_y1": 10_500])
        for language in Language.allCases {
            let (status, gap) = try gapOf(firm, offer: "star", language: language)
            let g = try #require(gap)
            #expect(status == .fail)
            #expect(g.items.map(\.conditionID) == ["patents_50"], "\(g.items.map(\.text))")
            #expect(abs(g.distance - 10.0 / 50) < 1e-12 && g.items[0].cost == g.distance && g.items[0].shortfall == 10)
            #expect(g.reachable && g.nextAccounts == nil)
        }
        // With the patents, the firm passes.
        #expect(try gapOf(with(firm, ["invention_patents": 50, "class1_ip": 50]), offer: "star").0 == .pass)
    }

    /// Every way through `rule` (one alternative of each "any"): the conditions on it, depth first.
    static func ways(_ rule: Catalog.Rule, _ next: inout Int) -> [[Int]] {
        switch rule {
        case .condition:
            defer { next += 1 }
            return [[next]]
        case .all(_, _, _, let children):
            var ways: [[Int]] = [[]]
            for child in children {
                let inner = Self.ways(child, &next)
                ways = ways.flatMap { way in inner.map { way + $0 } }
            }
            return ways
        case .any(_, _, _, let children):
            return children.flatMap { Self.ways($0, &next) }
        }
    }

    @Test("Distances equal a brute force over every way, a fact asked for twice on a way counted once (shipped pool, every offer)")
    func distancesAgainstBruteForce() throws {
        var options = ReaderOptions()
        options.chunkRows = 400
        let reader = try EnterpriseFileReader(path: repositoryRoot() + "/Datasets/shandong-pool.csv", options: options)
        let chunk = try #require(try reader.nextChunk())
        let result = Self.scorer.evaluator.evaluate(chunk, asOf: assessmentDay)
        var nearerThanSum = 0, compared = 0
        for (k, offer) in Self.scorer.catalog.offers.enumerated() {
            var next = 0
            let ways = Self.ways(offer.rule, &next)
            let conditions = offer.rule.conditions
            // One fact: the same expression text and flags, or for a person's judgement the same
            // statement; an `applies` condition is its own.
            let fact = conditions.enumerated().map { i, c in
                c.applicability ? "#\(i)" : c.manual ? "manual|\(c.chinese)" : "\(c.text)|\(c.review)|\(c.warn)|\(c.fixed)"
            }
            let distances = Self.scorer.gaps.distances(result, offer: k)
            for r in 0..<chunk.rowCount {
                let costs = conditions.indices.map { Self.scorer.gaps.leafCost(result, offer: k, index: $0, row: r, withNextAccounts: false) }
                var nearest = Double.infinity, summed = Double.infinity
                for way in ways {
                    var seen = Set<String>(), once = 0.0, each = 0.0
                    for i in way {
                        each += costs[i]
                        if seen.insert(fact[i]).inserted { once += costs[i] }
                    }
                    nearest = min(nearest, once)
                    summed = min(summed, each)
                }
                compared += 1
                if nearest.isFinite {
                    #expect(abs(distances[r] - nearest) <= 1e-9 * max(1, nearest), "row \(r) offer \(offer.id): \(distances[r]) vs \(nearest)")
                } else {
                    #expect(distances[r] == .infinity, "row \(r) offer \(offer.id)")
                }
                if nearest < summed - 1e-9 { nearerThanSum += 1 }
            }
        }
        #expect(compared == 400 * Self.scorer.catalog.offers.count)
        // The pool has firms whose nearest way asks for one fact twice.
        #expect(nearerThanSum > 10, "\(nearerThanSum)")
    }
}

extension GapTests {
    @Test("No sentence repeats within an offer's reasons or its gap; an undecided comparison says what it asks for (shipped pool, both languages)")
    func sentencesDoNotRepeat() throws {
        var options = ReaderOptions()
        options.chunkRows = 2_000
        let chunk = try #require(try EnterpriseFileReader(path: repositoryRoot() + "/Datasets/shandong-pool.csv", options: options).nextChunk())
        let result = Self.scorer.evaluator.evaluate(chunk, asOf: assessmentDay)
        var asked = 0, lists = 0
        for language in Language.allCases {
            let needs = language == .zh ? "（需 ≥5%）：无法判断" : " (needs ≥ 5%): cannot tell"
            for k in Self.scorer.catalog.offers.indices {
                for r in 0..<chunk.rowCount where result.status(offer: k, row: r) != .pass {
                    let reasons = result.reasons(offer: k, row: r, language: language).map(\.text)
                    let items = Self.scorer.gaps.gap(result, offer: k, row: r, language: language)?.items.map(\.text) ?? []
                    for texts in [reasons, items] where !texts.isEmpty {
                        lists += 1
                        #expect(Set(texts).count == texts.count, "offer \(Self.scorer.catalog.offers[k].id) row \(r): \(texts)")
                    }
                    asked += (reasons + items).count { $0.contains(needs) }
                }
            }
        }
        #expect(lists > 20_000 && asked > 0, "\(lists) lists, \(asked) texts with a requirement")
    }
}
