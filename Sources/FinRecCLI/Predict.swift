import ArgumentParser
import FinRec

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a CSV of ready-made feature rows with a model: logit and probability per product.",
        discussion: """
            The CSV's header names the model's features (any order; see `finrec inspect`) and \
            optionally an `id` column; each row must give every feature as a number. Scores \
            all products at once with one BLAS gemm per block of rows.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

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
    var format: Format?

    @Option(name: .long, help: "Arithmetic: f64 (default) or f32 (faster; logits differ by about 1e-5, see README).")
    var precision: Precision = .f64

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if format == .table && output != nil {
            throw ValidationError("--format table is for the terminal; write csv or json to --output.")
        }
    }

    var resolvedFormat: Format {
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
        let text = PredictionWriter(model: loaded, ids: table.ids, logits: logits).render(resolvedFormat)
        if let output {
            try AtomicFileWriter.write(Array(text.utf8), to: output)
            printToStandardError("wrote \(table.ids.count) rows × \(loaded.products.count) products to \(output)")
        } else {
            print(text, terminator: "")
        }
    }
}

/// Renders predictions as a terminal table, CSV or JSON.
struct PredictionWriter {
    let model: LinearModel
    let ids: [String]
    let logits: Matrix<Double>

    func render(_ format: Predict.Format) -> String {
        switch format {
        case .table: table()
        case .csv: csv()
        case .json: json()
        }
    }

    func table() -> String {
        var out = "probability of success per product (logit in brackets)\n"
        let columns = model.products.map(\.displayName)
        let idWidth = max(2, ids.map(\.displayWidth).max() ?? 0)
        let widths = columns.map { max($0.displayWidth, 16) }
        out += "id".padded(to: idWidth) + "  " + zip(columns, widths).map { $0.padded(to: $1) }.joined(separator: "  ") + "\n"
        for (i, id) in ids.enumerated() {
            let cells = (0..<model.products.count).map { k in
                let z = logits[i, k]
                return "\(formatFixed(Sigmoid.probability(z), digits: 4)) [\(formatFixed(z, digits: 3))]"
            }
            out += id.padded(to: idWidth) + "  " + zip(cells, widths).map { $0.padded(to: $1) }.joined(separator: "  ") + "\n"
        }
        return out
    }

    func csv() -> String {
        var out = "id," + model.products.map { "\($0.id)_logit,\($0.id)_probability" }.joined(separator: ",") + "\n"
        for (i, id) in ids.enumerated() {
            out += CSVField.escape(id)
            for k in 0..<model.products.count {
                let z = logits[i, k]
                out += ",\(z),\(Sigmoid.probability(z))"
            }
            out += "\n"
        }
        return out
    }

    func json() -> String {
        let products: [JSONValue] = model.products.map { p in
            .object(JSONObject([("id", .string(p.id)), ("name_zh", .string(p.chineseName)), ("name_en", .string(p.englishName))]))
        }
        let rows: [JSONValue] = ids.enumerated().map { i, id in
            let scores: [JSONValue] = model.products.enumerated().map { k, p in
                .object(JSONObject([("id", .string(p.id)), ("logit", .number(logits[i, k])),
                                    ("probability", .number(Sigmoid.probability(logits[i, k])))]))
            }
            return .object(JSONObject([("id", .string(id)), ("scores", .array(scores))]))
        }
        return JSONValue.object(JSONObject([("products", .array(products)), ("rows", .array(rows))])).prettyPrinted()
    }
}

extension String {
    /// Terminal columns: CJK characters take two.
    var displayWidth: Int {
        unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 && $1.properties.isIdeographic || (0xFF00...0xFFEF).contains($1.value) ? 2 : 1) }
    }

    func padded(to width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - displayWidth))
    }
}

func printToStandardError(_ message: String) {
    var stderr = StandardError()
    print(message, to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleWriter.writeStandardError(string)
    }
}
