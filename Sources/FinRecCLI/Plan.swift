import ArgumentParser
import FinRec
import FinRecCLISupport
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Choose firms for the province's programmes under capacities and city quotas, and forecast its targets.",
        discussion: """
            The plan file names programmes (上市后备资源库, 区域性股权市场专精特新板, 规范化公司制改制 …), each \
            choosing exactly its capacity of firms from the pool by probability (eligible firms, highest \
            first) or by gap (firms not yet eligible, nearest first), within city minimums and maximums, \
            `where` conditions and a limit of programmes per firm. The selection of the largest total \
            value is found exactly (a minimum-cost flow), never greedily. Per programme: the expected \
            successes and their exact distribution (Poisson-binomial); per target: the whole pool's \
            forecast, its 90% interval and the probability of reaching it. `finrec plan --example` prints \
            an example plan. Outputs are written atomically.
            """)

    @Flag(name: .long, help: "Print an example plan file (the Shandong plan's quotas) and exit.")
    var example = false

    @Option(name: .long, help: "The pool: CSV (streamed) or JSON.")
    var input: String?

    @Option(name: .long, help: "The plan file (JSON; see --example).")
    var plan: String?

    @Option(name: .long, help: "Model file (default: as for `finrec score`).")
    var model: String?

    @Option(name: .long, help: "Write the chosen firms here: CSV (one line per firm), JSON (the whole result) or an Excel .xlsx workbook (a sheet per programme); atomically.")
    var output: String?

    @Option(name: .long, help: "Also write every firm that qualifies for a programme, with its value, to this CSV (streamed, atomically): who was in the running.")
    var candidates: String?

    @Option(name: .long, help: "Chosen firms shown per programme in the terminal table.")
    var show = 10

    @Flag(name: .long, help: "No table on the terminal (with --output).")
    var quiet = false

    @Flag(name: .long, help: "Replace an existing output file.")
    var force = false

    @Flag(name: .long, help: "A CSV output starts with a UTF-8 byte-order mark, so Excel shows Chinese right.")
    var excel = false

    @OptionGroup var assessment: AssessmentDateOption
    @OptionGroup var reading: ReadingOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if example { return }
        guard input != nil else { throw ValidationError("Please give the pool with --input POOL.csv (or --example for a plan file to start from).") }
        guard plan != nil else { throw ValidationError("Please give the plan with --plan PLAN.json (`finrec plan --example > plan.json` writes one to edit).") }
        guard show >= 0 else { throw ValidationError("Please give --show a whole number of at least 0.") }
        if excel && format != .csv { throw ValidationError("--excel marks a CSV output; give --output a .csv file.") }
    }

    var format: PlanDocument.Format? {
        guard let output else { return nil }
        let lower = output.lowercased()
        return lower.hasSuffix(".json") ? .json : lower.hasSuffix(".xlsx") ? .xlsx : .csv
    }

    func run() throws {
        if example {
            print(PlanUseCase.exampleDocument, terminator: "")
            return
        }
        guard let input, let plan else { return }
        try checkOutputs([output, candidates].compactMap { $0 }, force: force)
        let interrupt = InterruptFlag.install()
        let model = try ScoringModel(path: try DefaultModel.resolve(model), asOf: assessment.asOf)
        let checked = try PlanUseCase.readPlan(path: plan, model: model)
        let reader = try EnterpriseFileReader(path: input, options: reading.readerOptions(for: input))
        let started = Date()
        let document = try PlanUseCase.plan(reader, plan: checked, model: model, workers: runtime.policy.workers, candidates: candidates,
                                            shouldStop: { interrupt.isSet })
        let seconds = Date().timeIntervalSince(started)
        if let output, let format {
            let bytes = try document.bytes(format, byteOrderMark: excel)
            if interrupt.isSet { throw ExitCode(130) }
            try AtomicFileWriter.write(bytes, to: output)
        }
        if !quiet || output == nil { print(document.table(firms: show), terminator: "") }
        fflush(nil)
        printToStandardError("planned \(document.result.rows) enterprises in \(Fixed.exact(seconds, digits: 2)) s (the choice \(Fixed.exact(document.solveSeconds, digits: 3)) s)"
            + ([output, candidates].compactMap { $0 }.isEmpty ? "" : "; wrote " + [output, candidates].compactMap { $0 }.joined(separator: " and ")))
    }
}
