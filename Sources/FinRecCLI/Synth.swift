import ArgumentParser
import FinRec
import FinRecCLISupport

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate synthetic Shandong enterprises with outcome labels for every offer.",
        discussion: """
            Calibrated to the 2022 Shandong plan and the national SRDI figures (see Datasets/DATASET.md): \
            50% innovative SMEs, 46.25% provincial 专精特新, 3.75% national 小巨人. Labels label_<id> come from a \
            hidden world model in which a firm that breaks an offer's real eligibility rule never succeeds; \
            --with-truth adds the true success probabilities truth_<id>. The same --seed always gives the same file.
            """)

    @Option(name: .long, help: "How many enterprises (streamed; tens of millions are fine).")
    var count: Int = 20_000

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 2022

    @Option(name: .long, help: "The latest fiscal year of the accounts (_y1).")
    var fiscalYear: Int?

    @Option(name: .long, help: "A panel of years, e.g. 2022-2025: one snapshot a year for the same firms (stable ids), the accounts evolving, last year's outcomes showing, tiers granted and lost, exits and new entrants (Datasets/DATASET.md). --count is the first year's firms.")
    var years: String?

    @Flag(name: .long, help: "Also write the true success probabilities (truth_<id> columns).")
    var withTruth = false

    @Option(name: .long, help: "Population shift: add this to every firm's latest net margin (-0.04: 4 points weaker profits), e.g. to test `finrec monitor`.")
    var marginShift = 0.0

    @Option(name: .long, help: "Population shift: add this to every firm's latest revenue growth (-0.1: 10 points slower).")
    var growthShift = 0.0

    @Option(name: .long, help: "Population shift: add this to every firm's debt ratio (0.05: 5 points more debt).")
    var debtShift = 0.0

    @Option(name: .long, help: "The CSV file to write (atomically).")
    var output: String

    @OptionGroup var runtime: RuntimeOptions

    /// `--years FIRST-LAST`, checked.
    var yearRange: ClosedRange<Int>? {
        get throws {
            guard let years else { return nil }
            let parts = years.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let first = Int(parts[0]), let last = Int(parts[1]), (2000...2100).contains(first), (2000...2100).contains(last),
                  first < last, last - first < 10 else {
                throw ValidationError("Please give --years as FIRST-LAST, two to ten fiscal years from 2000 to 2100, e.g. 2022-2025.")
            }
            return first...last
        }
    }

    func validate() throws {
        guard count >= 1 else { throw ValidationError("Please give --count a whole number of at least 1.") }
        if years != nil && fiscalYear != nil { throw ValidationError("--years and --fiscal-year exclude each other: a panel's first year is the first of --years.") }
        guard (2000...2100).contains(fiscalYear ?? 2025) else { throw ValidationError("Please give --fiscal-year a year from 2000 to 2100.") }
        if let range = try yearRange, !(marginShift == 0 && growthShift == 0 && debtShift == 0) {
            throw ValidationError("The shifts apply to one snapshot; a panel (--years \(range.lowerBound)-\(range.upperBound)) evolves its own accounts.")
        }
        for (name, value) in [("--margin-shift", marginShift), ("--growth-shift", growthShift), ("--debt-shift", debtShift)] {
            guard value.isFinite && abs(value) <= 0.5 else { throw ValidationError("Please give \(name) a number from -0.5 to 0.5 (a change of a ratio: 0.04 is 4 points).") }
        }
    }

    func run() throws {
        if let range = try yearRange {
            let panel = SyntheticPanel(seed: seed, years: range, count: count, withTruth: withTruth)
            let progress = Progress(total: panel.indexCount * range.count, label: "synth")
            try panel.write(to: output, threads: runtime.policy) { progress.update($0) }
            progress.finish()
            printToStandardError("wrote a panel of \(range.count) fiscal years (\(range.lowerBound)–\(range.upperBound)) to \(output): \(count) firms in the first year, up to \(panel.indexCount) in all (seed \(seed))")
            return
        }
        let fiscalYear = self.fiscalYear ?? 2025
        var generator = EnterpriseGenerator(seed: seed, fiscalYear: fiscalYear)
        generator.shift = .init(netMargin: marginShift, revenueGrowth: growthShift, debtRatio: debtShift)
        let dataset = SyntheticDataset(generator: generator, withTruth: withTruth)
        let progress = Progress(total: count, label: "synth")
        try dataset.write(count: count, to: output, threads: runtime.policy) { progress.update($0) }
        progress.finish()
        let shifted = generator.shift.isNone ? "" : "; shifted: net margin \(marginShift), revenue growth \(growthShift), debt ratio \(debtShift)"
        printToStandardError("wrote \(count) enterprises to \(output) (seed \(seed), fiscal year \(fiscalYear)\(shifted))")
    }
}
