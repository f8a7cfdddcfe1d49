import FinRec
import Foundation
import Testing

@Suite("The typed finrec-score document: written and read back")
struct ScoreReportTests {
    static let scorer: OfferScorer = {
        let model = try! TrainedModel.read(from: repositoryRoot() + "/Models/default-model.json")
        return try! OfferScorer(model: model, asOf: CivilDate(isoDate: "2026-06-30")!.daysSinceEpoch)
    }()

    static func document(_ file: String, language: Language) throws -> ScoreDocument {
        let reader = try EnterpriseFileReader(path: repositoryRoot() + "/Datasets/applicants/" + file)
        let chunk = try #require(try reader.nextChunk())
        return ScoreDocument(results: ApplicantAssessment.assess(Self.scorer.score(chunk, firstRow: 0), with: Self.scorer, language: language),
                             scorer: Self.scorer, language: language, reasons: 5, modelPath: "m.json", asOf: "2026-06-30")
    }

    static let applicants = ["credit-problem.json", "innovative-sme.json", "little-giant.json", "missing-fields.json",
                             "neeq-innovation-tier.json", "no-certification.json", "provincial-srdi.json"]

    @Test("Every example applicant's document reads back equal to what was written, in both languages", arguments: applicants)
    func roundTrip(file: String) throws {
        for language in Language.allCases {
            let document = try Self.document(file, language: language)
            let written = document.report()
            let read = try ScoreReport(json: Array(document.json().utf8))
            #expect(read == written)
            // Writing what was read gives the same text again.
            #expect(read.json.prettyPrinted() == document.json())
        }
    }

    @Test("The typed document holds what the parsed JSON holds (an independent reading by key)")
    func matchesParsedJSON() throws {
        let document = try Self.document("provincial-srdi.json", language: .zh)
        let report = document.report()
        guard case .object(let root) = try JSONValue.parse(Array(document.json().utf8)), case .array(let enterprises)? = root["enterprises"],
              case .object(let e)? = enterprises.first, case .array(let offers)? = e["offers"] else {
            Issue.record("not a finrec-score document"); return
        }
        let typed = try #require(report.enterprises.first)
        #expect(typed.offers.count == offers.count)
        for (o, j) in zip(typed.offers, offers) {
            #expect(j["id"] == .string(o.id))
            #expect(j["status"] == .string(o.status))
            #expect(j["list"] == .string(o.list))
            if case .number(let p)? = j["probability"] { #expect(o.probability == p) } else { #expect(o.probability == nil) }
            if case .array(let items)? = j["gap"]?["items"] { #expect(o.gap?.items.count == items.count) } else { #expect(o.gap == nil) }
        }
    }

    @Test("Another document, or text that is no JSON, is refused with what it is")
    func refusals() {
        #expect(throws: ScoreReportError.self) { try ScoreReport(json: Array(#"{"format": "finrec-rank", "offers": []}"#.utf8)) }
        #expect(throws: ScoreReportError.self) { try ScoreReport(json: Array("offer_id,rank\nbse,1\n".utf8)) }
        do {
            _ = try ScoreReport(json: Array(#"{"format": "finrec-rank"}"#.utf8))
        } catch {
            #expect(error.description.contains("finrec-rank"))
        }
    }
}
