import FinRec
import Foundation
import Testing

// The DocC article "Score applicants from your own Swift service" (Sources/FinRec/FinRec.docc):
// its code, compiled here verbatim, and run on the shipped model and applicants.

// BEGIN article code
/// The model in service: read once, shared by every request.
func loadModel() throws -> ScoringModel {
    try ScoringModel(path: "Models/default-model.json", asOf: "2026-06-30")
}

/// The eligible offers of each applicant in `body`, best first, and the document to store.
func assess(_ body: [UInt8], model: ScoringModel) throws -> (offers: [String], json: String) {
    var options = ScoreOptions()
    options.language = .en
    options.reasons = 3
    let reader = try EnterpriseFileReader(bytes: body, name: "request body")
    let document = try ScoreUseCase.assess(reader, model: model, options: options)
    var offers: [String] = []
    for applicant in document.results {
        for offer in applicant.offers where offer.status == .pass {
            let probability = offer.probability.map { String(Int(($0 * 100).rounded())) + "%" } ?? "rules only"
            offers.append("\(applicant.enterpriseID) \(offer.offer.chineseName) (\(offer.offer.id)): \(probability)")
        }
    }
    return (offers, document.render(.json))
}

/// The ten firms nearest to the 北交所 (bse) among those that do not pass yet.
func nearest(pool path: String, model: ScoringModel) throws -> String {
    var options = RankOptions()
    options.products = ["bse"]
    options.top = 10
    options.nearMisses = 10
    let document = try RankUseCase.rank(try EnterpriseFileReader(path: path), model: model, options: options)
    return document.csv()
}
// END article code

@Suite("The DocC article's code: compiled verbatim, run on the shipped model")
struct DocumentationTests {
    static let article = repositoryRoot() + "/Sources/FinRec/FinRec.docc/ScoreFromYourService.md"

    /// The article's swift blocks, each without its `import FinRec` line.
    static func articleBlocks() throws -> [String] {
        let text = try String(contentsOfFile: article, encoding: .utf8)
        var blocks: [String] = [], current: [String]? = nil
        for line in text.components(separatedBy: "\n") {
            if line == "```swift" { current = [] } else if line == "```", let block = current {
                blocks.append(block.filter { $0 != "import FinRec" }.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines))
                current = nil
            } else { current?.append(line) }
        }
        return blocks
    }

    @Test("Every swift block of the article is in this file between the markers, character for character")
    func articleCodeIsCompiled() throws {
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        let begin = try #require(source.range(of: "// BEGIN article code\n")), end = try #require(source.range(of: "// END article code"))
        let compiled = String(source[begin.upperBound..<end.lowerBound])
        let blocks = try Self.articleBlocks()
        #expect(blocks.count == 3)
        for block in blocks { #expect(compiled.contains(block), "not compiled: \(block.prefix(80))") }
        // And nothing here the article does not show.
        #expect(blocks.joined(separator: "\n\n") == compiled.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test("The article's service code gives the eligible offers the assessment lists, and the finrec-score document")
    func articleCodeRuns() throws {
        // `swift test` runs in the package's folder, where the article's relative path points.
        #expect(FileManager.default.currentDirectoryPath == repositoryRoot())
        let model = try loadModel()
        let body = try FileBytes.read(repositoryRoot() + "/Datasets/applicants/little-giant.json")
        let (offers, json) = try assess(body, model: model)
        // Independent of the article's loop: the passes as the JSON document lists them.
        guard case .object(let root) = try JSONValue.parse(Array(json.utf8)), case .array(let enterprises)? = root["enterprises"],
              case .object(let first)? = enterprises.first, case .array(let listed)? = first["offers"] else {
            Issue.record("not a finrec-score document"); return
        }
        let passing = listed.compactMap { o -> String? in
            guard case .object(let o) = o, o["status"] == .string("pass"), case .string(let id)? = o["id"] else { return nil }
            return id
        }
        #expect(!passing.isEmpty)
        #expect(offers.count == passing.count)
        for (line, id) in zip(offers, passing) { #expect(line.contains("(\(id)):"), "\(line) vs \(id)") }
        #expect(root["language"] == .string("en"))
    }

    @Test("The article's near-miss ranking lists 北交所 (bse) only, at most ten near-misses")
    func articleRankRuns() throws {
        let model = try ScoringModel(path: repositoryRoot() + "/Models/default-model.json", asOf: "2026-06-30")
        let csv = try nearest(pool: repositoryRoot() + "/Datasets/shandong-pool.csv", model: model)
        let rows = CSVText.rows(csv).dropFirst()
        #expect(!rows.isEmpty)
        #expect(rows.allSatisfy { $0.first == "bse" })
        #expect(rows.filter { $0[4] == "near_miss" }.count == 10)
        #expect(rows.filter { $0[4] == "eligible" }.count <= 10)
    }
}
