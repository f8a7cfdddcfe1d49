import FinRec
import Foundation
import Testing

@Suite("Model file: round trip, corrupt files, atomic writes")
struct ModelFileTests {
    func sampleModel(seed: UInt64 = 1, features: Int = 6, products: Int = 4) -> LinearModel {
        var rng = SplitMix64(seed: seed)
        // Values that stress shortest round-trip printing: tiny, huge, subnormal, negative zero.
        let awkward: [Double] = [0.1, -0.0, .leastNonzeroMagnitude, Double("1e-310")!, 1.7976931348623157e308, 123456789.12345679, 1e-5, 1e16, -2.5]
        let names = (0..<features).map { "f\($0)_特征" }
        let ids = ["srdi_loan", "little_giant_loan", "patent_loan", "bse", "star", "neeq"]
        return LinearModel(featureNames: names, products: (0..<products).map { k in
            LinearModel.Product(id: ids[k % ids.count] + (k >= ids.count ? "_\(k)" : ""),
                                chineseName: "产品\(k)", englishName: "Product \"\(k)\"\n",
                                intercept: rng.normal(),
                                weights: (0..<features).map { j in
                                    j < awkward.count && k == 0 ? awkward[j] : rng.normal() * pow(10, Double(Int.random(in: -8...8, using: &rng)))
                                })
        })
    }

    func write(_ text: String) -> String {
        let path = temporaryFolder() + "/model.json"
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    func readError(_ text: String) -> ModelFileError? {
        let path = write(text)
        do {
            _ = try ModelFile.read(from: path)
            return nil
        } catch {
            #expect(error.path == path)
            #expect(error.description.hasPrefix(path + ": "), "every message starts with the file: \(error)")
            return error
        }
    }

    @Test("A model written and read back is bit-for-bit the same", arguments: [1, 2, 3] as [UInt64])
    func roundTripIsExact(seed: UInt64) throws {
        let model = sampleModel(seed: seed, features: 9, products: 7)
        let path = temporaryFolder() + "/m.json"
        try ModelFile.write(model, to: path)
        let back = try ModelFile.read(from: path)
        #expect(back.featureNames == model.featureNames)
        #expect(back.products.map(\.id) == model.products.map(\.id))
        #expect(back.products.map(\.englishName) == model.products.map(\.englishName))
        for (a, b) in zip(model.products, back.products) {
            #expect(a.intercept.bitPattern == b.intercept.bitPattern)
            #expect(a.weights.map(\.bitPattern) == b.weights.map(\.bitPattern))
        }
        // Writing the read model gives the same bytes: the format is canonical.
        let again = temporaryFolder() + "/m.json"
        try ModelFile.write(back, to: again)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: URL(fileURLWithPath: again)))
    }

    @Test("The shipped example model loads and has Chinese product names")
    func shippedExampleLoads() throws {
        let model = try ModelFile.read(from: repositoryRoot() + "/Models/example-model.json")
        #expect(model.products.map(\.id) == ["srdi_loan", "little_giant_loan", "bse"])
        #expect(model.products.map(\.chineseName) == ["专精特新贷", "小巨人贷", "北交所"])
    }

    @Test("Another format version is refused with the version it found and what to do")
    func otherVersion() throws {
        var json = ModelFile.encode(sampleModel()).prettyPrinted()
        json = json.replacingOccurrences(of: "\"format_version\": 1", with: "\"format_version\": 5")
        let error = try #require(readError(json))
        guard case .unsupportedVersion(_, let found) = error else { Issue.record("got \(error)"); return }
        #expect(found == "5")
        #expect(error.description.contains("reads versions 1, 2, 3 and 4"))
        #expect(error.description.contains("finrec train"))
    }

    @Test("A file truncated anywhere is refused with the line and column where it ends",
          arguments: [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])
    func truncated(fraction: Double) throws {
        let full = Array(ModelFile.encode(sampleModel()).prettyPrinted().utf8)
        let cut = Array(full.prefix(Int(Double(full.count) * fraction)))
        let text = String(decoding: cut, as: UTF8.self)
        let error = try #require(readError(text))
        guard case .syntax(_, let syntax) = error else { Issue.record("got \(error)"); return }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(syntax.line >= 1 && syntax.line <= max(1, lines.count))
        #expect(syntax.message.contains("truncated") || syntax.message.contains("expected"))
    }

    @Test("Weights that disagree with the feature count are refused, naming the product")
    func shapeMismatch() throws {
        var model = sampleModel()
        model.products[2].weights.removeLast()
        // Bypass the writer's own check to produce the corrupt file a buggy tool might.
        let json = ModelFile.encode(model).prettyPrinted()
        let error = try #require(readError(json))
        guard case .invalid(_, let problems) = error else { Issue.record("got \(error)"); return }
        #expect(problems.map(\.field) == ["products[2].weights"])
        #expect(error.description.contains("has 5 values but the model has 6 features"))
    }

    @Test("Each malformed field gets its own message", arguments: [
        ("{\"format\": \"other\", \"format_version\": 1}", "not a FinRec model file"),
        ("[1, 2]", "should be an object"),
        ("{\"format_version\": 1}", "model.json: format: missing."),
        ("{\"format\": \"finrec-model\"}", "model.json: format_version: missing."),
        ("{\"format\": \"finrec-model\", \"format_version\": 1, \"finrec_version\": \"0.1.0\", \"feature_names\": [\"a\"]}", "model.json: products: missing."),
        ("{\"format\": \"finrec-model\", \"format_version\": 1, \"finrec_version\": \"0.1.0\", \"feature_names\": \"a\", \"products\": []}", "feature_names: should be an array, is a string"),
        ("{\"format\": \"finrec-model\", \"format_version\": 1, \"finrec_version\": \"0.1.0\", \"feature_names\": [\"a\"], \"products\": [{\"id\": \"x\", \"name_zh\": \"甲\", \"name_en\": \"X\", \"intercept\": \"1\", \"weights\": [1]}]}", "products[0].intercept: should be a number, is a string"),
        ("{\"format\": \"finrec-model\", \"format_version\": 1, \"finrec_version\": \"0.1.0\", \"feature_names\": [\"a\"], \"products\": [{\"id\": \"x\", \"name_zh\": \"甲\", \"name_en\": \"X\", \"intercept\": 1, \"weights\": [1], \"bias\": 2}]}", "products[0].bias: unknown field"),
        ("{\"format\": \"finrec-model\", \"format_version\": 1, \"finrec_version\": \"0.1.0\", \"feature_names\": [\"a\", \"a\"], \"products\": [{\"id\": \"x\", \"name_zh\": \"甲\", \"name_en\": \"X\", \"intercept\": 1, \"weights\": [1, 2]}]}", "repeats the feature name \"a\""),
        ("{\"format\": \"finrec-model\", \"format_version\": 1, \"finrec_version\": \"0.1.0\", \"feature_names\": [\"a\"], \"products\": [{\"id\": \"x\", \"name_zh\": \"甲\", \"name_en\": \"X\", \"intercept\": 1e999, \"weights\": [1]}]}", "outside the range of a 64-bit float"),
    ])
    func malformed(json: String, expected: String) throws {
        let error = try #require(readError(json))
        #expect(error.description.contains(expected), "\(error.description)")
    }

    /// `value` with the member at `path` (keys and array indices) replaced by `replacement`.
    static func replacing(_ path: ArraySlice<String>, in value: JSONValue, with replacement: JSONValue) -> JSONValue {
        guard let step = path.first else { return replacement }
        switch value {
        case .object(var o):
            o[step] = replacing(path.dropFirst(), in: o[step] ?? .null, with: replacement)
            return .object(o)
        case .array(var a):
            let i = Int(step)!
            a[i] = replacing(path.dropFirst(), in: a[i], with: replacement)
            return .array(a)
        default:
            preconditionFailure("no member \(step) in \(value)")
        }
    }

    @Test("A damaged section of a trained model names the field by its full key path", arguments: [
        ("features/statistics/6/count", JSONValue.number(3.5), "features.statistics[6].count: should be a whole number"),
        ("features/statistics/6/sd", .number(0), "features.statistics[6].sd: should be positive"),
        ("features/spec/features/1/clip", .array([.number(1)]), "features.spec.features[1].clip:"),
        ("catalog/offers/2/rule/all/0/status", .string("maybe"), "catalog.offers[2].rule.all[0].status:"),
        ("catalog/offers/0/kind", .string("grant"), "catalog.offers[0].kind:"),
        ("hyperparameters/tolerance", .string("tight"), "hyperparameters.tolerance: should be a number, is a string"),
        ("metrics/srdi_loan/auc", .null, "metrics.srdi_loan.auc: should be a number, is null"),
        ("metrics/grant", .number(1), "metrics.grant: not a product of this model"),
        ("provenance/rows", .number(-1), "provenance.rows: should be a whole number"),
        ("scaling/factor", .string("20"), "scaling.factor: should be a number, is a string"),
    ])
    func trainedSectionKeyPaths(path: String, replacement: JSONValue, expected: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let original = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: root + "/Models/default-model.json")))
        let damaged = Self.replacing(path.split(separator: "/").map(String.init)[...], in: original, with: replacement)
        let file = write(damaged.prettyPrinted())
        do {
            _ = try TrainedModel.read(from: file)
            Issue.record("read a damaged model (\(path))")
        } catch {
            #expect(error.description.hasPrefix(file + ": " + expected), "\(error.description)")
        }
    }

    @Test("A missing file names the path")
    func missingFile() {
        #expect(throws: ModelFileError.self) { try ModelFile.read(from: "/nonexistent/model.json") }
        do {
            _ = try ModelFile.read(from: "/nonexistent/model.json")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/model.json: cannot read"))
        }
    }

    @Test("Writing replaces the old file atomically and leaves no temporary files")
    func atomicReplace() throws {
        let folder = temporaryFolder()
        let path = folder + "/model.json"
        try ModelFile.write(sampleModel(seed: 1), to: path)
        try ModelFile.write(sampleModel(seed: 2), to: path)
        #expect(contentsOfFolder(folder) == ["model.json"])
        #expect(try ModelFile.read(from: path) == sampleModel(seed: 2))
    }

    @Test("A model with a non-finite weight is never written, and the old file survives")
    func nonFiniteRefused() throws {
        let folder = temporaryFolder()
        let path = folder + "/model.json"
        try ModelFile.write(sampleModel(seed: 1), to: path)
        var bad = sampleModel(seed: 2)
        bad.products[1].weights[3] = .nan
        #expect(throws: ModelFileError.self) { try ModelFile.write(bad, to: path) }
        #expect(contentsOfFolder(folder) == ["model.json"])
        #expect(try ModelFile.read(from: path) == sampleModel(seed: 1))
    }

    @Test("Writing into a missing folder fails with the path and leaves nothing behind")
    func unwritable() {
        let folder = temporaryFolder()
        let path = folder + "/no-such-folder/model.json"
        do {
            try ModelFile.write(sampleModel(), to: path)
            Issue.record("write should have failed")
        } catch {
            #expect(error.description.contains(path))
        }
        #expect(contentsOfFolder(folder).isEmpty)
    }

    @Test("A discarded writer leaves the target untouched")
    func discardedWriter() throws {
        let folder = temporaryFolder()
        let path = folder + "/out.csv"
        try AtomicFileWriter.write(Array("old\n".utf8), to: path)
        do {
            let writer = try AtomicFileWriter(path: path)
            try writer.write("new, partial")
            // Dropped without commit, as when a later row fails.
        }
        #expect(contentsOfFolder(folder) == ["out.csv"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
    }
}

/// The repository root, found from this source file's location.
func repositoryRoot(file: String = #filePath) -> String {
    URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}
