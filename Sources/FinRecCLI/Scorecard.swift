import ArgumentParser
import FinRec
import FinRecCLISupport

struct Scorecard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scorecard",
        abstract: "Write the flat scorecard: per offer, the base points and each feature's points per bin, category or unit.",
        discussion: """
            An enterprise's points for an offer are the base plus one row per feature: the row of its bin, category, \
            special value or missing value; for a feature the model uses linearly, points + slope × t(value) with t the \
            row's transform and t(value) clipped to [lower, upper]. The sum is the points finrec score shows \
            (points = offset + factor × ln(odds)).
            """)

    @Option(name: .long, help: "The model (default: Models/default-model.json).")
    var model: String?

    @Option(name: .long, help: "csv or json (default: json for an --output ending in .json, else csv).")
    var format: ScorecardDocument.Format?

    @Option(name: .long, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    func run() throws {
        let loaded = try TrainedModel.read(from: try DefaultModel.resolve(model))
        let text = ScorecardDocument(model: loaded).render(format ?? (namesJSON(output) ? .json : .csv))
        try deliver(text, to: output)
    }
}
