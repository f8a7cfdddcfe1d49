import FinRec
import Foundation
import Testing

@Suite("Pool ranking ties")
struct RankingTieTests {
    @Test("Enterprises with equal scores are listed by enterprise id, whatever their order in the file")
    func tiesByID() throws {
        let text = try String(contentsOfFile: InferenceTests.root + "/Datasets/shandong-pool.csv", encoding: .utf8)
        var lines = Array(text.split(separator: "\n").prefix(201).map(String.init))
        // Three copies of one firm under new ids: equal features, equal logits. Put the largest id
        // first in the file.
        let original = lines[5]
        let rest = original.drop { $0 != "," }
        let ids = ["91370100MA0XXXXXX", "91370100MA0AAAAAA", "91370100MA0MMMMMM"].map { CreditCode.complete($0)! }
        lines.append(contentsOf: ids.map { $0 + rest })
        let path = temporaryFolder() + "/ties.csv"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let scorer = try InferenceTests.scorer()
        // The offers with a model (rule-only offers have no probability to rank by).
        var ranker = PoolRanker(offers: scorer.catalog.offers.indices.filter { scorer.productIndex[$0] != nil }, top: 250)
        let chunk = try #require(try EnterpriseFileReader(path: path).nextChunk())
        let scored = scorer.score(chunk, firstRow: 0)
        ranker.add(scored, scorer: scorer, firstSequence: 0)
        let originalID = String(original.prefix { $0 != "," })
        var checked = 0
        for (i, k) in ranker.offers.enumerated() {
            let list = (scored.status(offer: k, row: 4) == .pass ? ranker.eligible[i] : ranker.unknown[i]).sorted().map(\.enterpriseID)
            let copies = list.filter { ($0 == originalID) || ids.contains($0) }
            guard scored.status(offer: k, row: 4) != .fail else { #expect(copies.isEmpty); continue }
            #expect(copies == (ids + [originalID]).sorted(), "\(scorer.catalog.offers[k].id): \(copies)")
            // Adjacent in the list: nothing else has exactly their score.
            let first = try #require(list.firstIndex(of: copies[0]))
            #expect(Array(list[first..<(first + 4)]) == copies)
            checked += 1
        }
        #expect(checked > 0)
    }
}
