/// The number of successes among independent trials that each succeed with its own probability
/// (the Poisson-binomial distribution): how many of the firms a programme selects should list, and
/// how sure that is.
///
/// The probability mass function is built by the exact recursion P′(k) = P(k)(1 − p) + P(k − 1)p,
/// one trial at a time (O(n × width)). Masses below 10⁻²⁰ at either end of the support are dropped as
/// the recursion goes and their sum is kept in ``truncatedMass`` (at most 2 × 10⁻²⁰ a trial), so a
/// pool of a million firms costs n × (the width of the distribution's bulk), not n².
package struct PoissonBinomial: Sendable, Equatable {
    /// `pmf[i]` is P(X = `offset` + i).
    package let offset: Int
    package let pmf: [Double]
    /// The number of trials (probabilities given).
    package let trials: Int
    /// Σ p: the expected number of successes.
    package let mean: Double
    /// Σ p(1 − p).
    package let variance: Double
    /// The mass dropped at the ends of the support (below 10⁻²⁰ each when dropped).
    package let truncatedMass: Double

    /// Masses below this at an end of the support are dropped.
    static let negligible = 1e-20

    /// The distribution of successes among trials with these probabilities (each in [0, 1]).
    package init(_ probabilities: some Sequence<Double>) {
        var mass: [Double] = [1]
        mass.reserveCapacity(1_024)
        var offset = 0, trials = 0, mean = 0.0, variance = 0.0, truncated = 0.0
        for p in probabilities {
            precondition(p >= 0 && p <= 1, "a probability lies in [0, 1]")
            trials += 1
            mean += p
            variance += p * (1 - p)
            if p == 0 { continue }
            if p == 1 { offset += 1; continue }
            let q = 1 - p
            mass.append(0)
            mass.withUnsafeMutableBufferPointer { m in
                var k = m.count - 1
                while k > 0 {
                    m[k] = m[k] * q + m[k - 1] * p
                    k -= 1
                }
                m[0] *= q
            }
            // Drop negligible ends, keeping at least one entry.
            var low = 0
            while low < mass.count - 1 && mass[low] < Self.negligible { truncated += mass[low]; low += 1 }
            var high = mass.count - 1
            while high > low && mass[high] < Self.negligible { truncated += mass[high]; high -= 1 }
            if low > 0 || high < mass.count - 1 {
                mass = Array(mass[low...high])
                offset += low
            }
        }
        self.offset = offset
        self.pmf = mass
        self.trials = trials
        self.mean = mean
        self.variance = variance
        self.truncatedMass = truncated
    }

    /// P(X = k).
    package func probability(of k: Int) -> Double {
        let i = k - offset
        return i >= 0 && i < pmf.count ? pmf[i] : 0
    }

    /// P(X ≥ k).
    package func probability(atLeast k: Int) -> Double {
        let i = max(k - offset, 0)
        guard i < pmf.count else { return 0 }
        // Sum the shorter side for accuracy in the tails.
        if i > pmf.count / 2 { return min(1, pmf[i...].reduce(0, +)) }
        return max(0, 1 - pmf[..<i].reduce(0, +))
    }

    /// The smallest k with P(X ≤ k) ≥ q (q in (0, 1]).
    package func quantile(_ q: Double) -> Int {
        var cumulative = 0.0
        for (i, m) in pmf.enumerated() {
            cumulative += m
            if cumulative >= q - 1e-15 { return offset + i }
        }
        return offset + pmf.count - 1
    }

    /// The central interval holding at least `level` of the mass: the (1 − level)/2 and (1 + level)/2
    /// quantiles (e.g. 90%: from the 5% to the 95% quantile).
    package func interval(_ level: Double) -> ClosedRange<Int> {
        quantile((1 - level) / 2)...quantile((1 + level) / 2)
    }
}
