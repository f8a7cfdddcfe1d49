import ArgumentParser
import FinRec
@testable import FinRecCLI
import Foundation
import Testing

@Suite("finrec synth, check and schema, end to end")
struct DataCommandTests {
    func folder() -> String {
        let path = NSTemporaryDirectory() + "finrec-cli-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("synth writes the same file for the same seed, and a different one for another seed")
    func synthIsDeterministic() throws {
        let dir = folder()
        for (name, seed) in [("a", "7"), ("b", "7"), ("c", "8")] {
            let command = try Synth.parse(["--count", "300", "--seed", seed, "--output", "\(dir)/\(name).csv", "--threads", "2"])
            try command.run()
        }
        let a = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/a.csv"))
        #expect(a == (try Data(contentsOf: URL(fileURLWithPath: "\(dir)/b.csv"))))
        #expect(a != (try Data(contentsOf: URL(fileURLWithPath: "\(dir)/c.csv"))))
        let lines = String(decoding: a, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 301)
        #expect(lines[0].hasPrefix("enterprise_id,name,city,") && lines[0].hasSuffix(",label_regional_board,label_receivables_finance,label_procurement_loan,label_angel_fund,label_venture_fund,label_industry_fund"))
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir)) == ["a.csv", "b.csv", "c.csv"])
    }

    @Test("check with skip writes the rejects file next to the input and succeeds")
    func checkSkips() throws {
        let dir = folder()
        let input = dir + "/pool.csv"
        let synth = try Synth.parse(["--count", "50", "--output", input])
        try synth.run()
        // Break line 3's revenue.
        var lines = try String(contentsOfFile: input, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var cells = lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        cells[9] = "12,5"
        lines[2] = cells.joined(separator: ",")
        try lines.joined(separator: "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let failing = try Check.parse([input])
        #expect(throws: InputFileError.self) { try failing.run() }
        let skipping = try Check.parse([input, "--on-error", "skip"])
        try skipping.run()
        let rejects = try String(contentsOfFile: input + ".rejects.csv", encoding: .utf8)
        #expect(rejects.hasPrefix("line,column,field,reason,record\n3,"))
    }

    @Test("Reading flags are validated before any work, saying what to give", arguments: [
        (["x.csv", "--rejects", "r.csv"], "--rejects goes with --on-error skip."),
        (["x.csv", "--chunk-rows", "0"], "Please give --chunk-rows a whole number of at least 1."),
        (["x.csv", "--on-error", "ignore"], "The value 'ignore' is invalid for '--on-error <on-error>'. Please provide one of 'fail' and 'skip'."),
    ])
    func invalidReadingFlags(arguments: [String], message: String) {
        let text = failureMessage(Check.self) { _ = try Check.parse(arguments) }
        #expect(text == message, "\(text ?? "no error")")
    }

    @Test("synth refuses a count below 1")
    func synthCount() {
        let text = failureMessage(Synth.self) { _ = try Synth.parse(["--count", "0", "--output", "x.csv"]) }
        #expect(text == "Please give --count a whole number of at least 1.", "\(text ?? "no error")")
    }

    @Test("synth --years writes one snapshot a year of the same firms, ordered by year; its flags are checked")
    func synthPanel() throws {
        let folder = NSTemporaryDirectory() + "finrec-panel-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let panel = folder + "/panel.csv", single = folder + "/2022.csv"
        try Synth.parse(["--years", "2022-2024", "--count", "400", "--seed", "9", "--output", panel]).run()
        try Synth.parse(["--fiscal-year", "2022", "--count", "400", "--seed", "9", "--output", single]).run()
        let rows = CSVText.rows(try String(contentsOfFile: panel, encoding: .utf8)).filter { $0.count > 1 }
        let year = rows[0].firstIndex(of: "fiscal_year")!, id = rows[0].firstIndex(of: "enterprise_id")!
        let years = rows.dropFirst().map { Int($0[year])! }
        #expect(years == years.sorted() && Set(years) == [2022, 2023, 2024])
        // Year one is the single snapshot; later years hold most of the same firms and some new ones.
        let first = CSVText.rows(try String(contentsOfFile: single, encoding: .utf8)).filter { $0.count > 1 }
        #expect(Array(rows.prefix(401)) == first)
        let ids2022 = Set(rows.dropFirst().filter { $0[year] == "2022" }.map { $0[id] })
        let ids2024 = Set(rows.dropFirst().filter { $0[year] == "2024" }.map { $0[id] })
        #expect(ids2024.intersection(ids2022).count > 350 && ids2024.subtracting(ids2022).count == 80)
        for (arguments, message) in [
            (["--years", "2022-2025", "--fiscal-year", "2024"], "--years and --fiscal-year exclude each other: a panel's first year is the first of --years."),
            (["--years", "2025-2022"], "Please give --years as FIRST-LAST, two to ten fiscal years from 2000 to 2100, e.g. 2022-2025."),
            (["--years", "2022"], "Please give --years as FIRST-LAST, two to ten fiscal years from 2000 to 2100, e.g. 2022-2025."),
            (["--years", "2022-2025", "--margin-shift", "0.02"], "The shifts apply to one snapshot; a panel (--years 2022-2025) evolves its own accounts."),
        ] {
            let text = failureMessage(Synth.self) { _ = try Synth.parse(arguments + ["--output", "x.csv"]) }
            #expect(text == message, "\(arguments): \(text ?? "no error")")
        }
    }
}
