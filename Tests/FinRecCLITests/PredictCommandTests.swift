import ArgumentParser
import FinRec
@testable import FinRecCLI
import Foundation
import Testing

@Suite("finrec predict and inspect, end to end")
struct PredictCommandTests {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    var modelPath: String { root + "/Models/example-model.json" }
    var featuresPath: String { root + "/Datasets/example-features.csv" }

    func folder() -> String {
        let path = NSTemporaryDirectory() + "finrec-cli-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("CSV output holds each product's logit and probability, computed independently here",
          arguments: ["f64", "f32"])
    func csvOutputMatchesHandComputedLogits(precision: String) throws {
        let out = folder() + "/scores.csv"
        let command = try Predict.parse(["--model", modelPath, "--input", featuresPath, "--output", out,
                                         "--precision", precision, "--threads", "2"])
        try command.run()
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines[0] == "id,srdi_loan_logit,srdi_loan_probability,little_giant_loan_logit,little_giant_loan_probability,bse_logit,bse_probability")
        // Recompute from the CSV text and the model file text with plain loops.
        let model = try ModelFile.read(from: modelPath)
        let input = try String(contentsOfFile: featuresPath, encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(lines.count == input.count + 1)
        let tolerance = precision == "f64" ? 1e-12 : 1e-5
        for (line, row) in zip(lines.dropFirst(), input) {
            let cells = row.split(separator: ",").map(String.init)
            let x = cells.dropFirst().map { Double($0)! }
            let out = line.split(separator: ",").map(String.init)
            #expect(out[0] == cells[0])
            for (k, product) in model.products.enumerated() {
                let z = product.intercept + zip(product.weights, x).reduce(0) { $0 + $1.0 * $1.1 }
                #expect(abs(Double(out[1 + 2 * k])! - z) <= tolerance)
                #expect(abs(Double(out[2 + 2 * k])! - 1 / (1 + exp(-z))) <= tolerance)
            }
        }
    }

    @Test("JSON output parses back and names every product in Chinese")
    func jsonOutput() throws {
        let out = folder() + "/scores.json"
        let command = try Predict.parse(["--model", modelPath, "--input", featuresPath, "--output", out])
        try command.run()
        let json = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out))))
        guard case .object(let o) = json, case .array(let products)? = o["products"], case .array(let rows)? = o["rows"] else {
            Issue.record("unexpected JSON shape")
            return
        }
        #expect(products.count == 3 && rows.count == 5)
        let names = products.compactMap { p -> String? in
            if case .object(let po) = p, case .string(let n)? = po["name_zh"] { return n }
            return nil
        }
        #expect(names == ["专精特新贷", "小巨人贷", "北交所"])
    }

    @Test("The terminal table shows Chinese product names")
    func tableNamesProductsInChinese() throws {
        let model = try ModelFile.read(from: modelPath)
        let text = PredictionDocument(model: model, ids: ["a"], logits: Matrix(rows: 1, columns: 3, elements: [0, 1, -1])).table()
        #expect(text.contains("专精特新贷 (srdi_loan)") && text.contains("北交所 (bse)"))
        #expect(text.contains("0.5000 [0.000]"))
    }

    @Test("A bad input cell fails with its place and writes no output file")
    func badInputWritesNothing() throws {
        let dir = folder()
        let input = dir + "/bad.csv"
        try "id,rd_ratio_1y_z,log_revenue_z,debt_ratio_z,invention_patents_z\nx,1,2,3,4\ny,1,abc,3,4\n"
            .write(toFile: input, atomically: true, encoding: .utf8)
        let command = try Predict.parse(["--model", modelPath, "--input", input, "--output", dir + "/out.csv"])
        do {
            try command.run()
            Issue.record("expected failure")
        } catch {
            #expect("\(error)".hasPrefix(input + ":3:3 (log_revenue_z): \"abc\" is not a number"))
        }
        #expect(contentsOf(dir) == ["bad.csv"])
    }

    @Test("A model of another format version stops the command with the file named")
    func wrongModelVersion() throws {
        let dir = folder()
        let model = dir + "/old.json"
        try String(contentsOfFile: modelPath, encoding: .utf8)
            .replacingOccurrences(of: "\"format_version\": 1", with: "\"format_version\": 7")
            .write(toFile: model, atomically: true, encoding: .utf8)
        let command = try Predict.parse(["--model", model, "--input", featuresPath, "--output", dir + "/o.csv"])
        #expect(throws: ModelFileError.self) { try command.run() }
        #expect(contentsOf(dir) == ["old.json"])
    }

    @Test("Invalid flags are refused before any work, saying what to give", arguments: [
        (["--threads", "0"], "Please give --threads a whole number of at least 1"),
        (["--format", "table", "--output", "x.csv"], "--format table is for the terminal; write csv or json to --output."),
        (["--precision", "f16"], "The value 'f16' is invalid for '--precision <precision>'. Please provide one of 'f64' and 'f32'."),
    ])
    func invalidFlags(extra: [String], message: String) {
        let text = failureMessage(Predict.self) { _ = try Predict.parse(["--model", "m.json", "--input", "x.csv"] + extra) }
        #expect(text?.contains(message) == true, "\(text ?? "no error")")
    }

    @Test("--version prints the FinRec version")
    func version() {
        do {
            _ = try FinRecCommand.parseAsRoot(["--version"])
            Issue.record("--version should exit")
        } catch {
            #expect(FinRecCommand.message(for: error) == FinRecVersion.current)
        }
    }

    func contentsOf(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }
}
