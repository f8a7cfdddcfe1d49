import FinRec
import Foundation
import Testing

@Suite("Binary metrics against brute-force definitions")
struct BinaryMetricsTests {
    /// AUC by comparing every positive with every negative (ties one half): O(n²), the definition.
    func bruteAUC(_ p: [Double], _ y: [Double]) -> Double {
        var wins = 0.0, pairs = 0.0
        for i in p.indices where y[i] == 1 {
            for j in p.indices where y[j] == 0 {
                pairs += 1
                wins += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0
            }
        }
        return wins / pairs
    }

    /// KS by trying every distinct threshold t: max |F_neg(t) − F_pos(t)| with F(t) = share ≤ t.
    func bruteKS(_ p: [Double], _ y: [Double]) -> Double {
        let pos = Double(y.filter { $0 == 1 }.count), neg = Double(y.filter { $0 == 0 }.count)
        return Set(p).map { t in
            abs(Double(zip(p, y).filter { $0.0 <= t && $0.1 == 0 }.count) / neg - Double(zip(p, y).filter { $0.0 <= t && $0.1 == 1 }.count) / pos)
        }.max()!
    }

    @Test("AUC and KS equal their definitions on random data with ties", arguments: [1, 2, 3, 4] as [UInt64])
    func randomData(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        // Probabilities rounded to 2 decimals so ties are common.
        let p = (0..<400).map { _ in (rng.uniform() * 100).rounded() / 100 }
        let y = p.map { rng.bernoulli($0) ? 1.0 : 0.0 }
        let m = BinaryMetrics(probabilities: p, labels: y)
        #expect(abs(m.auc - bruteAUC(p, y)) < 1e-12)
        #expect(abs(m.ks - bruteKS(p, y)) < 1e-12)
        #expect(m.calibration.count == 10 && m.calibration.map(\.count).reduce(0, +) == 400)
    }

    @Test("Hand-computed values on four rows, and NaN labels skipped")
    func handComputed() {
        let m = BinaryMetrics(probabilities: [0.1, 0.4, 0.35, 0.8, 0.9], labels: [0, 0, 1, 1, .nan])
        #expect(m.count == 4 && m.positives == 2)
        // Pairs (pos, neg): (0.35, 0.1) win, (0.35, 0.4) loss, (0.8, 0.1) win, (0.8, 0.4) win → 3/4.
        #expect(abs(m.auc - 0.75) < 1e-15)
        // Thresholds: 0.1 → |1/2 − 0| = 0.5; 0.35 → |1/2 − 1/2| = 0; 0.4 → |1 − 1/2| = 0.5; 0.8 → 0.
        #expect(abs(m.ks - 0.5) < 1e-15)
        let logLoss = -(log(0.9) + log(0.6) + log(0.35) + log(0.8)) / 4
        #expect(abs(m.logLoss - logLoss) < 1e-15)
        #expect(abs(m.brier - (0.01 + 0.16 + 0.4225 + 0.04) / 4) < 1e-15)
    }

    @Test("A perfect ranking has AUC 1 and KS 1; a constant score has AUC 0.5 and KS 0")
    func extremes() {
        let perfect = BinaryMetrics(probabilities: [0.1, 0.2, 0.8, 0.9], labels: [0, 0, 1, 1])
        #expect(perfect.auc == 1 && perfect.ks == 1)
        let constant = BinaryMetrics(probabilities: [0.5, 0.5, 0.5, 0.5], labels: [0, 1, 0, 1])
        #expect(constant.auc == 0.5 && constant.ks == 0)
    }
}
