import ArgumentParser
import FinRec
import FinRecCLISupport

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a model file holds: its products and features.")

    @Option(name: .long, help: "The model file (JSON written by FinRec).")
    var model: String

    func run() throws {
        let loaded = try ModelFile.read(from: model)
        var text = summary(of: loaded)
        // A trained model (version 2 and later) also says what its event means.
        if let trained = try? TrainedModel.read(from: model) {
            text += "\nevent: " + (trained.features.polarity == .favourable ? "favourable (label 1 is good news for the applicant)"
                                    : "adverse (label 1 is bad news for the applicant, e.g. default: a higher probability is worse)")
        }
        print(text)
    }

    func summary(of m: LinearModel) -> String {
        var lines = ["model \(model): \(m.products.count) products, \(m.featureNames.count) features",
                     "products:"]
        for p in m.products {
            let largest = zip(m.featureNames, p.weights).max { abs($0.1) < abs($1.1) }
            let note = largest.map { "  largest weight: \($0.0) \(Fixed.exact($0.1, digits: 3))" } ?? ""
            lines.append("  \(p.displayName)  \(p.englishName)  intercept \(Fixed.exact(p.intercept, digits: 3))\(note)")
        }
        lines.append("features: " + m.featureNames.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}
