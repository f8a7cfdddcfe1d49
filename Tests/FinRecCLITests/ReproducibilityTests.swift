import ArgumentParser
import FinRec
@testable import FinRecCLI
import Foundation
import Testing

/// One machine, one input: every command's output is the same byte for byte whatever the worker
/// count and the chunk size (rank has its own test in ScoreRankCommandTests).
@Suite("Outputs do not depend on --threads or --chunk-rows")
struct ReproducibilityTests {
    static let root = ScoreRankCommandTests.root
    static let model = ScoreRankCommandTests.model

    /// The first `rows` enterprises of the shipped pool, with their labels, in a file of their own.
    static func poolHead(rows: Int, folder: String) throws -> String {
        let text = try String(contentsOfFile: ScoreRankCommandTests.pool, encoding: .utf8)
        let path = folder + "/head.csv"
        try (text.split(separator: "\n").prefix(rows + 1).joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs with one worker and the default chunk size, then with three workers and chunks of
    /// 777 rows and with two workers and chunks of 1 row where `tinyChunks`.
    static let variants: [[String]] = [["--threads", "1"], ["--threads", "3", "--chunk-rows", "777"], ["--threads", "2", "--chunk-rows", "50"]]

    @Test("score: the JSON and CSV reports of 1,500 applicants", arguments: ["json", "csv"])
    func score(format: String) throws {
        let folder = try ScoreRankCommandTests.folder()
        let input = try Self.poolHead(rows: 1_500, folder: folder)
        let outputs = try Self.variants.map { variant in
            try Score.parse([input, "--model", Self.model, "--format", format] + variant).render()
        }
        #expect(outputs[0].count > 100_000)
        #expect(outputs.allSatisfy { $0 == outputs[0] })
    }

    @Test("evaluate: the JSON report")
    func evaluate() throws {
        let folder = try ScoreRankCommandTests.folder()
        let data = folder + "/holdout.csv"
        try SyntheticDataset(generator: EnterpriseGenerator(seed: 17), withTruth: true).write(count: 3_000, to: data)
        let outputs = try Self.variants.map { variant in
            try Evaluate.parse(["--model", Self.model, "--data", data, "--format", "json", "--baseline", Self.model] + variant).render()
        }
        #expect(outputs.allSatisfy { $0 == outputs[0] })
    }

    @Test("train: the model file")
    func train() throws {
        let folder = try ScoreRankCommandTests.folder()
        let data = try Self.poolHead(rows: 4_000, folder: folder)
        var models: [Data] = []
        for (i, variant) in Self.variants.enumerated() {
            let out = folder + "/model-\(i).json"
            let command = try Train.parse(["--data", data, "--output", out, "--spec", Self.root + "/Models/features.json",
                                           "--catalog", Self.root + "/Models/catalog.json"] + variant)
            try command.run()
            models.append(try Data(contentsOf: URL(fileURLWithPath: out)))
        }
        #expect(models.allSatisfy { $0 == models[0] })
    }

    @Test("predict: scores of 20,000 feature rows in Float64 and Float32", arguments: ["f64", "f32"])
    func predict(precision: String) throws {
        let folder = try ScoreRankCommandTests.folder()
        var rng = SplitMix64(seed: 5)
        var lines = ["id,rd_ratio_1y_z,log_revenue_z,debt_ratio_z,invention_patents_z"]
        for i in 0..<20_000 { lines.append("r\(i)," + (0..<4).map { _ in String(rng.normal()) }.joined(separator: ",")) }
        let input = folder + "/features.csv"
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        var outputs: [Data] = []
        for threads in ["1", "2", "3"] {
            let out = folder + "/scores-\(threads).csv"
            let command = try Predict.parse(["--model", Self.root + "/Models/example-model.json", "--input", input, "--output", out,
                                             "--precision", precision, "--threads", threads])
            try command.run()
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: out)))
        }
        #expect(outputs.allSatisfy { $0 == outputs[0] })
    }
}
