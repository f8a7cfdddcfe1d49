import ArgumentParser
import FinRec

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
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
    var fiscalYear: Int = 2025

    @Flag(name: .long, help: "Also write the true success probabilities (truth_<id> columns).")
    var withTruth = false

    @Option(name: .long, help: "The CSV file to write (atomically).")
    var output: String

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard count >= 1 else { throw ValidationError("Please give --count a whole number of at least 1.") }
        guard (2000...2100).contains(fiscalYear) else { throw ValidationError("Please give --fiscal-year a year from 2000 to 2100.") }
    }

    func run() throws {
        let dataset = SyntheticDataset(generator: EnterpriseGenerator(seed: seed, fiscalYear: fiscalYear), withTruth: withTruth)
        let progress = Progress(total: count, label: "synth")
        try dataset.write(count: count, to: output, threads: runtime.policy) { progress.update($0) }
        progress.finish()
        printToStandardError("wrote \(count) enterprises to \(output) (seed \(seed), fiscal year \(fiscalYear))")
    }
}
