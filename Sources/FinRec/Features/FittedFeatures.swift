#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ``FeatureSpec`` with what `fit` learnt: each numeric feature's mean and standard deviation
/// (after log and clip) and each one-hot feature's vocabulary. ``apply(_:parameters:)`` turns a
/// chunk into the n × d row-major matrix of model inputs, d = ``columnNames``.count.
public struct FittedFeatures: Sendable {
    public struct NumericStatistics: Sendable, Equatable {
        public let count: Int
        public let mean: Double
        /// Sample standard deviation; 1 when there were fewer than two values or no spread.
        public let standardDeviation: Double

        public init(count: Int, mean: Double, standardDeviation: Double) {
            self.count = count
            self.mean = mean
            self.standardDeviation = standardDeviation
        }
    }

    /// One output column.
    public struct OutputColumn: Sendable, Equatable {
        public let name: String
        public let chinese: String
        public let english: String
        /// Index of the spec feature it comes from.
        public let feature: Int
    }

    public let spec: FeatureSpec
    public let schema: RecordSchema
    /// Per spec feature: statistics for numeric features, nil for one-hot ones.
    public let statistics: [NumericStatistics?]
    /// Per spec feature: the vocabulary of one-hot features, nil for numeric ones.
    public let vocabularies: [[String]?]
    public let columns: [OutputColumn]
    let compiled: [FeatureSpec.CompiledFeature]

    public var columnNames: [String] { columns.map(\.name) }

    /// Learns statistics and vocabularies from `chunks` (streamed: pass them one at a time).
    public static func fit(_ spec: FeatureSpec, schema: RecordSchema = EnterpriseSchema.schema,
                           chunks: some Sequence<RecordChunk>, parameters: [String: Double] = [:]) throws(ExpressionError) -> FittedFeatures {
        let compiled = try spec.compile(schema: schema)
        var moments = [(n: Double, mean: Double, m2: Double)](repeating: (0, 0, 0), count: compiled.count)
        var counts = [[String: Int]](repeating: [:], count: compiled.count)
        for chunk in chunks {
            for (j, feature) in compiled.enumerated() {
                switch feature {
                case .numeric(let f, let expression):
                    let (values, missing) = Self.transformed(f, expression, chunk, parameters)
                    // Welford's running mean and sum of squares, one row after the other across
                    // chunks: the same operations in the same order whatever the chunk size, so
                    // the statistics (and the model) do not depend on it.
                    var (n, mean, m2) = moments[j]
                    for r in 0..<chunk.rowCount where !missing[r] {
                        n += 1
                        let delta = values[r] - mean
                        mean += delta / n
                        m2 += delta * (values[r] - mean)
                    }
                    moments[j] = (n, mean, m2)
                case .categorical(_, let field):
                    for value in Self.categoryStrings(chunk, field) { if let value { counts[j][value, default: 0] += 1 } }
                }
            }
        }
        var statistics: [NumericStatistics?] = []
        var vocabularies: [[String]?] = []
        for (j, feature) in compiled.enumerated() {
            switch feature {
            case .numeric:
                let m = moments[j]
                var sd = m.n >= 2 ? (m.m2 / (m.n - 1)).squareRoot() : 1
                if !(sd > 1e-12) { sd = 1 }
                statistics.append(NumericStatistics(count: Int(m.n), mean: m.n > 0 ? m.mean : 0, standardDeviation: sd))
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
        return try FittedFeatures(spec: spec, schema: schema, statistics: statistics, vocabularies: vocabularies)
    }

    /// Features with statistics and vocabularies already known (read from a model file).
    /// - Precondition: one entry per spec feature, statistics for numeric and vocabularies for
    ///   one-hot features.
    public init(spec: FeatureSpec, schema: RecordSchema = EnterpriseSchema.schema,
                statistics: [NumericStatistics?], vocabularies: [[String]?]) throws(ExpressionError) {
        let compiled = try spec.compile(schema: schema)
        precondition(statistics.count == compiled.count && vocabularies.count == compiled.count, "one entry per feature")
        var columns: [OutputColumn] = []
        for (j, feature) in compiled.enumerated() {
            switch feature {
            case .numeric(let f, _):
                precondition(statistics[j] != nil, "numeric feature \(f.name) needs statistics")
                columns.append(OutputColumn(name: f.name, chinese: f.chinese, english: f.english, feature: j))
                if f.missingIndicator {
                    columns.append(OutputColumn(name: f.name + "_missing", chinese: f.chinese + "缺失", english: f.english + " missing", feature: j))
                }
            case .categorical(let f, let field):
                let vocabulary = vocabularies[j] ?? []
                for v in vocabulary {
                    columns.append(OutputColumn(name: "\(f.name)=\(v)", chinese: "\(f.chinese)=\(Self.chineseName(of: v, field: field, schema: schema))",
                                                english: "\(f.english)=\(v)", feature: j))
                }
                columns.append(OutputColumn(name: "\(f.name)=other", chinese: "\(f.chinese)=其他", english: "\(f.english)=other", feature: j))
            }
        }
        self.spec = spec
        self.schema = schema
        self.statistics = statistics
        self.vocabularies = vocabularies
        self.columns = columns
        self.compiled = compiled
    }

    /// The n × d feature matrix of `chunk`.
    public func apply(_ chunk: RecordChunk, parameters: [String: Double] = [:]) -> Matrix<Double> {
        let n = chunk.rowCount, d = columns.count
        var out = Matrix<Double>(rows: n, columns: d)
        var column = 0
        out.withUnsafeMutableBufferPointer { x in
            for (j, feature) in compiled.enumerated() {
                switch feature {
                case .numeric(let f, let expression):
                    let (values, missing) = Self.transformed(f, expression, chunk, parameters)
                    let stats = statistics[j]!
                    for r in 0..<n {
                        let v: Double
                        if missing[r] { v = f.standardise ? 0 : stats.mean }
                        else { v = f.standardise ? (values[r] - stats.mean) / stats.standardDeviation : values[r] }
                        x[r * d + column] = v
                        if f.missingIndicator { x[r * d + column + 1] = missing[r] ? 1 : 0 }
                    }
                    column += f.missingIndicator ? 2 : 1
                case .categorical(_, let field):
                    let vocabulary = vocabularies[j]!
                    let index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })
                    for (r, value) in Self.categoryStrings(chunk, field).enumerated() {
                        let k = value.flatMap { index[$0] } ?? vocabulary.count
                        x[r * d + column + k] = 1
                    }
                    column += vocabulary.count + 1
                }
            }
        }
        return out
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
public enum FeatureValue: Sendable, Equatable {
    case missing
    case number(Double)
    case category(code: String, chinese: String)
}

extension FittedFeatures {
    /// Each spec feature's value for `row` of `chunk`, before transforms.
    public func displayValues(_ chunk: RecordChunk, row: Int, parameters: [String: Double] = [:]) -> [FeatureValue] {
        let one = chunk.row(row)
        return compiled.map { feature in
            switch feature {
            case .numeric(_, let expression):
                guard case .numbers(let values, let missing) = expression.evaluate(one, parameters: parameters), !missing[0] else { return .missing }
                return .number(values[0])
            case .categorical(_, let field):
                guard let code = Self.categoryStrings(one, field)[0] else { return .missing }
                return .category(code: code, chinese: Self.chineseName(of: code, field: field, schema: schema))
            }
        }
    }
}
