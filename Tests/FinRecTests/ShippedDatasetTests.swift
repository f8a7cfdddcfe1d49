import FinRec
import Foundation
import Testing

@Suite("Shipped datasets")
struct ShippedDatasetTests {
    @Test("DATASET.md's column table is the schema's own table")
    func datasetDocMatchesSchema() throws {
        let doc = try String(contentsOfFile: repositoryRoot() + "/Datasets/DATASET.md", encoding: .utf8)
        let begin = try #require(doc.range(of: "<!-- schema:begin -->\n"))
        let end = try #require(doc.range(of: "<!-- schema:end -->"))
        #expect(String(doc[begin.upperBound..<end.lowerBound]) == EnterpriseSchema.schema.markdownTable())
    }

    @Test("The shipped pool is what the documented command generates, and reads without rejects")
    func shippedPoolIsReproducible() throws {
        let path = temporaryFolder() + "/pool.csv"
        try SyntheticDataset(generator: EnterpriseGenerator(seed: 2022, fiscalYear: 2025), withTruth: true).write(count: 20_000, to: path)
        let shipped = repositoryRoot() + "/Datasets/shandong-pool.csv"
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: URL(fileURLWithPath: shipped)))
        let reader = try CSVRecordReader(path: shipped, schema: EnterpriseSchema.schema)
        _ = try reader.readAll()
        #expect(try reader.finish().rowsAccepted == 20_000)
    }

    @Test("Every example applicant reads", arguments: ["little-giant", "neeq-innovation-tier", "provincial-srdi",
                                                      "innovative-sme", "no-certification", "credit-problem", "missing-fields"])
    func applicantsRead(name: String) throws {
        let (chunk, report) = try JSONRecordReader.read(path: repositoryRoot() + "/Datasets/applicants/\(name).json", schema: EnterpriseSchema.schema)
        #expect(chunk.rowCount == 1 && report.rowsRejected == 0 && report.unknownColumns.isEmpty)
    }
}
