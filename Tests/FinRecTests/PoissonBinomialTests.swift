import FinRec
import Testing

@Suite("Poisson-binomial distribution: exact successes among independent trials")
struct PoissonBinomialTests {
    /// P(X = k) by enumerating all 2ⁿ outcomes.
    static func bruteForce(_ p: [Double]) -> [Double] {
        var pmf = [Double](repeating: 0, count: p.count + 1)
        for outcome in 0..<(1 << p.count) {
            var probability = 1.0, successes = 0
            for (i, pi) in p.enumerated() {
                if outcome & (1 << i) != 0 { probability *= pi; successes += 1 } else { probability *= 1 - pi }
            }
            pmf[successes] += probability
        }
        return pmf
    }

    @Test("The mass function, P(X ≥ k) and the quantiles equal a brute-force enumeration of every outcome", arguments: 0..<40)
    func bruteForceSmall(_ caseNumber: Int) {
        var rng = SplitMix64(seed: 41, index: UInt64(caseNumber))
        let n = 1 + caseNumber % 13
        // Some certain and impossible trials among the rest.
        let p = (0..<n).map { _ -> Double in
            let u = rng.uniform()
            return u < 0.1 ? 0 : u < 0.2 ? 1 : rng.uniform()
        }
        let exact = Self.bruteForce(p)
        let d = PoissonBinomial(p)
        #expect(d.trials == n)
        for k in 0...n {
            #expect(abs(d.probability(of: k) - exact[k]) < 1e-14, "P(X = \(k)) for \(p)")
            let atLeast = exact[k...].reduce(0, +)
            #expect(abs(d.probability(atLeast: k) - atLeast) < 1e-13, "P(X ≥ \(k))")
        }
        #expect(d.probability(atLeast: n + 1) == 0 && d.probability(atLeast: -3) > 1 - 1e-13)
        for q in [0.05, 0.5, 0.95] {
            // The smallest k whose cumulative mass reaches q.
            var cumulative = 0.0, expected = n
            for k in 0...n { cumulative += exact[k]; if cumulative >= q - 1e-15 { expected = k; break } }
            #expect(d.quantile(q) == expected, "quantile \(q) of \(p)")
        }
        #expect(abs(d.mean - p.reduce(0, +)) < 1e-12)
        #expect(d.interval(0.9) == d.quantile(0.05)...d.quantile(0.95))
    }

    @Test("On 200,000 trials the dropped ends weigh under 10⁻¹⁴ and the mass function's mean and variance are Σp and Σp(1 − p)")
    func largePool() {
        var rng = SplitMix64(seed: 7)
        let p = (0..<200_000).map { _ in rng.uniform() < 0.7 ? 0.0 : rng.uniform() * rng.uniform() * 0.2 }
        let d = PoissonBinomial(p)
        let total = d.pmf.reduce(0, +)
        #expect(abs(total - 1) < 1e-12)
        #expect(d.truncatedMass < 1e-14)
        let mean = d.pmf.enumerated().reduce(0.0) { $0 + Double(d.offset + $1.offset) * $1.element }
        let second = d.pmf.enumerated().reduce(0.0) { $0 + Double(d.offset + $1.offset) * Double(d.offset + $1.offset) * $1.element }
        let sumP = p.reduce(0, +), sumVar = p.reduce(0) { $0 + $1 * (1 - $1) }
        #expect(abs(mean - sumP) < 1e-9 * sumP)
        #expect(abs((second - mean * mean) - sumVar) < 1e-7 * sumVar)
        // The bulk only: far narrower than the 200,001 possible counts.
        #expect(d.pmf.count < 40 * Int(sumVar.squareRoot()))
        // The central interval holds the normal approximation's 90% to within a few counts.
        let sd = sumVar.squareRoot()
        #expect(abs(Double(d.quantile(0.95)) - (sumP + 1.645 * sd)) < 3)
        #expect(abs(Double(d.quantile(0.05)) - (sumP - 1.645 * sd)) < 3)
    }
}
