import FinRec
import Testing

@Suite("Gains (strategy) table")
struct GainsTableTests {
    @Test("Bands partition the rows; cumulative figures equal a brute-force count at each cut-off; the largest band KS is the KS")
    func bruteForce() {
        var rng = SplitMix64(seed: 5)
        // Integer points with many ties; success more likely at high points.
        let points = (0..<5_000).map { _ in Double(400 + Int(rng.next() % 200)) }
        let outcomes = points.map { p in Double(rng.next() % 1000) < (p - 380) * 4 ? 1.0 : 0.0 }
        let table = GainsTable(points: points, outcomes: outcomes, bands: 10)
        #expect(table.bands.count == 10)
        #expect(table.bands.reduce(0) { $0 + $1.rows } == points.count)
        #expect(table.bands.first!.upper == .infinity && table.bands.last!.lower == -.infinity)
        let successes = outcomes.reduce(0, +), failures = Double(points.count) - successes
        for (i, b) in table.bands.enumerated() {
            let inBand = points.indices.filter { points[$0] >= b.lower && points[$0] < b.upper }
            let approved = points.indices.filter { points[$0] >= b.lower }
            let approvedSuccesses = approved.reduce(0.0) { $0 + outcomes[$1] }
            #expect(b.rows == inBand.count)
            #expect(b.successes == inBand.reduce(0.0) { $0 + outcomes[$1] })
            #expect(b.cumulativeRows == approved.count)
            #expect(b.cumulativeSuccesses == approvedSuccesses)
            #expect(abs(b.approvalRate - Double(approved.count) / Double(points.count)) < 1e-12)
            #expect(abs(b.successesCaptured - approvedSuccesses / successes) < 1e-12)
            #expect(abs(b.failuresCaptured - (Double(approved.count) - approvedSuccesses) / failures) < 1e-12)
            if i > 0 { #expect(b.upper == table.bands[i - 1].lower, "bands touch") }
            // About equal population: ties keep a band within 2 points of the tenth.
            #expect(abs(Double(b.rows) - 500) < 2 * 5_000 / 200 + 1)
        }
        // One band per distinct score: the best cut-off's KS is the KS statistic.
        let fine = GainsTable(points: points, outcomes: outcomes, bands: 1_000)
        #expect(fine.bands.count == 200)
        let ks = BinaryMetrics(probabilities: points.map { ($0 - 400) / 200 }, labels: outcomes).ks
        #expect(abs(fine.bands.map(\.ks).max()! - ks) < 1e-12)
    }

    @Test("Curves: the ROC's area is the AUC, the KS chart's largest gap is the KS, histogram shares sum to one")
    func curves() {
        var rng = SplitMix64(seed: 8)
        let scores = (0..<3_000).map { _ in Double(Int(rng.next() % 300)) / 3 }  // ties included
        let outcomes = scores.map { s in Double(rng.next() % 100) < s ? 1.0 : 0.0 }
        let metrics = BinaryMetrics(probabilities: scores.map { $0 / 100 }, labels: outcomes)
        let roc = Curves.roc(scores: scores, outcomes: outcomes)
        #expect(roc.first! == (0, 0) && roc.last! == (1, 1))
        #expect(abs(Curves.area(roc) - metrics.auc) < 1e-12)
        let shares = Curves.cumulativeShares(scores: scores, outcomes: outcomes)
        #expect(abs(shares.scores.indices.map { abs(shares.failures[$0] - shares.successes[$0]) }.max()! - metrics.ks) < 1e-12)
        #expect(abs(Curves.histogram(scores, range: 0...100, bins: 20).reduce(0, +) - 1) < 1e-12)
        let thin = Curves.thinned(Array(0..<1_000), to: 11)
        #expect(thin.count == 11 && thin.first == 0 && thin.last == 999 && zip(thin, thin.dropFirst()).allSatisfy { $1 - $0 >= 99 && $1 - $0 <= 101 })
    }
}
