import FinRecBase
import FinRecRecords
import FinRecLinear
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a numeric feature is cut into bins (the spec's `"binning"` object).
///
/// `optimal`: quantile pre-bins of the training values, then the partition into at most
/// ``maxBins`` consecutive groups that maximises the information value summed over the products,
/// subject to each bin holding at least ``minBinShare`` of the rows and each product's success
/// rate moving in one direction across the bins (its trend). Found exactly by dynamic
/// programming over the pre-bins, not by a heuristic merge. `manual`: the given cut points.
/// Missing values and each ``special`` value get a bin of their own.
package struct BinningSpec: Sendable, Equatable {
    package enum Monotone: String, Sendable, Equatable {
        /// Each product's trend is the direction with the larger information value (unless the
        /// feature's expert `direction` fixes it).
        case auto
        case increasing = "+"
        case decreasing = "-"
        /// No trend constraint (bins and their points may go up and down).
        case none
    }

    package var monotone = Monotone.auto
    package var maxBins = 8
    package var minBinShare = 0.05
    package var prebins = 20
    /// Values with a meaning of their own (e.g. 0 patents, -1 "not applicable"), each its own bin.
    package var special: [Double] = []
    /// Manual cut points, ascending: a value v is in bin k when exactly k cuts are ≤ v.
    package var cuts: [Double]?

    package init() {}

    static let keys: Set<String> = ["method", "monotone", "max_bins", "min_bin_share", "prebins", "special", "cuts"]

    static func decode(_ b: JSONField) throws(JSONFieldError) -> BinningSpec {
        try b.rejectUnknownKeys(keys, hint: "unknown binning setting; use one of \(keys.sorted().joined(separator: ", "))")
        var spec = BinningSpec()
        let methodField = try b.optional("method")
        let method = try methodField?.string() ?? "optimal"
        if let c = try b.optional("cuts") {
            let cuts = try c.items().map { (x) throws(JSONFieldError) in try x.finiteNumber() }
            guard !cuts.isEmpty, zip(cuts, cuts.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw c.error("give the cut points as a non-empty array of strictly increasing numbers")
            }
            spec.cuts = cuts
        }
        switch method {
        case "optimal":
            if spec.cuts != nil { throw (methodField ?? b).error("\"optimal\" fits the cuts; with manual cuts write \"method\": \"manual\"") }
        case "manual":
            if spec.cuts == nil { throw (methodField ?? b).error("\"manual\" needs \"cuts\": [c1, c2, …]") }
        default:
            throw (methodField ?? b).error("a binning method is \"optimal\" or \"manual\", not \"\(method)\"")
        }
        if let m = try b.optional("monotone") {
            guard let value = Monotone(rawValue: try m.string()) else { throw m.error("monotone is \"auto\", \"+\", \"-\" or \"none\"") }
            spec.monotone = value
        }
        if let m = try b.optional("max_bins") { spec.maxBins = try m.wholeNumber(in: 2...50) }
        if let m = try b.optional("prebins") { spec.prebins = try m.wholeNumber(in: 2...100) }
        if let m = try b.optional("min_bin_share") {
            let share = try m.finiteNumber()
            guard share >= 0, share < 0.5 else { throw m.error("min_bin_share is a share of the rows in [0, 0.5), not \(share)") }
            spec.minBinShare = share
        }
        if let s = try b.optional("special") {
            spec.special = try s.items().map { (x) throws(JSONFieldError) in try x.finiteNumber() }
            guard Set(spec.special).count == spec.special.count else { throw s.error("a special value appears twice") }
        }
        return spec
    }
}

/// A numeric feature's bins: ``cuts`` split the ordinary values into `cuts.count + 1` bins,
/// ``special`` values and missing values have one bin each. Slots (for counts and points) are
/// numbered: the ordinary bins, then the special values in order, then missing.
package struct FittedBins: Sendable, Equatable {
    package let cuts: [Double]
    package let special: [Double]
    /// Per product (model order), the trend its points follow across the ordinary bins.
    package var trends: [WeightSign]
    /// Per slot and product, the training rows, successes and failures (rows counts every row,
    /// labelled or not); empty when the bins were read from a model without them.
    package var counts: BinCounts?

    /// The cuts four to a vector, padded with +∞ (never ≤ a value), for ``slot(_:)``.
    private let cutVectors: [SIMD4<Double>]

    package init(cuts: [Double], special: [Double], trends: [WeightSign] = [], counts: BinCounts? = nil) {
        self.cuts = cuts
        cutVectors = Swift.stride(from: 0, to: cuts.count, by: 4).map { t in
            SIMD4<Double>((0..<4).map { t + $0 < cuts.count ? cuts[t + $0] : .infinity })
        }
        self.special = special
        self.trends = trends
        self.counts = counts
    }

    package var ordinaryBins: Int { cuts.count + 1 }
    package var slotCount: Int { cuts.count + 1 + special.count + 1 }
    package var missingSlot: Int { slotCount - 1 }

    /// The slot of a value (nil: missing).
    @inline(__always)
    package func slot(_ value: Double?) -> Int {
        guard let value else { return missingSlot }
        if !special.isEmpty, let s = special.firstIndex(of: value) { return ordinaryBins + s }
        // The number of cuts ≤ value, counted four at a time without branches: a binary search's
        // every step is a branch the CPU cannot predict (twice as slow when binning a column).
        var below = SIMD4<Int64>()
        let x = SIMD4<Double>(repeating: value)
        for c in cutVectors { below.replace(with: below &+ 1, where: c .<= x) }
        return Int(below.wrappedSum())
    }

    /// A slot's label: `[100, 500)`, `< 100`, `≥ 500`, `= 0`, `missing`.
    package func label(slot k: Int, digits: Int = 4) -> String {
        func format(_ x: Double) -> String { Fixed.format(x, digits: digits) }
        if k == missingSlot { return "missing" }
        if k >= ordinaryBins { return "= " + format(special[k - ordinaryBins]) }
        if cuts.isEmpty { return "all" }
        if k == 0 { return "< " + format(cuts[0]) }
        if k == cuts.count { return "≥ " + format(cuts[k - 1]) }
        return "[\(format(cuts[k - 1])), \(format(cuts[k])))"
    }
}

/// Rows, successes and failures per bin slot (and product).
package struct BinCounts: Sendable, Equatable {
    /// Per slot: every row (weighted).
    package var rows: [Double]
    /// [product][slot].
    package var events: [[Double]]
    package var nonEvents: [[Double]]

    package init(slots: Int, products: Int) {
        rows = Array(repeating: 0, count: slots)
        events = Array(repeating: rows, count: products)
        nonEvents = events
    }

    package init(rows: [Double], events: [[Double]], nonEvents: [[Double]]) {
        self.rows = rows
        self.events = events
        self.nonEvents = nonEvents
    }

    /// The counts of consecutive groups of slots: `groups[g]` lists the slots summed into slot g.
    package func grouped(_ groups: [Range<Int>]) -> BinCounts {
        BinCounts(rows: groups.map { rows[$0].reduce(0, +) },
                  events: events.map { e in groups.map { e[$0].reduce(0, +) } },
                  nonEvents: nonEvents.map { e in groups.map { e[$0].reduce(0, +) } })
    }
}

/// Weight of evidence and information value, with successes as the event: WOE of a bin is
/// ln((successes in bin / all successes) / (failures in bin / all failures)) — positive where
/// the offer succeeds more often than on average, so WOE, points and the success rate rise
/// together. (Credit-risk tools whose event is a default, such as optbinning, use the opposite
/// sign.) A bin without successes or without failures counts 0.5 of them, so its WOE is finite.
package enum WeightOfEvidence {
    package static func woe(events: Double, nonEvents: Double, totalEvents: Double, totalNonEvents: Double) -> Double {
        guard totalEvents > 0, totalNonEvents > 0, events + nonEvents > 0 else { return 0 }
        return log((max(events, 0.5) / totalEvents) / (max(nonEvents, 0.5) / totalNonEvents))
    }

    /// One bin's share of the information value.
    package static func ivTerm(events: Double, nonEvents: Double, totalEvents: Double, totalNonEvents: Double) -> Double {
        guard totalEvents > 0, totalNonEvents > 0, events + nonEvents > 0 else { return 0 }
        return (events / totalEvents - nonEvents / totalNonEvents)
            * woe(events: events, nonEvents: nonEvents, totalEvents: totalEvents, totalNonEvents: totalNonEvents)
    }

    /// Information value over all slots of one product.
    package static func informationValue(events: [Double], nonEvents: [Double]) -> Double {
        let e = events.reduce(0, +), n = nonEvents.reduce(0, +)
        return zip(events, nonEvents).reduce(0) { $0 + ivTerm(events: $1.0, nonEvents: $1.1, totalEvents: e, totalNonEvents: n) }
    }
}

/// The optimal monotone merge of pre-bins (see ``BinningSpec``).
package enum OptimalBinning {
    /// Quantile cut points of `sorted` values: up to `count` − 1 distinct cuts, none at the
    /// smallest value (which would leave the first bin empty).
    package static func quantileCuts(sorted: [Double], count: Int) -> [Double] {
        guard let first = sorted.first, count >= 2 else { return [] }
        var cuts: [Double] = []
        for i in 1..<count {
            let v = sorted[min(sorted.count - 1, i * sorted.count / count)]
            if v > first, v > (cuts.last ?? -.infinity) { cuts.append(v) }
        }
        return cuts
    }

    /// The bins from pre-bin counts (``FittedBins/slotCount`` slots of `prebins`): each
    /// product's trend is `fixedTrends[p]` when given, else the spec's `monotone` (`auto`: the
    /// direction with the larger information value); optimal cuts are merged from the pre-bins
    /// (manual ones kept); special values and missing keep their own slots.
    package static func fit(prebins: FittedBins, counts: BinCounts, spec: BinningSpec, fixedTrends: [WeightSign?]) -> FittedBins {
        let ordinary = prebins.ordinaryBins
        let rows = Array(counts.rows[0..<ordinary])
        let events = counts.events.map { Array($0[0..<ordinary]) }, nonEvents = counts.nonEvents.map { Array($0[0..<ordinary]) }
        let minRows = spec.minBinShare * counts.rows.reduce(0, +)
        let trends: [WeightSign] = fixedTrends.indices.map { p in
            if let fixed = fixedTrends[p] { return fixed }
            switch spec.monotone {
            case .increasing: return .nonNegative
            case .decreasing: return .nonPositive
            case .none: return .free
            case .auto: return bestTrend(rows: rows, events: events[p], nonEvents: nonEvents[p], maxBins: spec.maxBins, minRows: minRows)
            }
        }
        var groups: [Range<Int>]
        var cuts = prebins.cuts
        if spec.cuts == nil {
            let starts = merge(rows: rows, events: events, nonEvents: nonEvents, trends: trends, maxBins: spec.maxBins, minRows: minRows).starts
            let bounds = [0] + starts + [ordinary]
            groups = zip(bounds, bounds.dropFirst()).map { $0..<$1 }
            cuts = starts.map { prebins.cuts[$0 - 1] }
        } else {
            groups = (0..<ordinary).map { $0..<($0 + 1) }
        }
        groups += (ordinary..<counts.rows.count).map { $0..<($0 + 1) }  // special values and missing stay apart
        return FittedBins(cuts: cuts, special: prebins.special, trends: trends, counts: counts.grouped(groups))
    }

    /// Bins one in-memory column (`values[i * stride]`, NaN = missing) against one product's
    /// 0/1 labels (NaN = no label), each row counting `weights[i]` (1 without weights): pre-bins
    /// from the sample's quantiles (unweighted), weighted counts, then
    /// ``fit(prebins:counts:spec:fixedTrends:)`` — so the bin shares, success rates, WOE and IV
    /// are weighted (a weight of 2 counts a row twice).
    package static func fit(column values: UnsafeBufferPointer<Double>, stride: Int = 1, labels: [Double], weights: [Double]? = nil,
                           spec: BinningSpec) -> FittedBins {
        let n = labels.count
        precondition(weights.map { $0.count == n } ?? true, "one weight per row")
        // Pre-bins from a sample (exact below 100,000 values), as ``FittedFeatures/fit`` places them.
        var sample = Reservoir(draw: .multiplyHigh)
        var rng = SplitMix64(seed: 0x5EED)
        for i in 0..<n {
            let v = values[i * stride]
            guard !v.isNaN, !spec.special.contains(v) else { continue }
            sample.add(v, using: &rng)
        }
        let prebins = FittedBins(cuts: spec.cuts ?? quantileCuts(sorted: sample.values.sorted(), count: spec.prebins), special: spec.special)
        // One pass into one buffer of rows, successes and failures per slot (raw pointers: no
        // copy-on-write or bounds checks in the loop).
        let slots = prebins.slotCount
        var tally = [Double](repeating: 0, count: 3 * slots)
        tally.withUnsafeMutableBufferPointer { tally in
            labels.withUnsafeBufferPointer { labels in
                for i in 0..<n {
                    let w = weights?[i] ?? 1
                    let v = values[i * stride]
                    let k = prebins.slot(v.isNaN ? nil : v)
                    tally[k] += w
                    let y = labels[i]
                    if y == 1 { tally[slots + k] += w } else if y == 0 { tally[2 * slots + k] += w }
                }
            }
        }
        let rows = Array(tally[0..<slots]), events = Array(tally[slots..<(2 * slots)]), nonEvents = Array(tally[(2 * slots)...])
        let counts = BinCounts(rows: rows, events: [events], nonEvents: [nonEvents])
        return fit(prebins: prebins, counts: counts, spec: spec, fixedTrends: [nil])
    }

    /// The trend with the larger information value for one product: the optimum under "+" and
    /// under "-"; free when the product has only one outcome.
    package static func bestTrend(rows: [Double], events: [Double], nonEvents: [Double], maxBins: Int, minRows: Double) -> WeightSign {
        guard events.reduce(0, +) > 0, nonEvents.reduce(0, +) > 0 else { return .free }
        let up = merge(rows: rows, events: [events], nonEvents: [nonEvents], trends: [.nonNegative], maxBins: maxBins, minRows: minRows)
        let down = merge(rows: rows, events: [events], nonEvents: [nonEvents], trends: [.nonPositive], maxBins: maxBins, minRows: minRows)
        return down.value > up.value + 1e-12 ? .nonPositive : .nonNegative
    }

    /// The partition of `m` ordered pre-bins into at most `maxBins` groups of consecutive
    /// pre-bins maximising the summed information value, with every group holding at least
    /// `minRows` rows and, for each product whose trend is not free, success rates that never
    /// fall ("+") or never rise ("-") from one group to the next (groups without labels for a
    /// product do not constrain it). Exact: dynamic programming over (groups, last group),
    /// O(maxBins · m³ · products). Returns the index of the first pre-bin of each group after
    /// the first, and the objective. With no feasible split, one group.
    package static func merge(rows: [Double], events: [[Double]], nonEvents: [[Double]], trends: [WeightSign],
                             maxBins: Int, minRows: Double) -> (starts: [Int], value: Double) {
        let m = rows.count, products = events.count
        guard m > 1, maxBins > 1 else { return ([], 0) }
        func prefix(_ x: [Double]) -> [Double] { x.reduce(into: [0]) { $0.append($0.last! + $1) } }
        let rowSums = prefix(rows)
        let eventSums = events.map(prefix), nonEventSums = nonEvents.map(prefix)
        let totalEvents = eventSums.map { $0[m] }, totalNonEvents = nonEventSums.map { $0[m] }
        // Per interval [i, j]: feasibility, value and each product's success rate (NaN: no labels).
        var value = [Double](repeating: -.infinity, count: m * m)
        var rate = [Double](repeating: .nan, count: m * m * products)
        for i in 0..<m {
            for j in i..<m where rowSums[j + 1] - rowSums[i] >= minRows {
                var v = 0.0
                for p in 0..<products {
                    let e = eventSums[p][j + 1] - eventSums[p][i], n = nonEventSums[p][j + 1] - nonEventSums[p][i]
                    v += WeightOfEvidence.ivTerm(events: e, nonEvents: n, totalEvents: totalEvents[p], totalNonEvents: totalNonEvents[p])
                    if e + n > 0 { rate[(i * m + j) * products + p] = e / (e + n) }
                }
                value[i * m + j] = v
            }
        }
        let constrained = (0..<products).filter { trends[$0] != .free }
        func ordered(_ a: Int, _ b: Int) -> Bool {
            for p in constrained {
                let x = rate[a * products + p], y = rate[b * products + p]
                if x.isNaN || y.isNaN { continue }
                if trends[p] == .nonNegative ? x > y : x < y { return false }
            }
            return true
        }
        // best[k][i·m + j]: the best value of k groups covering pre-bins 0…j, the last being [i, j].
        let groups = min(maxBins, m)
        var best = [[Double]](repeating: [Double](repeating: -.infinity, count: m * m), count: groups + 1)
        var previous = [[Int]](repeating: [Int](repeating: -1, count: m * m), count: groups + 1)
        for j in 0..<m where value[j] > -.infinity { best[1][j] = value[j] }
        if groups >= 2 {
            for k in 2...groups {
                for j in 0..<m {
                    for i in 1...max(1, j) where i <= j && value[i * m + j] > -.infinity {
                        var top = -Double.infinity, arg = -1
                        for h in 0..<i where best[k - 1][h * m + (i - 1)] > top && ordered(h * m + (i - 1), i * m + j) {
                            top = best[k - 1][h * m + (i - 1)]
                            arg = h
                        }
                        if arg >= 0 {
                            best[k][i * m + j] = top + value[i * m + j]
                            previous[k][i * m + j] = arg
                        }
                    }
                }
            }
        }
        // The best over the number of groups; fewer groups win ties.
        var top = (value: -Double.infinity, k: 0, i: 0)
        for k in 1...groups {
            for i in 0..<m where best[k][i * m + m - 1] > (top.k == 0 ? -.infinity : top.value + 1e-12 * max(1, abs(top.value))) {
                top = (best[k][i * m + m - 1], k, i)
            }
        }
        guard top.k > 1 else { return ([], max(top.value, 0)) }
        var starts: [Int] = [], k = top.k, i = top.i, j = m - 1
        while k > 1 {
            starts.append(i)
            let h = previous[k][i * m + j]
            j = i - 1
            i = h
            k -= 1
        }
        return (starts.reversed(), top.value)
    }
}
