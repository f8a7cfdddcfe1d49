import FinRec
import Foundation
import Synchronization
import Testing

/// The chunk-wide shortcuts the explanations take (issue 35) against the one-row definitions
/// they replace: a cached column against the expression evaluated on a one-row copy, batched
/// standard errors against the one-row substitution, the CSV line writer against the escaped
/// and joined fields, a JSON object built in one pass against key-by-key assignment.
@Suite("Explanations from whole-chunk columns")
struct ExplanationColumnsTests {
    /// The eligibility of the shipped pool's first `rows` firms, and every expression an
    /// explanation may read.
    static func evaluated(rows: Int) throws -> (chunk: RecordChunk, result: EligibilityResult, expressions: [CompiledExpression]) {
        let scorer = try InferenceTests.scorer()
        let chunk = try #require(try InferenceTests.pool(rows: rows, chunkRows: rows).first)
        return (chunk, scorer.evaluator.evaluate(chunk, asOf: InferenceTests.asOf), scorer.evaluator.expressions)
    }

    @Test("Every expression an explanation reads gives, from the chunk's cached column, what it gives on a one-row copy")
    func cachedColumnsEqualOneRowEvaluation() throws {
        let (chunk, result, expressions) = try Self.evaluated(rows: 300)
        #expect(expressions.count > 100)
        var compared = 0
        for (slot, expression) in expressions.enumerated() {
            let column = result.columns.values(slot, expression)
            #expect(column.count == chunk.rowCount)
            // Asked again: the same column, and the chunk-wide evaluation's.
            #expect(Self.same(result.columns.values(slot, expression), column))
            #expect(Self.same(column, expression.evaluate(chunk, parameters: result.columns.parameters)))
            for r in stride(from: 0, to: chunk.rowCount, by: 7) {
                let one = expression.evaluate(chunk.row(r), parameters: result.columns.parameters)
                #expect(Self.agree(column, row: r, one), "slot \(slot) row \(r)")
                compared += 1
            }
        }
        #expect(compared == expressions.count * 43)
    }

    /// Row `r` of `column` is the one value of `one`: the same truth, or both missing, or the same number.
    static func agree(_ column: ExpressionValues, row r: Int, _ one: ExpressionValues) -> Bool {
        switch (column, one) {
        case (.numbers(let v, let m), .numbers(let v1, let m1)): m[r] == m1[0] && (m[r] || v[r] == v1[0])
        case (.truths(let t), .truths(let t1)): t[r] == t1[0]
        default: false
        }
    }

    /// Equal columns: the same truths, or the same missing mask and the same values where present
    /// (a missing entry holds NaN, which equals nothing).
    static func same(_ a: ExpressionValues, _ b: ExpressionValues) -> Bool {
        switch (a, b) {
        case (.truths(let x), .truths(let y)): return x == y
        case (.numbers(let x, let mx), .numbers(let y, let my)):
            return mx == my && x.indices.allSatisfy { mx[$0] || x[$0] == y[$0] || (x[$0].isNaN && y[$0].isNaN) }
        default: return false
        }
    }

    @Test("One row evaluated on its own (an applicant) gives what the column loops give for it: every rule, definition and explanation of the catalog, 300 firms with their missing values")
    func rowEvaluationEqualsColumns() throws {
        let scorer = try InferenceTests.scorer()
        let (chunk, result, explained) = try Self.evaluated(rows: 300)
        let environment = scorer.evaluator.environment
        let definitions = scorer.catalog.definitions.compactMap { try? CompiledExpression($0.expression, in: environment, boolean: false) }
        let expressions = scorer.evaluator.conditions.flatMap { $0.map(\.compiled) } + definitions + explained
        #expect(definitions.count >= 10)
        var compared = 0
        let columns = expressions.map { $0.evaluateColumns(chunk, parameters: result.columns.parameters) }
        for r in 0..<chunk.rowCount {
            // One memo for the row, as eligibility shares one: named definitions computed once.
            let row = chunk.row(r), memo = EvaluationMemo()
            for (expression, columns) in zip(expressions, columns) {
                let one = expression.evaluate(row, parameters: result.columns.parameters, memo: memo)
                #expect(Self.agree(columns, row: r, one), "\(expression.source) row \(r)")
                compared += 1
            }
        }
        #expect(compared == expressions.count * 300)
    }

    @Test("Threads asking for the same columns at once all get the whole-chunk answers")
    func cacheUnderConcurrency() throws {
        let (chunk, result, expressions) = try Self.evaluated(rows: 200)
        let reference = expressions.map { $0.evaluate(chunk, parameters: result.columns.parameters) }
        let mismatches = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            // Each thread walks the slots from a different place, so first uses collide.
            for i in expressions.indices {
                let slot = (i * 7 + t * 13) % expressions.count
                if !Self.same(result.columns.values(slot, expressions[slot]), reference[slot]) { mismatches.withLock { $0 += 1 } }
            }
        }
        #expect(mismatches.withLock { $0 } == 0)
    }

    @Test("Batched standard errors are the one-row substitution's, bit for bit, for any mix of products and rows", arguments: [1, 3, 4, 17, 64])
    func batchedStandardErrors(rows: Int) throws {
        let scorer = try InferenceTests.scorer()
        let chunk = try #require(try InferenceTests.pool(rows: rows, chunkRows: rows).first)
        let scored = scorer.score(chunk, firstRow: 0)
        let factors = scorer.model.uncertainty.compactMap { $0 }
        #expect(factors.count >= 10)
        let every = factors.indices.flatMap { p in (0..<rows).map { (factor: p, row: $0) } }
        let all = scored.features.withUnsafeBufferPointer { LogitUncertainty.standardErrors(factors, $0, rows: rows, pairs: every) }
        for (pair, error) in zip(every, all) {
            // The same operations in the same order: the same bits, not merely close.
            #expect(error == factors[pair.factor].standardError(scored.features.row(pair.row)), "factor \(pair.factor) row \(pair.row)")
        }
        // A sparse, interleaved choice of pairs (lanes of different factors in one vector).
        let pairs = (0..<(factors.count * rows)).filter { $0 % 3 != 1 }.map { (factor: ($0 * 5) % factors.count, row: $0 % rows) }
        let chosen = scored.features.withUnsafeBufferPointer { LogitUncertainty.standardErrors(factors, $0, rows: rows, pairs: pairs) }
        for (pair, error) in zip(pairs, chosen) {
            #expect(error == factors[pair.factor].standardError(scored.features.row(pair.row)))
        }
        // Factors four to a vector for one row, whatever their number (quads and blocks cut short).
        for count in [1, 3, 5, 16, factors.count] {
            let interleaved = try #require(LogitUncertainty.Interleaved(Array(factors.prefix(count))))
            for r in 0..<min(rows, 3) {
                let errors = scored.features.row(r).withUnsafeBufferPointer { interleaved.standardErrors($0) }
                #expect(errors == factors.prefix(count).map { $0.standardError(scored.features.row(r)) }, "\(count) factors, row \(r)")
            }
        }
        // Per offer: computed where the offer is open or undecided, not where it fails.
        let perOffer = scorer.standardErrors(scored)
        for k in scorer.catalog.offers.indices {
            guard let errors = perOffer[k] else { #expect(scorer.standardError(scored, offer: k, row: 0) == nil); continue }
            for r in 0..<rows {
                if scored.status(offer: k, row: r) == .fail {
                    #expect(errors[r].isNaN)
                } else {
                    #expect(errors[r] == scorer.standardError(scored, offer: k, row: r))
                }
            }
        }
    }

    @Test("The score document written straight into bytes is the tree written compact, for every shipped applicant and 300 pool firms, in both languages")
    func compactDocumentEqualsTree() throws {
        let model = try ScoringModel(path: repositoryRoot() + "/Models/default-model.json", asOf: "2026-06-30")
        let applicants = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot() + "/Datasets/applicants")
            .filter { $0.hasSuffix(".json") }.sorted().map { repositoryRoot() + "/Datasets/applicants/" + $0 }
        #expect(applicants.count >= 7)
        // The header and the first 300 firms of the shipped pool.
        let lines = try String(contentsOfFile: repositoryRoot() + "/Datasets/shandong-pool.csv", encoding: .utf8).split(separator: "\n")
        let pool = Array((lines.prefix(301).joined(separator: "\n") + "\n").utf8)
        var compared = 0
        for language in Language.allCases {
            var options = ScoreOptions()
            options.language = language
            for path in applicants {
                let document = try ScoreUseCase.assess(try EnterpriseFileReader(path: path), model: model, options: options)
                #expect(document.compactJSON() == Array((document.jsonValue().compact() + "\n").utf8), "\(path) \(language)")
                compared += 1
            }
            let firms = try ScoreUseCase.assess(try EnterpriseFileReader(bytes: pool, name: "pool"), model: model, options: options)
            #expect(firms.results.count == 300)
            #expect(firms.compactJSON() == Array((firms.jsonValue().compact() + "\n").utf8))
            compared += 1
        }
        #expect(compared == 2 * (applicants.count + 1))
    }

    @Test("The CSV line writer writes what escaping each field and joining them writes")
    func lineWriterEqualsEscapeAndJoin() {
        let rows: [[String]] = [
            ["济南华泰", "a,b", "say \"hi\"", "", "x"],
            ["a\nb", "a\r\nb", "\"", ",", "末尾"],
            [""],
        ]
        var writer = CSVLineWriter()
        var expected = ""
        for row in rows {
            for field in row { writer.field(field) }
            writer.endLine()
            expected += row.map(CSVField.escape).joined(separator: ",") + "\n"
        }
        let numbers: [Double?] = [nil, 0.1, -0.0, 1e-300, 12345.678, .infinity]
        for x in numbers { writer.field(x) }
        writer.endLine()
        expected += numbers.map { $0.map { "\($0)" } ?? "" }.joined(separator: ",") + "\n"
        #expect(String(decoding: writer.finish(), as: UTF8.self) == expected)
    }

    @Test("A JSON object built in one pass keeps a repeated key at its first place with its last value, as assigning key by key does")
    func jsonObjectRepeatedKeys() {
        let members: [(String, JSONValue)] = [("a", .number(1)), ("b", .string("x")), ("a", .number(2)), ("ab", .bool(true)), ("b", .null)]
        var assigned = JSONObject()
        for (k, v) in members { assigned[k] = v }
        let built = JSONObject(members)
        #expect(built == assigned)
        #expect(built.keys == ["a", "b", "ab"])
        #expect(built["a"] == .number(2) && built["b"] == .null)
        // Many distinct keys, some sharing length and end bytes (the filter's collisions).
        let many = (0..<200).map { ("k\($0 % 10)x\($0)", JSONValue.number(Double($0))) }
        #expect(JSONObject(many).keys == many.map(\.0))
    }
}
