import FinRec
import Foundation
import Testing

@Suite("ChunkPipeline: parallel decode with file-order checks")
struct ChunkPipelineTests {
    /// The first `rows` records of the shipped pool (with header) as lines.
    static func lines(_ rows: Int) throws -> [String] {
        let text = try String(contentsOfFile: InferenceTests.root + "/Datasets/shandong-pool.csv", encoding: .utf8)
        return Array(text.split(separator: "\n").prefix(rows + 1).map(String.init))
    }

    static func write(_ lines: [String]) throws -> String {
        let path = temporaryFolder() + "/pool.csv"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Ids in the order `consume` saw them, with each chunk's first-row position.
    static func run(_ path: String, workers: Int, chunkRows: Int) throws -> (ids: [String], firsts: [Int]) {
        var options = ReaderOptions()
        options.chunkRows = chunkRows
        let reader = try EnterpriseFileReader(path: path, options: options)
        var ids: [String] = [], firsts: [Int] = []
        let pipeline = ChunkPipeline<ChunkAt>(reader: reader, workers: workers,
                                              transform: { chunk, first in ChunkAt(ids: chunk.ids, first: first) },
                                              consume: { ids += $0.ids; firsts.append($0.first) })
        try pipeline.run()
        return (ids, firsts)
    }

    struct ChunkAt: Sendable {
        let ids: [String]
        let first: Int
    }

    @Test("Rows arrive in file order, with their positions, for any worker count", arguments: [1, 2, 3])
    func order(workers: Int) throws {
        let lines = try Self.lines(3_000)
        let path = try Self.write(lines)
        let expected = lines.dropFirst().map { String($0.prefix { $0 != "," }) }
        let (ids, firsts) = try Self.run(path, workers: workers, chunkRows: 257)
        #expect(ids == expected)
        #expect(firsts == Array(stride(from: 0, to: 3_000, by: 257)))
    }

    @Test("The first error in file order wins: a bad cell before a duplicate id and a broken quote", arguments: [1, 2, 3])
    func firstErrorWins(workers: Int) throws {
        var lines = try Self.lines(3_000)
        lines[1_500] = lines[1_500].replacingOccurrences(of: ",2025,", with: ",2O25,")   // letter O: bad fiscal year, line 1501
        lines[2_500] = lines[10]                                                       // duplicate id, line 2501
        lines[2_990] += ",\"unterminated"                                               // scan error near the end
        let path = try Self.write(lines)
        do {
            _ = try Self.run(path, workers: workers, chunkRows: 100)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("pool.csv:1501:5 (fiscal_year)"), "\(error)")
        }
        lines[1_500] = try Self.lines(3_000)[1_500]
        let path2 = try Self.write(lines)
        do {
            _ = try Self.run(path2, workers: workers, chunkRows: 100)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains(":2501") && "\(error)".contains("appears on an earlier line"), "\(error)")
        }
    }
}
