import ArgumentParser
import FinRec

@main
struct FinRecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finrec",
        abstract: "Financing recommendations for 专精特新 (SRDI) SMEs: bank credit products and listing boards.",
        discussion: """
            Scores enterprises with one linear model per product (OpenBLAS), beside the real \
            eligibility rules of each product and board. Product names are shown in Chinese \
            with their stable ids, e.g. 专精特新贷 (srdi_loan), 北交所 (bse).
            """,
        version: FinRecVersion.current,
        subcommands: [Score.self, Rank.self, Synth.self, Check.self, Schema.self, Train.self, Evaluate.self, Predict.self, Inspect.self]
    )
}

/// Flags every computing subcommand shares.
struct RuntimeOptions: ParsableArguments {
    @Option(name: .long, help: "Worker threads (default: all available cores). OpenBLAS itself runs one thread per worker.")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("Please give --threads a whole number of at least 1, or leave it out to use every core.")
        }
    }

    var policy: ThreadPolicy {
        threads.map { ThreadPolicy(workers: $0) } ?? .allCores
    }
}

/// The assessment date of the eligibility rules, shared by the commands that evaluate them.
struct AssessmentDateOption: ParsableArguments {
    @Option(name: .long, help: "Assessment date for the eligibility rules, YYYY-MM-DD (default: 30 June after the data's fiscal year 2025).")
    var asOf = "2026-06-30"

    func validate() throws {
        guard daysSinceEpoch(isoDate: asOf) != nil else { throw ValidationError("Please write --as-of as YYYY-MM-DD, e.g. 2026-06-30.") }
    }

    /// Days since 1970-01-01; valid after `validate()`.
    var day: Int { daysSinceEpoch(isoDate: asOf)! }
}

/// Days since 1970-01-01 of a YYYY-MM-DD date, or nil when it is not a calendar date.
func daysSinceEpoch(isoDate text: String) -> Int? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
    guard parts.count == 3, let y = parts[0], let m = parts[1], let d = parts[2] else { return nil }
    return CivilDate(year: y, month: m, day: d)?.daysSinceEpoch
}
