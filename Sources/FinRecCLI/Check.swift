import ArgumentParser
import FinRec
import FinRecCLISupport

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate an enterprise file (CSV, JSON or JSON Lines) and summarise it: rows, rejects, missing fields, tiers.",
        discussion: "Run it on a file before scoring or training: it reads the file exactly as those commands do.")

    @Argument(help: "The enterprise file.")
    var input: String

    @OptionGroup var reading: ReadingOptions

    func run() throws {
        var options = reading.readerOptions(for: input)
        options.onEncoding = nil  // the summary says it
        let reader = try EnterpriseFileReader(path: input, options: options)
        let schema = EnterpriseSchema.schema
        var missing = [Int](repeating: 0, count: schema.fields.count)
        var tiers = [Int](repeating: 0, count: EnterpriseSchema.tiers.count)
        var rows = 0
        let tierIndex = schema.index(of: "certification_tier")!
        while let chunk = try reader.nextChunk() {
            rows += chunk.rowCount
            for i in schema.fields.indices { missing[i] += chunk.missingCount(field: i) }
            if case .numeric(let c) = chunk.column(tierIndex) {
                for r in 0..<chunk.rowCount { if let t = c[r] { tiers[Int(t)] += 1 } }
            }
        }
        let report = try reader.finish()
        var lines = ["\(input): \(report.rowsAccepted) rows accepted, \(report.rowsRejected) rejected"
                     + (report.rejectsPath.map { " (reasons in \($0))" } ?? "")]
        if let note = report.encoding.readNote { lines.append(note) }
        if !report.unknownColumns.isEmpty { lines.append("columns FinRec does not know (kept for expressions): " + report.unknownColumns.joined(separator: ", ")) }
        if !report.absentFields.isEmpty { lines.append("fields with no column (read as missing): " + report.absentFields.joined(separator: ", ")) }
        lines.append("tiers: " + zip(EnterpriseSchema.tiers, tiers).map { "\($0.chinese) \($1)" }.joined(separator: ", "))
        let gaps = zip(schema.fields, missing).filter { $1 > 0 && !report.absentFields.contains($0.name) }
        if rows > 0, !gaps.isEmpty {
            lines.append("missing values:")
            for (field, count) in gaps {
                lines.append("  \(field.displayName): \(count) (\(Fixed.format(100 * Double(count) / Double(rows), digits: 1))%)")
            }
        }
        print(lines.joined(separator: "\n"))
    }
}
