import FinRec
import Foundation
import Testing

@Suite("Inference: top-K, reason codes, applicant assessment, pool ranking")
struct InferenceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let asOf = CivilDate(year: 2026, month: 6, day: 30)!.daysSinceEpoch

    static func scorer() throws -> OfferScorer {
        try OfferScorer(model: try TrainedModel.read(from: root + "/Models/default-model.json"), asOf: asOf, threads: .singleThreaded)
    }

    /// The first `rows` enterprises of the shipped pool in chunks of `chunkRows`.
    static func pool(rows: Int, chunkRows: Int) throws -> [RecordChunk] {
        var options = ReaderOptions()
        options.chunkRows = chunkRows
        let reader = try CSVRecordReader(path: root + "/Datasets/shandong-pool.csv", schema: EnterpriseSchema.schema, options: options)
        var chunks: [RecordChunk] = [], total = 0
        while total < rows, let chunk = try reader.nextChunk() {
            chunks.append(chunk)
            total += chunk.rowCount
        }
        return chunks
    }

    @Test("TopK keeps exactly the first K of a full sort, ties included", arguments: [1, 7, 100, 5_000])
    func topKEqualsSort(k: Int) {
        var rng = SplitMix64(seed: UInt64(k))
        // Few distinct keys force many ties, broken by the second component.
        let items: [(Int, Int)] = (0..<3_000).map { i in (Int(rng.next() % 50), i) }
        let before: @Sendable ((Int, Int), (Int, Int)) -> Bool = { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        var top = TopK<(Int, Int)>(capacity: k, by: before)
        for item in items { top.insert(item) }
        let expected = Array(items.sorted(by: before).prefix(k))
        let got = top.sorted()
        #expect(got.count == expected.count)
        #expect(zip(got, expected).allSatisfy { $0 == $1 })
    }

    @Test("Reason codes plus the intercept add up to the BLAS logit, for every offer and row")
    func reasonCodesSumToLogit() throws {
        let scorer = try Self.scorer()
        let chunk = try #require(try Self.pool(rows: 500, chunkRows: 500).first)
        let scored = scorer.score(chunk, firstRow: 0)
        var checked = 0
        // Every modelled offer (not the tiers, policies, 新三板创新层 or 财政资金股权投资, which have no label).
        let modelled = scorer.catalog.offers.indices.filter { scorer.catalog.offers[$0].kind.probability && !["neeq_innovation", "fiscal_equity"].contains(scorer.catalog.offers[$0].id) }
        #expect(modelled.count == 15 && modelled.allSatisfy { scorer.productIndex[$0] != nil })
        for k in modelled {
            let p = try #require(scorer.productIndex[k])
            let intercept = scorer.model.linear.products[p].intercept
            for r in 0..<scored.rowCount {
                let codes = scorer.reasonCodes(scored, offer: k, row: r)
                #expect(codes.count == scorer.model.features.spec.features.count)
                let logit = try #require(scored.logit(offer: k, row: r))
                let total = codes.reduce(intercept) { $0 + $1.logit }
                let scale = codes.reduce(abs(intercept)) { $0 + abs($1.logit) }
                #expect(abs(total - logit) <= 1e-12 * max(1, scale), "offer \(k) row \(r): \(total) vs \(logit)")
                // Points are the same split: base points + Σ code points = points.
                let points = scorer.model.scaling.points(logit: intercept) + codes.reduce(0) { $0 + $1.points }
                #expect(abs(points - scorer.model.scaling.points(logit: logit)) <= 1e-9 * max(1, scale * scorer.model.scaling.factor))
                // Ordered from the largest push up to the largest push down.
                #expect(zip(codes, codes.dropFirst()).allSatisfy { $0.logit >= $1.logit })
                checked += 1
            }
        }
        #expect(checked == 15 * 500)
    }

    @Test("An applicant's offers in three lists (loans, listing paths, tier upgrades), each: eligible by ranking probability, then undecided, then ineligible nearest first with the rule that blocks them")
    func applicantOrdering() throws {
        let scorer = try Self.scorer()
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.root + "/Datasets/applicants").sorted() {
            let reader = try EnterpriseFileReader(path: Self.root + "/Datasets/applicants/" + file)
            let chunk = try #require(try reader.nextChunk())
            for language in Language.allCases {
                let assessment = try #require(ApplicantAssessment.assess(scorer.score(chunk, firstRow: 0), with: scorer, language: language).first)
                let offers = assessment.offers
                // Every offer but those the firm already holds (tiers, quotations), each held one once.
                #expect(offers.count + assessment.held.count + assessment.notApplicable.count == scorer.catalog.offers.count)
                #expect(assessment.held.allSatisfy { held in held.held != nil && !offers.contains { $0.offer.id == held.id } })
                // The catalog's lists in their order: loans, listing paths, tiers, supply-chain finance, equity, policies.
                let order = scorer.catalog.lists.map(\.id)
                #expect(order == ["loans", "listing", "tiers", "supply_chain", "equity", "policy"])
                let lists = offers.map { o in order.firstIndex(of: o.list.id) ?? -1 }
                #expect(lists == lists.sorted() && !lists.contains(-1), "\(file): the lists in their order")
                #expect(offers.allSatisfy { $0.list == $0.offer.kind.list })
                for list in order {
                    let ranked = offers.filter { $0.list.id == list }
                    #expect(ranked.map(\.rank) == Array(stride(from: 1, through: ranked.count, by: 1)))
                    let groups = ranked.map { $0.status == .pass ? 0 : $0.status == .unknown ? 1 : 2 }
                    #expect(groups == groups.sorted(), "\(file): groups out of order")
                    for (a, b) in zip(ranked, ranked.dropFirst()) where a.status == b.status {
                        if a.status == .fail {
                            #expect(a.gap!.distance <= b.gap!.distance, "\(file): \(a.offer.id) before \(b.offer.id), nearest first")
                        } else if let x = a.rankingProbability, let y = b.rankingProbability {
                            #expect(x >= y, "\(file): \(a.offer.id) before \(b.offer.id)")
                        } else if a.offer.benefit != nil, b.offer.benefit != nil {
                            // Policies: the larger worth first, those without an amount last.
                            #expect((a.benefit?.amount ?? -1) >= (b.benefit?.amount ?? -1), "\(file): \(a.offer.id) before \(b.offer.id)")
                        } else {
                            // Offers with a model first.
                            #expect(a.rankingProbability != nil || b.rankingProbability == nil, "\(file): \(a.offer.id) before \(b.offer.id)")
                        }
                    }
                }
                for o in offers where o.probability != nil {
                    // The 95% interval holds the probability; an indicative offer is ranked by its
                    // moderated probability, a supported one by its own.
                    let interval = try #require(o.interval)
                    #expect(interval.contains(o.probability!) && o.standardError! > 0)
                    let n = try #require(o.successes)
                    #expect(o.indicative == (n < OfferScorer.minimumSuccesses))
                    let expected = o.indicative ? LogitUncertainty.moderatedProbability(logit: o.logit!, standardError: o.standardError!) : o.probability!
                    #expect(abs(o.rankingProbability! - expected) < 1e-15)
                }
                for o in offers {
                    switch o.status {
                    case .pass where !o.offer.kind.probability:
                        // A policy (rules only): no probability, its worth instead.
                        #expect(o.reasons.isEmpty && o.probability == nil && o.benefit != nil)
                    case .pass:
                        #expect(o.reasons.isEmpty && o.probability != nil && !o.reasonCodes.isEmpty)
                        let total = o.basePoints! + o.reasonCodes.reduce(0) { $0 + $1.points }
                        #expect(abs(total - o.points!) < 1e-6)
                    case .unknown:
                        // Undecided for want of data (the fields are named) or left to a person.
                        #expect(!o.reasons.isEmpty && o.reasons.allSatisfy { $0.review != !$0.missingFields.isEmpty })
                    case .fail:
                        #expect(!o.reasons.isEmpty && o.probability == nil && o.points == nil && o.reasonCodes.isEmpty)
                        #expect(o.reasons.contains { $0.status == .fail })
                    }
                }
                // Chinese reasons are in Chinese and English ones are not.
                let texts = offers.flatMap(\.reasons).map(\.text)
                if language == .en { #expect(texts.allSatisfy { !$0.contains("不满足") && !$0.contains("缺少") }) }
            }
        }
    }

    @Test("The incomplete applicant is undecided for an offer, with the missing field named")
    func unknownNamesMissingField() throws {
        let scorer = try Self.scorer()
        let chunk = try #require(try EnterpriseFileReader(path: Self.root + "/Datasets/applicants/missing-fields.json").nextChunk())
        let a = try #require(ApplicantAssessment.assess(scorer.score(chunk, firstRow: 0), with: scorer, language: .zh).first)
        let undecided = a.offers.filter { $0.status == .unknown }
        #expect(!undecided.isEmpty)
        #expect(undecided.allSatisfy { $0.reasons.allSatisfy { $0.text.contains("缺少") || ($0.review && $0.text.contains("需人工判断")) } })
        #expect(undecided.contains { $0.reasons.contains { $0.text.contains("缺少") } })
    }

    @Test("Ranked entries carry reasons as data: the top positive reason codes, or the fields that are missing")
    func rankedReasonsAreData() throws {
        let scorer = try Self.scorer()
        let chunk = try Self.pool(rows: 3_000, chunkRows: 3_000)[0]
        let scored = scorer.score(chunk, firstRow: 0)
        var ranker = PoolRanker(offers: scorer.catalog.offers.indices.filter { scorer.productIndex[$0] != nil }, top: 20, reasonCount: 2)
        ranker.add(scored, scorer: scorer, firstSequence: 0)
        let document = RankDocument(ranker: ranker, scorer: scorer, modelPath: "m", asOf: "2026-06-30", language: .en)
        var undecidedSeen = 0
        for (i, k) in ranker.offers.enumerated() {
            for e in ranker.topEligible(i) {
                let r = e.line - 2  // header on line 1
                let expected = scorer.reasonCodes(scored, offer: k, row: r).prefix(2).filter { $0.logit > 0 }
                #expect(e.reasonCodes == Array(expected) && e.missingFields.isEmpty)
            }
            for e in ranker.topUndecided(i) {
                undecidedSeen += 1
                let r = e.line - 2
                // Independently: each missing field is empty in the record and read by an undecided condition.
                let explained = scored.eligibility.reasons(offer: k, row: r, language: .en)
                let fromReasons = explained.flatMap(\.missingFields)
                let names = e.missingFields.map { scorer.evaluator.schema.fields[$0].name }
                let reviews = e.reviewConditions.map { scorer.catalog.offers[k].rule.conditions[$0].id }
                #expect(Set(names) == Set(fromReasons) && names.count == Set(names).count)
                #expect(reviews == explained.filter(\.review).map(\.conditionID) && !(names.isEmpty && reviews.isEmpty))
                #expect(e.missingFields.allSatisfy { chunk.value(scorer.evaluator.schema.fields[$0].name, row: r) == .missing })
                let shown = document.reasons(e, offer: k)
                #expect(e.reasonCodes.isEmpty && Array(shown.prefix(names.count)) == names && shown.count == names.count + reviews.count)
            }
        }
        #expect(undecidedSeen > 0)
    }

    /// The ranking computed the slow way: every row scored in one piece, then sorted.
    static func referenceTop(_ scored: ScoredChunk, k: Int, top: Int, status: Truth) -> [String] {
        let all = scored.chunk
        let ids = all.ids
        let candidates = (0..<all.rowCount).filter { scored.status(offer: k, row: $0) == status }
        let sorted = candidates.sorted { a, b in
            let x = scored.logit(offer: k, row: a)!, y = scored.logit(offer: k, row: b)!
            return x != y ? x > y : ids[a] < ids[b]
        }
        return sorted.prefix(top).map { ids[$0] }
    }

    @Test("Pool ranking equals a full sort and does not depend on the chunk size", arguments: [97, 1_000, 4_000])
    func rankingIndependentOfChunks(chunkRows: Int) throws {
        let scorer = try Self.scorer()
        let top = 25
        var ranker = PoolRanker(offers: scorer.catalog.offers.indices.filter { scorer.productIndex[$0] != nil }, top: top)
        var sequence = 0, best: [BestOffer] = []
        for chunk in try Self.pool(rows: 4_000, chunkRows: chunkRows) {
            let scored = scorer.score(chunk, firstRow: sequence)
            ranker.add(scored, scorer: scorer, firstSequence: sequence)
            best += PoolRanker.bestOffers(scored, offers: ranker.offers, scorer: scorer)
            sequence += chunk.rowCount
        }
        // Whole chunks are read, so the last may go past `rows`.
        let rows = ranker.rows
        #expect(rows >= 4_000 && rows < 4_000 + chunkRows && best.count == rows)
        let all = try Self.pool(rows: rows, chunkRows: rows)[0]
        let scored = scorer.score(all, firstRow: 0)
        for (i, k) in ranker.offers.enumerated() {
            let eligible = ranker.eligible[i].sorted().map(\.enterpriseID)
            let unknown = ranker.unknown[i].sorted().map(\.enterpriseID)
            #expect(eligible == Self.referenceTop(scored, k: k, top: top, status: .pass))
            #expect(unknown == Self.referenceTop(scored, k: k, top: top, status: .unknown))
            let s = ranker.summaries[i]
            #expect(s.eligible + s.unknown + s.ineligible == rows)
            if let p10 = s.probabilityQuantile(0.1), let p90 = s.probabilityQuantile(0.9) { #expect(0 < p10 && p10 <= p90 && p90 <= 1) }
        }
        // Each enterprise's best loan and best listing path are the top of `score`'s two lists.
        for r in stride(from: 0, to: rows, by: 97) {
            let one = scorer.score(all.row(r), firstRow: r)
            let assessment = try #require(ApplicantAssessment.assess(one, with: scorer, language: .zh).first)
            #expect(scorer.catalog.bestColumns == ["best_loan", "best_listing", "best_supply_chain", "best_equity"])
            for (c, list) in ["loans", "listing", "supply_chain", "equity"].enumerated() {
                let top = assessment.offers.first { $0.list.id == list && $0.status != .fail && $0.probability != nil }
                let chosen = best[r].choices[c]
                #expect(chosen.map { scorer.catalog.offers[$0.offer].id } == top?.offer.id, "row \(r) \(list)")
                #expect(chosen?.status == top?.status)
            }
            let passing = scorer.catalog.offers.indices.filter { scored.status(offer: $0, row: r) == .pass && scored.logit(offer: $0, row: r) != nil }
            #expect(best[r].eligibleOffers == passing.count)
        }
    }

    @Test("CSV from memory (standard input) reads the same as from the file")
    func csvFromBytes() throws {
        let path = Self.root + "/Datasets/shandong-pool.csv"
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(200_000))
        let cut = bytes.lastIndex(of: 0x0A)! + 1
        let folder = temporaryFolder()
        try Data(bytes[..<cut]).write(to: URL(fileURLWithPath: folder + "/part.csv"))
        let fromFile = try CSVRecordReader(path: folder + "/part.csv", schema: EnterpriseSchema.schema).readAll()
        let fromBytes = try CSVRecordReader(bytes: Array(bytes[..<cut]), name: "(standard input)", schema: EnterpriseSchema.schema).readAll()
        #expect(fromFile.count == fromBytes.count && fromFile.first?.rowCount == fromBytes.first?.rowCount)
        #expect(fromFile.first!.rowCount > 100)
        for (a, b) in zip(fromFile, fromBytes) {
            for f in EnterpriseSchema.schema.fields.indices {
                switch (a.column(f), b.column(f)) {
                case (.numeric(let x), .numeric(let y)):
                    // Missing cells hold NaN, which is never equal to itself: compare the present ones.
                    #expect(x.missing == y.missing)
                    #expect(x.values.indices.allSatisfy { x.missing[$0] || x.values[$0] == y.values[$0] })
                case (.text(let x), .text(let y)):
                    #expect(x == y)
                default:
                    Issue.record("field \(f): column kinds differ")
                }
            }
        }
        do {
            _ = try CSVRecordReader(bytes: Array("name,city\n".utf8), name: "(standard input)", schema: EnterpriseSchema.schema)
            Issue.record("expected the missing id column to be refused")
        } catch {
            #expect(error.description.contains("(standard input)"))
        }
    }
}
