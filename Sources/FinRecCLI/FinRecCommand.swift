import ArgumentParser
import FinRec
import FinRecCLISupport

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
        subcommands: [Score.self, Rank.self, Plan.self, Track.self, Synth.self, Check.self, Schema.self, Train.self, Evaluate.self, Predict.self, Inspect.self, Bins.self, Scorecard.self, Monitor.self, Report.self, Export.self,
                      ServeHandOff.self, TokenHandOff.self, AuditHandOff.self]
    )

    /// `finrec serve`, `token` and `audit` (and `finrec help serve`, …) become `finrec-desk`
    /// before any parsing; everything else is parsed here.
    static func main() {
        DeskHandOff.execIfDeskCommand(Array(CommandLine.arguments.dropFirst()))
        ProcessMemory.keepFreedBlocks()
        main(nil)
    }
}
