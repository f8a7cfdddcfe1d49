import FinRec
import Foundation
import Testing

@Suite("Feature spec: fit and apply")
struct FeatureSpecTests {
    func spec(_ json: String) throws -> FeatureSpec {
        try FeatureSpec.decode(try JSONValue.parse(json), path: "spec.json", schema: expressionSchema)
    }

    func specError(_ json: String) -> String? {
        do {
            _ = try spec(json)
            return nil
        } catch {
            return "\(error)"
        }
    }

    let header = "{\"format\": \"finrec-features\", \"format_version\": 1, \"features\": "

    @Test("Standardise, missing indicator, log and clip give the hand-computed matrix")
    func numericTransforms() throws {
        let s = try spec(header + """
            [{"name": "a", "zh": "甲", "en": "a", "expr": "a", "missing_indicator": true},
             {"name": "log_b", "zh": "乙", "en": "b", "expr": "b", "log": true, "standardise": false},
             {"name": "c", "zh": "丙", "en": "c", "expr": "c", "clip": [0, 10], "standardise": false}]}
            """)
        let chunk = try expressionChunk("a,b,c,flag,tier,industry\n1,0,-5,,,\n2,,5,,,\n3,-1,50,,,\n,3,,,,\n")
        let fitted = try FittedFeatures.fit(s, schema: expressionSchema, chunks: [chunk], layout: .declared)  // model format 2
        #expect(fitted.columnNames == ["a", "a_missing", "log_b", "c"])
        // a: values 1, 2, 3 → mean 2, sample sd 1; the missing row becomes 0 with indicator 1.
        let a = try #require(fitted.statistics[0])
        #expect(a.count == 3 && abs(a.mean - 2) <= 1e-15 && abs(a.standardDeviation - 1) <= 1e-15)
        let x = fitted.apply(chunk)
        let expected: [[Double]] = [
            [-1, 0, log1p(0), 0],
            [0, 0, (log1p(0) + log1p(3)) / 2, 5],  // b missing → the fitted mean of log1p(b) over 0 and 3
            [1, 0, (log1p(0) + log1p(3)) / 2, 10],  // b = −1: log of a negative amount is missing
            [0, 1, log1p(3), (0 + 5 + 10) / 3],     // c missing → the fitted mean of the clipped values
        ]
        for r in 0..<4 {
            for c in 0..<4 {
                #expect(abs(x[r, c] - expected[r][c]) <= 1e-12, "row \(r) column \(fitted.columnNames[c]): \(x[r, c]) vs \(expected[r][c])")
            }
        }
    }

    @Test("One-hot with an explicit vocabulary puts everything else, missing included, in 'other'")
    func oneHotExplicit() throws {
        let s = try spec(header + """
            [{"name": "tier", "zh": "等级", "en": "tier", "expr": "tier", "one_hot": ["provincial_srdi", "little_giant"]}]}
            """)
        let chunk = try expressionChunk("a,b,c,flag,tier,industry\n,,,,little_giant,\n,,,,innovative,\n,,,,,\n,,,,省级专精特新,\n")
        let fitted = try FittedFeatures.fit(s, schema: expressionSchema, chunks: [chunk], layout: .declared)  // model format 2
        #expect(fitted.columnNames == ["tier=provincial_srdi", "tier=little_giant", "tier=other"])
        #expect(fitted.columns.map(\.chinese) == ["等级=省级专精特新", "等级=国家级小巨人", "等级=其他"])
        #expect(fitted.apply(chunk).storage == [0, 1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0])
    }

    @Test("A learnt vocabulary keeps the most frequent values, ties by name, up to max_categories")
    func oneHotLearnt() throws {
        let s = try spec(header + """
            [{"name": "ind", "zh": "行业", "en": "industry", "expr": "industry", "one_hot": "learn", "max_categories": 2}]}
            """)
        let chunk = try expressionChunk("a,b,c,flag,tier,industry\n,,,,,C35\n,,,,,I65\n,,,,,C35\n,,,,,C39\n,,,,,I65\n,,,,,A01\n")
        let fitted = try FittedFeatures.fit(s, schema: expressionSchema, chunks: [chunk], layout: .declared)  // model format 2
        #expect(fitted.vocabularies[0] == ["C35", "I65"])
        #expect(fitted.apply(chunk).storage == [1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1])
    }

    @Test("Fitting chunk by chunk gives the statistics of fitting all at once")
    func streamingFit() throws {
        let s = try spec(header + "[{\"name\": \"a\", \"zh\": \"甲\", \"en\": \"a\", \"expr\": \"a * 2 + b\"}]}")
        var rng = SplitMix64(seed: 12)
        var csv = "a,b,c,flag,tier,industry\n"
        for _ in 0..<1_000 { csv += "\(rng.normal() * 50 + 1000),\(rng.bernoulli(0.1) ? "" : String(rng.normal())),,,,\n" }
        var options = ReaderOptions()
        options.chunkRows = 97
        options.detectDuplicateIds = false
        let chunks = try CSVRecordReader(path: writeTemporary(csv).path, schema: expressionSchema, options: options).readAll()
        #expect(chunks.count == 11)
        let whole = try FittedFeatures.fit(s, schema: expressionSchema, chunks: [try expressionChunk(csv)]).statistics[0]!
        let streamed = try FittedFeatures.fit(s, schema: expressionSchema, chunks: chunks).statistics[0]!
        #expect(whole.count == streamed.count)
        #expect(abs(whole.mean - streamed.mean) <= 1e-12 * abs(whole.mean))
        #expect(abs(whole.standardDeviation - streamed.standardDeviation) <= 1e-9 * whole.standardDeviation)
    }

    @Test("Spec errors name the feature and the problem", arguments: [
        ("[{\"name\": \"x\", \"zh\": \"x\", \"en\": \"x\", \"expr\": \"a +\"}]}", "spec.json: features[0].expr: \"a +\": expected a number, a name or '(', found end of expression at 1:4"),
        ("[{\"name\": \"x\", \"zh\": \"x\", \"en\": \"x\", \"expr\": \"revnue\"}]}", "spec.json: feature x: unknown column 'revnue' at 1:1"),
        ("[{\"name\": \"x\", \"zh\": \"x\", \"en\": \"x\", \"expr\": \"a\", \"scale\": true}]}", "spec.json: features[0].scale: unknown transform"),
        ("[{\"name\": \"x\", \"zh\": \"x\", \"en\": \"x\", \"expr\": \"a\", \"one_hot\": \"learn\"}]}", "one_hot needs a category or text column; a is a number"),
        ("[{\"name\": \"x\", \"zh\": \"x\", \"en\": \"x\", \"expr\": \"a\", \"clip\": [5, 1]}]}", "spec.json: features[0].clip: needs [low, high] with low ≤ high"),
        ("[{\"name\": \"x\", \"zh\": \"x\", \"en\": \"x\", \"expr\": \"a > 1\"}]}", "a feature must be a number; wrap the condition in if(condition, 1, 0)"),
        ("[{\"name\": \"x\", \"zh\": \"x\", \"en\": \"x\", \"expr\": \"a\"}, {\"name\": \"x\", \"zh\": \"x\", \"en\": \"x\", \"expr\": \"b\"}]}", "feature 'x' appears twice"),
        ("[]}", "spec.json: features: needs a non-empty array of features"),
    ])
    func errors(features: String, expected: String) throws {
        let message = try #require(specError(header + features))
        #expect(message.contains(expected), "\(message)")
    }

    @Test("The default enterprise spec fits the shipped pool into finite, standardised columns")
    func defaultSpec() throws {
        let s = try FeatureSpec.read(path: repositoryRoot() + "/Models/features.json")
        let chunks = try CSVRecordReader(path: repositoryRoot() + "/Datasets/shandong-pool.csv", schema: EnterpriseSchema.schema).readAll()
        let parameters = ["as_of_date": Double(assessmentDay)]
        let fitted = try FittedFeatures.fit(s, chunks: chunks, parameters: parameters)
        // 43 numeric features, each with its missing column and two excess columns (beyond the
        // training range); orders (tier, NEEQ layer, R&D institution, award) are numeric features
        // with a direction, not one-hot columns.
        #expect(fitted.columns.count == 43 * 4)
        var sums = [Double](repeating: 0, count: fitted.columns.count), squares = sums
        var rows = 0
        for chunk in chunks {
            let x = fitted.apply(chunk, parameters: parameters)
            #expect(x.storage.allSatisfy { $0.isFinite })
            for r in 0..<x.rows {
                for c in 0..<x.columns { sums[c] += x[r, c]; squares[c] += x[r, c] * x[r, c] }
            }
            rows += x.rows
        }
        // A standardised column without missing values has mean 0 and variance (n−1)/n ≈ 1 before
        // the 1% of values beyond the training range are clipped: after, close to that, never above.
        for (j, f) in s.features.enumerated() where f.standardise && f.oneHot == nil && !f.missingIndicator {
            let c = fitted.columns.firstIndex { $0.feature == j }!
            let mean = sums[c] / Double(rows), variance = squares[c] / Double(rows) - mean * mean
            #expect(abs(mean) < 0.05, "\(f.name) mean \(mean)")
            #expect(0.5 < variance && variance <= 1 + 1e-9, "\(f.name) variance \(variance)")
        }
    }
}
