import ArgumentParser
import FinRec
import FinRecCLISupport

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Score a CSV of ready-made feature rows with a model: logit and probability per product.",
        discussion: """
            The CSV's header names the model's features (any order; see `finrec inspect`) and \
            optionally an `id` column; each row must give every feature as a number. Scores \
            all products at once with one BLAS gemm per block of rows.
            """)

    enum Precision: String, ExpressibleByArgument, CaseIterable {
        case f64, f32
    }

    @Option(name: .long, help: "The model file (JSON written by FinRec).")
    var model: String

    @Option(name: .long, help: "CSV of feature rows.")
    var input: String

    @Option(name: .long, help: "Write here (atomically) instead of standard output.")
    var output: String?

    @Option(name: .long, help: "Output format: table, csv or json (default: table on standard output, else by the output's extension).")
    var format: PredictionDocument.Format?

    @Option(name: .long, help: "Arithmetic: f64 (default) or f32 (faster; logits differ by about 1e-5, see README).")
    var precision: Precision = .f64

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if format == .table && output != nil {
            throw ValidationError("--format table is for the terminal; write csv or json to --output.")
        }
    }

    var resolvedFormat: PredictionDocument.Format {
        if let format { return format }
        guard let output else { return .table }
        return output.hasSuffix(".json") ? .json : .csv
    }

    func run() throws {
        let loaded = try ModelFile.read(from: model)
        let table = try FeatureTable.read(path: input, featureNames: loaded.featureNames)
        if !table.ignoredColumns.isEmpty {
            printToStandardError("note: \(input): ignoring columns the model does not use: \(table.ignoredColumns.joined(separator: ", "))")
        }
        let logits: Matrix<Double>
        switch precision {
        case .f64:
            logits = LinearScorer<Double>(model: loaded).logits(for: table.rows, threads: runtime.policy)
        case .f32:
            logits = LinearScorer<Float>(model: loaded)
                .logits(for: table.rows.converted(to: Float.self), threads: runtime.policy)
                .converted(to: Double.self)
        }
        let text = PredictionDocument(model: loaded, ids: table.ids, logits: logits).render(resolvedFormat)
        if let output {
            try AtomicFileWriter.write(Array(text.utf8), to: output)
            printToStandardError("wrote \(table.ids.count) rows × \(loaded.products.count) products to \(output)")
        } else {
            print(text, terminator: "")
        }
    }
}

/// Renders predictions as a terminal table, CSV or JSON.
