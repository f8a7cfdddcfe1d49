import ArgumentParser
import FinRec

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what a model file holds: its products and features.")

    @Option(name: .long, help: "The model file (JSON written by FinRec).")
    var model: String

    func run() throws {
        let loaded = try ModelFile.read(from: model)
        print(summary(of: loaded))
    }

    func summary(of m: LinearModel) -> String {
        var lines = ["model \(model): \(m.products.count) products, \(m.featureNames.count) features",
                     "products:"]
        for p in m.products {
            let largest = zip(m.featureNames, p.weights).max { abs($0.1) < abs($1.1) }
            let note = largest.map { "  largest weight: \($0.0) \(formatFixed($0.1, digits: 3))" } ?? ""
            lines.append("  \(p.displayName)  \(p.englishName)  intercept \(formatFixed(p.intercept, digits: 3))\(note)")
        }
        lines.append("features: " + m.featureNames.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}

/// `x` with exactly `digits` decimals, e.g. 0.500 (no locale, no exponent).
func formatFixed(_ x: Double, digits: Int) -> String {
    guard x.isFinite else { return "\(x)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(x) * scale).rounded()
    let whole = Int64(scaled / scale)
    let frac = Int64(scaled - Double(whole) * scale)
    let sign = x < 0 && scaled != 0 ? "-" : ""
    if digits == 0 { return sign + String(whole) }
    let f = String(frac)
    return sign + String(whole) + "." + String(repeating: "0", count: digits - f.count) + f
}
