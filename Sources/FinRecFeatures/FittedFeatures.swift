import FinRecBase
package import FinRecRecords
package import FinRecLinear
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ``FeatureSpec`` with what `fit` learnt: each numeric feature's mean and standard deviation
/// (after log and clip) and training range, and each one-hot feature's vocabulary.
/// ``apply(_:parameters:)`` turns a chunk into the n × d row-major matrix of model inputs,
/// d = ``columnNames``.count.
///
/// Missing data and extrapolation (``Layout/conservative``, model files from version 3): every
/// numeric feature has a missing column and every one-hot feature a missing category, whose
/// weights ``conservativeWeights(_:)`` caps at the least favourable contribution seen in
/// training, and values are clipped to the training range (0.5th to 99.5th percentile) — so
/// deleting a field never helps the applicant and no single feature helps more than it did
/// anywhere in the training data. Which way helps is the model's ``EventPolarity``: a higher
/// probability of a favourable event (approval), a lower one of an adverse event (default).
///
/// ``Layout/oneSided`` (version 4) clips at the 0.5th–99.5th percentiles only on the side that
/// would help: each numeric feature also has two excess columns, (min(t, farHigh) − high)⁺ and
/// (low − max(t, farLow))⁺ (divided by the standard deviation when standardised), whose weights
/// ``conservativeWeights(_:)`` sets from the value's weight w — the value's own slope where
/// extending the line hurts the applicant, 0 where it would help — so a worse value keeps scoring
/// worse far into the training data's tails, and the model stays linear. The line stops at the
/// 0.05th and 99.95th percentiles (farLow, farHigh) because a missing value must score no better
/// than any present one: it is capped at the worst contribution over [farLow, farHigh], which is
/// finite only if the line stops somewhere (at the training extremes the caps grew so harsh that
/// hold-out AUC fell by up to 0.011 on the shipped pool).
package struct FittedFeatures: Sendable {
    /// What the model's event (label 1) means for the applicant.
    package enum EventPolarity: String, Sendable, Equatable, CaseIterable {
        /// Approval, success, a listing: a higher probability is better for the applicant.
        case favourable
        /// Default, a bad loan: a higher probability is worse for the applicant.
        case adverse

        /// The weight sign of a feature whose spec direction (the firm's view: "+" more of it is
        /// good for the firm) is `sign`.
        package func weightSign(_ sign: WeightSign) -> WeightSign {
            guard self == .adverse else { return sign }
            switch sign {
            case .free: return .free
            case .nonNegative: return .nonPositive
            case .nonPositive: return .nonNegative
            }
        }

        /// The less favourable of two logit contributions for the applicant.
        package func worse(_ a: Double, _ b: Double) -> Double { self == .favourable ? min(a, b) : max(a, b) }
        /// The more favourable of two logit contributions for the applicant.
        package func better(_ a: Double, _ b: Double) -> Double { self == .favourable ? max(a, b) : min(a, b) }
        /// What a change of the logit by `delta` is worth to the applicant (positive: it helps).
        package func gain(_ delta: Double) -> Double { self == .favourable ? delta : -delta }
    }

    package struct NumericStatistics: Sendable, Equatable {
        package let count: Int
        package let mean: Double
        /// Sample standard deviation; 1 when there were fewer than two values or no spread.
        package let standardDeviation: Double
        /// The training range values are clipped to (after log and the spec's clip), ±∞ in
        /// version-2 models.
        package let low: Double
        package let high: Double
        /// How far the one-sided layout extends the line beyond [low, high]: the 0.05th and
        /// 99.95th percentiles (after log and the spec's clip); low and high in earlier layouts.
        package let farLow: Double
        package let farHigh: Double

        package init(count: Int, mean: Double, standardDeviation: Double, low: Double = -.infinity, high: Double = .infinity,
                    farLow: Double? = nil, farHigh: Double? = nil) {
            self.count = count
            self.mean = mean
            self.standardDeviation = standardDeviation
            self.low = low
            self.high = high
            self.farLow = min(farLow ?? low, low)
            self.farHigh = max(farHigh ?? high, high)
        }
    }

    /// How columns are laid out and missing values encoded.
    package enum Layout: Sendable, Equatable {
        /// Model format 2: missing columns only where the spec asks, a missing category counts as
        /// "other", no range clipping.
        case declared
        /// Model format 3: a missing column for every numeric feature, a missing category for
        /// every one-hot feature, values clipped to the training range.
        case conservative
        /// Model format 4: as ``conservative``, plus two excess columns per numeric feature that
        /// extend the line beyond the training range where that hurts the applicant; the
        /// catch-all categories are named `NAME:other` and `NAME:missing` (never a category's
        /// `NAME=value`).
        case oneSided

        /// Missing columns for every feature and values clipped to the training range.
        package var isConservative: Bool { self != .declared }
    }

    /// One output column.
    package struct OutputColumn: Sendable, Equatable {
        package enum Role: Sendable, Equatable {
            /// The numeric feature's (standardised) value.
            case value
            /// 1 when the feature is missing.
            case missing
            /// One-sided layout: how far the (standardised) value lies above the training range,
            /// and below it (both ≥ 0).
            case excessAbove
            case excessBelow
            /// One-hot: a category of the vocabulary, any other category, or a missing one.
            case category(String)
            case other
            case missingCategory
            /// Binned: 1 when the value lies in ordinary bin `k` or above (k ≥ 1), so the points of
            /// bin k are the sum of the weights of steps 1…k (a cumulative, "thermometer" code:
            /// a trend is a sign on each step's weight).
            case binStep(Int)
            /// Binned: 1 when the value is the feature's special value number `s`.
            case special(Int)
        }
        package let name: String
        package let chinese: String
        package let english: String
        /// Index of the spec feature it comes from.
        package let feature: Int
        package let role: Role
    }

    package let spec: FeatureSpec
    package let schema: RecordSchema
    /// Per spec feature: statistics for numeric features, nil for one-hot ones.
    package let statistics: [NumericStatistics?]
    /// Per spec feature: the vocabulary of one-hot features, nil for numeric ones.
    package let vocabularies: [[String]?]
    /// Per spec feature: the bins of binned features, nil for the others. Before the labels are
    /// seen (``fit``) these are the pre-bins; ``replacingBins(_:)`` puts in the fitted ones.
    package let bins: [FittedBins?]
    package let columns: [OutputColumn]
    package let layout: Layout
    /// Which way is good for the applicant (model files before version 4: favourable).
    package let polarity: EventPolarity
    package let compiled: [FeatureSpec.CompiledFeature]
    /// Per spec feature, its first output column.
    package let firstColumn: [Int]

    /// The share of training values below the clipping range, and above it.
    package static let rangeTail = 0.005
    /// One-sided layout: the share of training values beyond each end of the extended line.
    package static let extensionTail = 0.0005
    /// Values kept per feature to find the range: exact below this many rows, a uniform sample
    /// (reservoir, fixed seed, row order) above.
    static let rangeSample = Reservoir.defaultCapacity

    package var columnNames: [String] { columns.map(\.name) }

    /// Learns statistics and vocabularies from `chunks` (streamed: pass them one at a time).
    package static func fit(_ spec: FeatureSpec, schema: RecordSchema = EnterpriseSchema.schema,
                           chunks: some Sequence<RecordChunk>, parameters: [String: Double] = [:],
                           layout: Layout = .oneSided, polarity: EventPolarity = .favourable) throws(ExpressionError) -> FittedFeatures {
        let compiled = try spec.compile(schema: schema)
        var moments = [(n: Double, mean: Double, m2: Double)](repeating: (0, 0, 0), count: compiled.count)
        var samples = [Reservoir](repeating: Reservoir(capacity: rangeSample), count: compiled.count)
        var rng = SplitMix64(seed: 0x5EED)
        var counts = [[String: Int]](repeating: [:], count: compiled.count)
        for chunk in chunks {
            for (j, feature) in compiled.enumerated() {
                switch feature {
                case .numeric(let f, let expression), .binned(let f, let expression):
                    var (values, missing) = Self.transformed(f, expression, chunk, parameters)
                    // A binned feature's special values have their own bins: not in the statistics.
                    if let special = f.binning?.special, !special.isEmpty {
                        for r in values.indices where !missing[r] && special.contains(values[r]) { missing[r] = true }
                    }
                    // Welford's running mean and sum of squares, one row after the other across
                    // chunks: the same operations in the same order whatever the chunk size, so
                    // the statistics (and the model) do not depend on it.
                    var (n, mean, m2) = moments[j]
                    for r in 0..<chunk.rowCount where !missing[r] {
                        n += 1
                        let delta = values[r] - mean
                        mean += delta / n
                        m2 += delta * (values[r] - mean)
                        samples[j].add(values[r], using: &rng)
                    }
                    moments[j] = (n, mean, m2)
                case .categorical(_, let field):
                    for value in Self.categoryStrings(chunk, field) { if let value { counts[j][value, default: 0] += 1 } }
                }
            }
        }
        var statistics: [NumericStatistics?] = []
        var vocabularies: [[String]?] = []
        var bins: [FittedBins?] = []
        for (j, feature) in compiled.enumerated() {
            if case .binned(let f, _) = feature, let b = f.binning {
                // Manual cuts as given; otherwise quantile pre-bins, merged once labels are counted.
                bins.append(FittedBins(cuts: b.cuts ?? OptimalBinning.quantileCuts(sorted: samples[j].values.sorted(), count: b.prebins), special: b.special))
            } else {
                bins.append(nil)
            }
            switch feature {
            case .numeric, .binned:
                let m = moments[j]
                var sd = m.n >= 2 ? (m.m2 / (m.n - 1)).squareRoot() : 1
                if !(sd > 1e-12) { sd = 1 }
                let sorted = samples[j].values.sorted()
                let (low, high) = layout == .declared || sorted.isEmpty ? (-Double.infinity, Double.infinity)
                    : (sorted[Int((rangeTail * Double(sorted.count - 1)).rounded())], sorted[Int(((1 - rangeTail) * Double(sorted.count - 1)).rounded())])
                // The one-sided layout extends the line into the tails, from the same sample.
                let far: (low: Double, high: Double) = layout == .oneSided && !sorted.isEmpty
                    ? (sorted[Int((extensionTail * Double(sorted.count - 1)).rounded())], sorted[Int(((1 - extensionTail) * Double(sorted.count - 1)).rounded())])
                    : (low, high)
                statistics.append(NumericStatistics(count: Int(m.n), mean: m.n > 0 ? m.mean : 0, standardDeviation: sd, low: low, high: high,
                                                    farLow: far.low, farHigh: far.high))
                vocabularies.append(nil)
            case .categorical(let f, _):
                var vocabulary = f.oneHot ?? []
                if vocabulary.isEmpty {
                    vocabulary = counts[j].sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                        .prefix(f.maxCategories).map(\.key)
                }
                statistics.append(nil)
                vocabularies.append(vocabulary)
            }
        }
        return try FittedFeatures(spec: spec, schema: schema, statistics: statistics, vocabularies: vocabularies, bins: bins, layout: layout,
                                  polarity: polarity)
    }

    /// The same features with these bins (nil entries keep the current ones); the columns of
    /// binned features change with their number of bins.
    package func replacingBins(_ replacement: [FittedBins?]) -> FittedFeatures {
        precondition(replacement.count == bins.count, "one entry per feature")
        // The spec compiled before, so it compiles again.
        return try! FittedFeatures(spec: spec, schema: schema, statistics: statistics, vocabularies: vocabularies,
                                   bins: zip(bins, replacement).map { $1 ?? $0 }, layout: layout, polarity: polarity)
    }

    /// Each row's bin slot for binned feature `j` (see ``FittedBins``).
    package func slots(_ chunk: RecordChunk, feature j: Int, parameters: [String: Double] = [:]) -> [Int] {
        guard case .binned(let f, let expression) = compiled[j], let b = bins[j] else { preconditionFailure("feature \(j) is not binned") }
        let (values, missing) = Self.transformed(f, expression, chunk, parameters)
        return values.indices.map { missing[$0] ? b.missingSlot : b.slot(values[$0]) }
    }

    /// Features with statistics and vocabularies already known (read from a model file).
    /// - Precondition: one entry per spec feature, statistics for numeric and vocabularies for
    ///   one-hot features.
    package init(spec: FeatureSpec, schema: RecordSchema = EnterpriseSchema.schema,
                statistics: [NumericStatistics?], vocabularies: [[String]?], bins: [FittedBins?]? = nil,
                layout: Layout = .oneSided, polarity: EventPolarity = .favourable) throws(ExpressionError) {
        let compiled = try spec.compile(schema: schema)
        let bins = bins ?? Array(repeating: nil, count: compiled.count)
        precondition(statistics.count == compiled.count && vocabularies.count == compiled.count && bins.count == compiled.count, "one entry per feature")
        var columns: [OutputColumn] = []
        var firstColumn: [Int] = []
        for (j, feature) in compiled.enumerated() {
            firstColumn.append(columns.count)
            switch feature {
            case .numeric(let f, _):
                precondition(statistics[j] != nil, "numeric feature \(f.name) needs statistics")
                columns.append(OutputColumn(name: f.name, chinese: f.chinese, english: f.english, feature: j, role: .value))
                if f.missingIndicator || layout.isConservative {
                    columns.append(OutputColumn(name: f.name + "_missing", chinese: f.chinese + "缺失", english: f.english + " missing", feature: j, role: .missing))
                }
                if layout == .oneSided {
                    columns.append(OutputColumn(name: f.name + ":above_range", chinese: f.chinese + "超出训练上限", english: f.english + " above the training range",
                                                feature: j, role: .excessAbove))
                    columns.append(OutputColumn(name: f.name + ":below_range", chinese: f.chinese + "低于训练下限", english: f.english + " below the training range",
                                                feature: j, role: .excessBelow))
                }
            case .binned(let f, _):
                guard let b = bins[j] else { preconditionFailure("binned feature \(f.name) needs bins") }
                for (k, cut) in b.cuts.enumerated() {
                    let c = Fixed.format(cut, digits: 4)
                    columns.append(OutputColumn(name: "\(f.name)>=\(c)", chinese: "\(f.chinese)≥\(c)", english: "\(f.english) ≥ \(c)", feature: j, role: .binStep(k + 1)))
                }
                for (s, value) in b.special.enumerated() {
                    let v = Fixed.format(value, digits: 4)
                    columns.append(OutputColumn(name: "\(f.name)==\(v)", chinese: "\(f.chinese)=\(v)", english: "\(f.english) = \(v)", feature: j, role: .special(s)))
                }
                columns.append(OutputColumn(name: f.name + "_missing", chinese: f.chinese + "缺失", english: f.english + " missing", feature: j, role: .missing))
            case .categorical(let f, let field):
                let vocabulary = vocabularies[j] ?? []
                for v in vocabulary {
                    columns.append(OutputColumn(name: "\(f.name)=\(v)", chinese: "\(f.chinese)=\(Self.chineseName(of: v, field: field, schema: schema))",
                                                english: "\(f.english)=\(v)", feature: j, role: .category(v)))
                }
                // Version 4 names the catch-alls with ":" (a category's column is always "NAME=value",
                // so a category literally called "other" or "missing" cannot collide with them).
                let separator = layout == .oneSided ? ":" : "="
                columns.append(OutputColumn(name: "\(f.name)\(separator)other", chinese: "\(f.chinese)=其他", english: "\(f.english)=other", feature: j, role: .other))
                if layout.isConservative {
                    columns.append(OutputColumn(name: "\(f.name)\(separator)missing", chinese: "\(f.chinese)缺失", english: "\(f.english) missing", feature: j,
                                                role: .missingCategory))
                }
            }
        }
        self.spec = spec
        self.schema = schema
        self.statistics = statistics
        self.vocabularies = vocabularies
        self.bins = bins
        self.columns = columns
        self.layout = layout
        self.polarity = polarity
        self.compiled = compiled
        self.firstColumn = firstColumn
    }

    /// The n × d feature matrix of `chunk`. With `extrapolating` false the excess columns of the
    /// one-sided layout stay 0 (training: the model is fitted on clipped values, and
    /// ``conservativeWeights(_:)`` then sets the excess columns' weights from the fitted ones).
    package func apply(_ chunk: RecordChunk, parameters: [String: Double] = [:], extrapolating: Bool = true) -> Matrix<Double> {
        let n = chunk.rowCount, d = columns.count
        var out = Matrix<Double>(rows: n, columns: d)
        // Each feature's values over the whole chunk first (one loop per expression node), then
        // the matrix in blocks of rows small enough to stay in the L2 cache while every feature
        // writes its columns into them (a whole chunk's rows are megabytes: one pass per feature
        // over all of them would stream the matrix from memory dozens of times).
        enum Source {
            case numeric(values: [Double], missing: [Bool], NumericStatistics, standardise: Bool, missingColumn: Bool, excess: Bool)
            case binned(values: [Double], missing: [Bool], FittedBins)
            case categorical(slots: [Int], other: Int, conservative: Bool)
        }
        let sources: [Source] = compiled.enumerated().map { j, feature in
            switch feature {
            case .numeric(let f, let expression):
                let (values, missing) = Self.transformed(f, expression, chunk, parameters)
                return .numeric(values: values, missing: missing, statistics[j]!, standardise: f.standardise,
                                missingColumn: f.missingIndicator || layout.isConservative, excess: layout == .oneSided)
            case .binned(let f, let expression):
                let (values, missing) = Self.transformed(f, expression, chunk, parameters)
                return .binned(values: values, missing: missing, bins[j]!)
            case .categorical:
                return .categorical(slots: categorySlots(chunk, feature: j), other: vocabularies[j]!.count, conservative: layout.isConservative)
            }
        }
        let blockRows = max(16, 32_768 / max(d, 1))
        out.withUnsafeMutableBufferPointer { x in
            for blockStart in stride(from: 0, to: n, by: blockRows) {
                let block = blockStart..<min(n, blockStart + blockRows)
                var column = 0
                for source in sources {
                    switch source {
                    case .numeric(let values, let missing, let stats, let standardise, let missingColumn, let excess):
                        let imputed = Self.imputed(stats, standardise)
                        for r in block {
                            x[r * d + column] = missing[r] ? imputed : Self.input(values[r], stats, standardise)
                            if missingColumn { x[r * d + column + 1] = missing[r] ? 1 : 0 }
                        }
                        column += missingColumn ? 2 : 1
                        if excess {
                            if extrapolating {
                                for r in block where !missing[r] {
                                    (x[r * d + column], x[r * d + column + 1]) = Self.excess(values[r], stats, standardise)
                                }
                            }
                            column += 2
                        }
                    case .binned(let values, let missing, let b):
                        let steps = b.cuts.count
                        for r in block {
                            let slot = missing[r] ? b.missingSlot : b.slot(values[r])
                            let base = r * d + column
                            if slot < b.ordinaryBins {
                                for k in 0..<slot { x[base + k] = 1 }
                            } else {
                                x[base + steps + (slot - b.ordinaryBins)] = 1  // special values, then missing
                            }
                        }
                        column += b.slotCount - 1
                    case .categorical(let slots, let other, let conservative):
                        // Columns: the vocabulary, "other", then (conservative) "missing"; without a
                        // missing column a missing value counts as "other".
                        for r in block { x[r * d + column + (conservative ? slots[r] : min(slots[r], other))] = 1 }
                        column += other + (conservative ? 2 : 1)
                    }
                }
            }
        }
        return out
    }

    /// The model input of a present value: clipped to the training range, then standardised.
    func input(_ f: FeatureSpec.Feature, _ stats: NumericStatistics, _ value: Double) -> Double {
        Self.input(value, stats, f.standardise)
    }

    @inline(__always)
    static func input(_ value: Double, _ stats: NumericStatistics, _ standardise: Bool) -> Double {
        let v = min(max(value, stats.low), stats.high)
        return standardise ? (v - stats.mean) / stats.standardDeviation : v
    }

    /// How far a present value lies above and below the training range, up to the ends of the
    /// extended line, in the units of the value column (divided by the standard deviation when
    /// standardised).
    @inline(__always)
    static func excess(_ value: Double, _ stats: NumericStatistics, _ standardise: Bool) -> (above: Double, below: Double) {
        let scale = standardise ? stats.standardDeviation : 1
        return (value > stats.high ? (min(value, stats.farHigh) - stats.high) / scale : 0,
                value < stats.low ? (stats.low - max(value, stats.farLow)) / scale : 0)
    }

    /// The model input of a missing value (its missing column says it is missing).
    func imputed(_ f: FeatureSpec.Feature, _ stats: NumericStatistics) -> Double { Self.imputed(stats, f.standardise) }

    static func imputed(_ stats: NumericStatistics, _ standardise: Bool) -> Double { standardise ? 0 : stats.mean }

    /// One product's weights (over ``columns``) as the model scores them: each missing column's
    /// weight moved until a missing value helps the applicant no more than the least favourable
    /// present value seen in training (``contributionRange(feature:weights:)``): for a numeric
    /// feature its range's worst end, for a binned one its worst bin, for a one-hot feature its
    /// least favourable category — lowered for a favourable event, raised for an adverse one.
    /// In the one-sided layout each numeric feature's excess columns get their weights from the
    /// value's weight w (whatever the trainer left in them): above the range the line continues
    /// (weight w) only where it hurts the applicant, below it (the column counts (low − t)⁺, so
    /// the line's weight is −w) likewise; elsewhere 0, i.e. clipped. Favourable event: above
    /// min(w, 0), below min(−w, 0); adverse: above max(w, 0), below max(−w, 0).
    ///
    /// Returns the weights and how many caps moved a weight by more than rounding (1e-9 of the
    /// largest weight): a count that does not depend on the CPU's kernel.
    package func conservativeWeights(_ weights: [Double]) -> (weights: [Double], capped: Int) {
        precondition(weights.count == columns.count, "one weight per column")
        var w = weights, capped = 0
        let rounding = 1e-9 * max(1, weights.map(abs).max() ?? 0)
        for (c, column) in columns.enumerated() {
            let value = w[firstColumn[column.feature]]
            switch (column.role, polarity) {
            case (.excessAbove, .favourable): w[c] = min(value, 0)
            case (.excessBelow, .favourable): w[c] = min(-value, 0)
            case (.excessAbove, .adverse): w[c] = max(value, 0)
            case (.excessBelow, .adverse): w[c] = max(-value, 0)
            default: break
            }
        }
        for j in compiled.indices {
            guard let column = missingColumn(feature: j) else { continue }
            let range = contributionRange(feature: j, weights: w)
            // How much more a missing value helps than the worst present one.
            let excess = polarity.gain(range.missing - range.worst)
            if excess > 0 {
                if excess > rounding { capped += 1 }
                w[column] -= polarity.gain(excess)
            }
        }
        return (w, capped)
    }

    /// The column that says spec feature `j` is missing, nil when it has none (version-2 layout:
    /// a numeric feature without a missing indicator; a one-hot feature, whose missing values
    /// count as "other").
    package func missingColumn(feature j: Int) -> Int? {
        let first = firstColumn[j]
        switch compiled[j] {
        case .numeric: return columns.indices.contains(first + 1) && columns[first + 1].role == .missing ? first + 1 : nil
        case .binned: return first + bins[j]!.slotCount - 2
        case .categorical: return layout.isConservative ? first + vocabularies[j]!.count + 1 : nil
        }
    }

    /// The contributions to a logit with `weights` (over ``columns``) of the present value of
    /// spec feature `j` in the training range least and most favourable to the applicant (for an
    /// adverse event the largest contribution is the worst), and the contribution of a missing value.
    package func contributionRange(feature j: Int, weights: [Double]) -> (worst: Double, best: Double, missing: Double) {
        let first = firstColumn[j]
        let present: [Double], missing: Double
        switch compiled[j] {
        case .numeric(let f, _):
            let stats = statistics[j]!
            missing = weights[first] * imputed(f, stats) + (missingColumn(feature: j).map { weights[$0] } ?? 0)
            // Piecewise linear in the value, with kinks at the range's ends: its extremes are at
            // the ends and the extended line's ends (the same points in layouts without excess).
            present = [stats.farLow, stats.low, stats.high, stats.farHigh].filter(\.isFinite).map { contribution(feature: j, value: $0, weights: weights) }
            if present.isEmpty { return (missing, missing, missing) }
        case .binned:
            present = Array(slotContributions(feature: j, weights: weights).dropLast())
            missing = weights[missingColumn(feature: j)!]
        case .categorical:
            let count = vocabularies[j]!.count
            present = Array(weights[first...(first + count)])
            // Without a missing category a missing value counts as "other", the last present column.
            missing = weights[missingColumn(feature: j) ?? first + count]
        }
        return (present.reduce(present[0], polarity.worse), present.reduce(present[0], polarity.better), missing)
    }

    /// A numeric feature's contribution to a logit at a present value `value` (after log and the
    /// spec's clip): its value column and, in the one-sided layout, its excess columns.
    func contribution(feature j: Int, value: Double, weights: [Double]) -> Double {
        guard case .numeric(let f, _) = compiled[j] else { preconditionFailure("feature \(j) is not numeric") }
        let stats = statistics[j]!, first = firstColumn[j]
        var total = weights[first] * input(f, stats, value)
        if layout == .oneSided {
            let (above, below) = Self.excess(value, stats, f.standardise)
            let excessColumn = first + (missingColumn(feature: j) == nil ? 1 : 2)
            total += weights[excessColumn] * above + weights[excessColumn + 1] * below
        }
        return total
    }

    /// A binned feature's contribution to a logit in each of its slots (ordinary bins, special
    /// values, missing): the scorecard's points of the feature, before the score's factor.
    package func slotContributions(feature j: Int, weights: [Double]) -> [Double] {
        let b = bins[j]!, first = firstColumn[j], steps = b.cuts.count
        var out = [0.0]
        for k in 0..<steps { out.append(out[k] + weights[first + k]) }
        for s in 0..<(b.special.count + 1) { out.append(weights[first + steps + s]) }
        return out
    }

    /// A value of a numeric feature beyond its training range, which is scored as the range's end.
    package struct RangeNote: Sendable, Equatable {
        /// Spec feature index.
        package let feature: Int
        /// The value before transforms, and the range's end in the same units.
        package let value: Double
        package let bound: Double
        package let above: Bool
    }

    /// The numeric features of `row` whose values lie beyond the training range.
    package func rangeNotes(_ chunk: RecordChunk, row: Int, parameters: [String: Double] = [:]) -> [RangeNote] {
        let one = chunk.row(row)
        var notes: [RangeNote] = []
        for (j, feature) in compiled.enumerated() {
            guard case .numeric(let f, let expression) = feature, let stats = statistics[j], stats.low.isFinite else { continue }
            let (values, missing) = Self.transformed(f, expression, one, parameters)
            guard !missing[0], values[0] < stats.low || values[0] > stats.high,
                  case .numbers(let raw, _) = expression.evaluate(one, parameters: parameters) else { continue }
            let above = values[0] > stats.high
            // The range's end in the units of the raw value: undo the log transforms.
            var bound = above ? stats.high : stats.low
            if f.log { bound = expm1(bound) } else if f.signedLog { bound = bound < 0 ? -expm1(-bound) : expm1(bound) }
            notes.append(RangeNote(feature: j, value: raw[0], bound: bound, above: above))
        }
        return notes
    }

    /// The feature's values after log and clip, with the missing mask.
    static func transformed(_ f: FeatureSpec.Feature, _ expression: CompiledExpression, _ chunk: RecordChunk,
                            _ parameters: [String: Double]) -> ([Double], [Bool]) {
        guard case .numbers(var values, var missing) = expression.evaluate(chunk, parameters: parameters) else {
            preconditionFailure("numeric features compile to numbers")
        }
        for r in values.indices where !missing[r] {
            var v = values[r]
            if f.log {
                if v < 0 { missing[r] = true; continue }  // log of a negative amount is undefined
                v = log1p(v)
            }
            if f.signedLog { v = v < 0 ? -log1p(-v) : log1p(v) }
            if let c = f.clip { v = min(max(v, c.lowerBound), c.upperBound) }
            values[r] = v
        }
        return (values, missing)
    }

    /// Each row's category code (for category fields) or text, nil when missing.
    static func categoryStrings(_ chunk: RecordChunk, _ field: Int) -> [String?] {
        switch chunk.column(field) {
        case .numeric(let c):
            guard case .category(let values) = chunk.schema.fields[field].kind else { return c.values.map { _ in nil } }
            return (0..<chunk.rowCount).map { r in c[r].map { values[Int($0)].code } }
        case .text(let c):
            return c.values
        }
    }

    static func chineseName(of code: String, field: Int, schema: RecordSchema) -> String {
        if case .category(let values) = schema.fields[field].kind, let v = values.first(where: { $0.code == code }) { return v.chinese }
        return code
    }
}

/// A feature's value for one enterprise as a person reads it: the expression's value before log,
/// clip and standardisation, or the category.
package enum FeatureValue: Sendable, Equatable {
    case missing
    case number(Double)
    case category(code: String, chinese: String)
}

extension FittedFeatures {
    /// Each spec feature's value for `row` of `chunk`, before transforms.
    package func displayValues(_ chunk: RecordChunk, row: Int, parameters: [String: Double] = [:]) -> [FeatureValue] {
        let one = chunk.row(row)
        return compiled.map { feature in
            switch feature {
            case .numeric(_, let expression), .binned(_, let expression):
                guard case .numbers(let values, let missing) = expression.evaluate(one, parameters: parameters), !missing[0] else { return .missing }
                return .number(values[0])
            case .categorical(_, let field):
                guard let code = Self.categoryStrings(one, field)[0] else { return .missing }
                return .category(code: code, chinese: Self.chineseName(of: code, field: field, schema: schema))
            }
        }
    }
}

extension FittedFeatures {
    /// Spec feature `j`'s values before any transform (a numeric or binned feature).
    package func rawValues(_ chunk: RecordChunk, feature j: Int, parameters: [String: Double] = [:]) -> (values: [Double], missing: [Bool]) {
        switch compiled[j] {
        case .numeric(_, let expression), .binned(_, let expression):
            guard case .numbers(let values, let missing) = expression.evaluate(chunk, parameters: parameters) else { preconditionFailure("numeric features compile to numbers") }
            return (values, missing)
        case .categorical:
            preconditionFailure("feature \(j) is a category")
        }
    }

    /// Each row's slot for one-hot feature `j`: its vocabulary index, then other, then missing.
    package func categorySlots(_ chunk: RecordChunk, feature j: Int) -> [Int] {
        guard case .categorical(_, let field) = compiled[j], let vocabulary = vocabularies[j] else { preconditionFailure("feature \(j) is not a category") }
        let index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })
        return Self.categoryStrings(chunk, field).map { value in value.map { index[$0] ?? vocabulary.count } ?? vocabulary.count + 1 }
    }
}
