// Scoring throughput of LinearScorer: logits = X · Wᵀ + b for N rows, d features, K products.
// Prints one JSON object per line (consumed by scoring.sh, csv.sh and features.sh through report.py).
//
// usage: finrec-bench scoring [--rows N] [--repeats R] [--threads T]
//        finrec-bench sweep   [--rows N]      block-size and threading sweep, f32 d=128 K=16
//        finrec-bench csv --file F             enterprise CSV reading with full validation
//        finrec-bench floor --file F           the floor: plain read, and read plus a delimiter scan
//        finrec-bench load --file MODEL.json   what `finrec score` spends before scoring: read, parse, decode, compile
//        finrec-bench features --file F --spec S --catalog C   feature extraction and eligibility
//        finrec-bench assess --file APPLICANT.json --spec MODEL.json [--rows N] [--threads T]
//                                                what POST /v1/score does without HTTP and the audit log:
//                                                read the body, score, assess, the document's JSON; per
//                                                stage on one thread, then N requests on T threads
//        finrec-bench train-data --rows N --file P   writes P.x.f64 (N×64) and P.y.f64 (N×10 labels)
//        finrec-bench train --file P [--targets T.json] [--solver newton|lbfgs] [--tolerance E]
//                                                LogisticTrainer on them, to scikit-learn's objectives
//                                                (with --targets) or to its own stopping rule

import Dispatch
import FinRec
import Foundation

struct Options {
    var mode = "scoring"
    var rows = 1_000_000
    var repeats = 7
    var threads = ProcessInfo.processInfo.activeProcessorCount
    var file = ""
    var spec = ""
    var catalog = ""
    var targets = ""
    var solver = "newton"
    var tolerance: Double?
    var hessianRows: Int?

    static let usage = """
        usage: finrec-bench scoring [--rows N] [--repeats R] [--threads T]
               finrec-bench sweep   [--rows N]
               finrec-bench csv --file F [--repeats R]
               finrec-bench floor --file F [--repeats R]
               finrec-bench load --file MODEL.json [--repeats R]
               finrec-bench features --file F --spec S --catalog C [--repeats R]
               finrec-bench assess --file APPLICANT.json --spec MODEL.json [--rows N] [--repeats R] [--threads T]
               finrec-bench train-data --rows N --file P
               finrec-bench train --file P [--targets T.json] [--solver newton|lbfgs] [--tolerance E] [--hessian-rows N]
               finrec-bench binning --file P [--threads T]     (P from train-data)
               finrec-bench sha256 --file F [--repeats R]
        """

    /// The options of `args`; a wrong argument stops the program with what was wrong and the usage
    /// (exit 2), `--help` with the usage alone (exit 0).
    init(_ args: [String]) {
        func fail(_ message: String) -> Never {
            FileHandle.standardError.write(Data("finrec-bench: \(message)\n\(Self.usage)\n".utf8))
            exit(2)
        }
        var i = 0
        func value(_ name: String) -> String {
            i += 1
            guard i < args.count else { fail("\(name) needs a value") }
            return args[i]
        }
        func number<N: LosslessStringConvertible>(_ name: String, _: N.Type = N.self) -> N {
            let text = value(name)
            guard let n = N(text) else { fail("\(name) takes a number, not \"\(text)\"") }
            return n
        }
        while i < args.count {
            switch args[i] {
            case "scoring", "sweep", "csv", "floor", "load", "features", "train-data", "train", "binning", "assess", "sha256": mode = args[i]
            case "--help", "-h": print(Self.usage); exit(0)
            case "--targets": targets = value("--targets")
            case "--solver": solver = value("--solver")
            case "--tolerance": tolerance = number("--tolerance", Double.self)
            case "--hessian-rows": hessianRows = number("--hessian-rows", Int.self)
            case "--spec": spec = value("--spec")
            case "--catalog": catalog = value("--catalog")
            case "--file": file = value("--file")
            case "--rows": rows = number("--rows")
            case "--repeats": repeats = number("--repeats")
            case "--threads": threads = number("--threads")
            default: fail("unknown argument \(args[i])")
            }
            i += 1
        }
    }
}

func matrix<T: KernelScalar>(_ rows: Int, _ cols: Int, scale: Double, seed: UInt64) -> Matrix<T> {
    var rng = SplitMix64(seed: seed)
    var storage = [T](repeating: 0, count: rows * cols)
    // Uniform on [-√3, √3): mean 0, variance 1, like standardised features.
    for i in storage.indices { storage[i] = T(rng.uniform(-1.7320508, 1.7320508) * scale) }
    return Matrix(rows: rows, columns: cols, elements: storage)
}

/// Median wall time in seconds of `repeats` runs after one warm-up.
func medianSeconds(repeats: Int, _ body: () -> Void) -> (median: Double, best: Double) {
    body()
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    times.sort()
    return (times[times.count / 2], times[0])
}

/// The physical floor of reading a CSV file on one core: read(2) of the whole file in 4 MiB
/// blocks from the page cache (a copy into user memory), and the same read with every comma,
/// quote and line feed counted, eight bytes at a time (exact per-byte masks and a popcount): what
/// any parser must at least do before it decodes a single cell.
func floor(_ o: Options) {
    let blockSize = 1 << 22
    let block = UnsafeMutableRawPointer.allocate(byteCount: blockSize + 8, alignment: 64)
    defer { block.deallocate() }
    /// High bit of each byte of `w` that is zero, exactly (no borrow between bytes).
    @inline(__always) func zeroBytes(_ w: UInt64) -> UInt64 {
        ~(((w & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | w) & 0x8080_8080_8080_8080
    }
    func pass(scan: Bool) -> (bytes: Int, delimiters: Int) {
        let fd = open(o.file, O_RDONLY)
        precondition(fd >= 0, "cannot open \(o.file)")
        defer { close(fd) }
        var total = 0, delimiters = 0
        while true {
            let n = read(fd, block, blockSize)
            precondition(n >= 0, "read failed")
            if n == 0 { break }
            total += n
            guard scan else { continue }
            memset(block + n, 0, 8 - n % 8)  // whole words; zero bytes are not delimiters
            var count = 0
            for w in stride(from: 0, to: n, by: 8) {
                let word = UInt64(littleEndian: block.loadUnaligned(fromByteOffset: w, as: UInt64.self))
                let marks = zeroBytes(word ^ 0x2C2C_2C2C_2C2C_2C2C) | zeroBytes(word ^ 0x2222_2222_2222_2222)
                    | zeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A)
                count &+= marks.nonzeroBitCount
            }
            delimiters += count
        }
        return (total, delimiters)
    }
    for (name, scan) in [("read", false), ("read+scan", true)] {
        var result = (bytes: 0, delimiters: 0)
        let t = medianSeconds(repeats: o.repeats) { result = pass(scan: scan) }
        print("{\"impl\": \"floor\", \"task\": \"\(name)\", \"bytes\": \(result.bytes), \"delimiters\": \(result.delimiters), \"seconds\": \(t.median), \"best\": \(t.best)}")
    }
}

/// SHA-256 of a file's bytes (read into memory first), with the CPU's SHA extensions where it
/// has them and with the portable code: median seconds of `repeats` each.
func sha256(_ o: Options) {
    let bytes = [UInt8](FileManager.default.contents(atPath: o.file)!)
    for (name, hardware) in [("hardware", true), ("portable", false)] {
        var digest = ""
        let t = medianSeconds(repeats: o.repeats) {
            var hash = SHA256(hardware: hardware)
            hash.update(bytes)
            digest = hash.finalize()
        }
        print("{\"impl\": \"finrec\", \"task\": \"sha256\", \"engine\": \"\(name)\", \"available\": \(SHA256.hardwareAvailable), \"bytes\": \(bytes.count), \"seconds\": \(t.median), \"best\": \(t.best), \"digest\": \"\(digest)\"}")
    }
}

/// The phases of loading a model, as `finrec score` does before it scores anyone: the file's
/// bytes, the JSON document, the model's sections (features, catalog with its rule texts parsed,
/// uncertainty), and the scorer (every rule compiled). Median of `repeats` each, in-process.
func load(_ o: Options) {
    var bytes: [UInt8] = []
    var model: TrainedModel?
    let read = medianSeconds(repeats: o.repeats) { bytes = try! ModelFile.contents(at: o.file) }
    let parse = medianSeconds(repeats: o.repeats) { _ = try! JSONValue.parse(bytes) }
    let decode = medianSeconds(repeats: o.repeats) { model = try! TrainedModel.decode(bytes, path: o.file) }
    let compile = medianSeconds(repeats: o.repeats) { _ = try! OfferScorer(model: model!, asOf: CivilDate.today.daysSinceEpoch) }
    for (phase, t) in [("read", read), ("parse", parse), ("parse+decode", decode), ("scorer", compile)] {
        print("{\"impl\": \"finrec\", \"task\": \"load\", \"phase\": \"\(phase)\", \"bytes\": \(bytes.count), \"seconds\": \(t.median), \"best\": \(t.best)}")
    }
}

func scoring(_ o: Options) {
    let policy = ThreadPolicy(workers: o.threads)
    for d in [32, 128] {
        let x64: Matrix<Double> = matrix(o.rows, d, scale: 1, seed: UInt64(d))
        let x32 = x64.converted(to: Float.self)
        for k in [6, 10, 16] {
            let w: Matrix<Double> = matrix(k, d, scale: 0.1, seed: UInt64(1000 + k))
            let b = (0..<k).map { Double($0) / 10 - 0.5 }
            let s64 = LinearScorer<Double>(weights: w, intercepts: b)
            let s32 = LinearScorer<Float>(weights: w.converted(to: Float.self), intercepts: b.map(Float.init))
            var z64 = Matrix<Double>(rows: o.rows, columns: k)
            var z32 = Matrix<Float>(rows: o.rows, columns: k)
            let t64 = medianSeconds(repeats: o.repeats) { s64.logits(for: x64, into: &z64, threads: policy) }
            let t32 = medianSeconds(repeats: o.repeats) { s32.logits(for: x32, into: &z32, threads: policy) }
            var worst = 0.0
            for i in 0..<z64.storage.count { worst = max(worst, abs(z64.storage[i] - Double(z32.storage[i]))) }
            for (precision, t) in [("f64", t64), ("f32", t32)] {
                print("{\"impl\": \"finrec\", \"n\": \(o.rows), \"d\": \(d), \"k\": \(k), \"precision\": \"\(precision)\", "
                      + "\"seconds\": \(t.median), \"best\": \(t.best), \"threads\": \(o.threads)"
                      + (precision == "f32" ? ", \"max_abs_logit_error_vs_f64\": \(worst)" : "") + "}")
            }
        }
    }
}

func sweep(_ o: Options) {
    let d = 128, k = 16
    let x: Matrix<Float> = matrix(o.rows, d, scale: 1, seed: 1)
    let w: Matrix<Float> = matrix(k, d, scale: 0.1, seed: 2)
    var z = Matrix<Float>(rows: o.rows, columns: k)
    for workers in [1, 2] {
        for block in [256, 1024, 4096, 16384, 65536, o.rows] {
            var s = LinearScorer<Float>(weights: w, intercepts: [Float](repeating: 0, count: k))
            s.blockRows = block
            let t = medianSeconds(repeats: o.repeats) { s.logits(for: x, into: &z, threads: ThreadPolicy(workers: workers)) }
            print("{\"sweep\": \"finrec workers\", \"workers\": \(workers), \"openblas_threads\": 1, \"block\": \(block), \"seconds\": \(t.median)}")
        }
    }
    // OpenBLAS's own threading instead: one worker, one gemm over all rows, 2 library threads.
    let s = LinearScorer<Float>(weights: w, intercepts: [Float](repeating: 0, count: k))
    _ = s.logits(for: Matrix(rows: 1, columns: d), threads: .singleThreaded)  // pins to 1 first
    BLASKernel.setLibraryThreads(2)
    var whole = s
    whole.blockRows = o.rows
    let t = medianSeconds(repeats: o.repeats) { whole.logits(for: x, into: &z, threads: .singleThreaded) }
    print("{\"sweep\": \"openblas threads\", \"workers\": 1, \"openblas_threads\": 2, \"block\": \(o.rows), \"seconds\": \(t.median)}")
    BLASKernel.setLibraryThreads(1)
}

/// CSV parse throughput: the enterprise reader with full validation, one core.
func csv(_ o: Options) {
    var rows = 0
    let t = medianSeconds(repeats: o.repeats) {
        do {
            let reader = try CSVRecordReader(path: o.file, schema: EnterpriseSchema.schema)
            rows = 0
            while let chunk = try reader.nextChunk() { rows += chunk.rowCount }
            _ = try reader.finish()
        } catch {
            fatalError("\(error)")
        }
    }
    let bytes = (try? FileManager.default.attributesOfItem(atPath: o.file)[.size] as? Int) ?? 0
    print("{\"impl\": \"finrec\", \"task\": \"csv\", \"rows\": \(rows), \"bytes\": \(bytes), \"seconds\": \(t.median), \"best\": \(t.best)}")
}

/// Feature extraction (fit once, then apply to every chunk) and eligibility of all offers, on
/// chunks already in memory: one core.
func features(_ o: Options) {
    do {
        var readOptions = ReaderOptions()
        readOptions.detectDuplicateIds = false
        let chunks = try CSVRecordReader(path: o.file, schema: EnterpriseSchema.schema, options: readOptions).readAll()
        let rows = chunks.reduce(0) { $0 + $1.rowCount }
        let asOf = CivilDate(year: 2026, month: 6, day: 30)!.daysSinceEpoch
        let parameters = ["as_of_date": Double(asOf)]
        let spec = try FeatureSpec.read(path: o.spec)
        let fitted = try FittedFeatures.fit(spec, chunks: chunks, parameters: parameters)
        var sums = [Double](repeating: 0, count: fitted.columns.count)
        let apply = medianSeconds(repeats: o.repeats) {
            sums = [Double](repeating: 0, count: fitted.columns.count)
            for chunk in chunks {
                let x = fitted.apply(chunk, parameters: parameters)
                for r in 0..<x.rows { for c in 0..<x.columns { sums[c] += x[r, c] } }
            }
        }
        // Column sums let the report check that both implementations computed the same matrix.
        print("{\"impl\": \"finrec\", \"task\": \"features\", \"rows\": \(rows), \"columns\": \(fitted.columns.count), \"seconds\": \(apply.median), \"best\": \(apply.best), \"column_sums\": [\(sums.map { "\($0)" }.joined(separator: ", "))]}")
        let evaluator = try EligibilityEvaluator(catalog: try Catalog.read(path: o.catalog))
        var passes = 0
        let eligibility = medianSeconds(repeats: o.repeats) {
            passes = 0
            for chunk in chunks {
                let result = evaluator.evaluate(chunk, asOf: asOf)
                for k in result.statuses.indices { passes += result.statuses[k].lazy.filter { $0 == .pass }.count }
            }
        }
        print("{\"impl\": \"finrec\", \"task\": \"eligibility\", \"rows\": \(rows), \"offers\": \(evaluator.catalog.offers.count), \"passes\": \(passes), \"seconds\": \(eligibility.median), \"best\": \(eligibility.best)}")
    } catch {
        fatalError("\(error)")
    }
}

/// Training data for the trainer benchmark: d = 64 correlated features (each 0.8·N(0,1) plus
/// 0.6 × a shared factor, so the problem is not trivially conditioned) and K = 10 products whose
/// labels follow a logistic model with N(0, 0.3²) weights and intercepts from −1.5 to 1.
let trainFeatures = 64, trainProducts = 10

func trainData(_ o: Options) {
    let n = o.rows, d = trainFeatures, k = trainProducts
    var rng = SplitMix64(seed: 5)
    let truth = (0..<(k * d)).map { _ in 0.3 * rng.normal() }
    let intercepts = (0..<k).map { -1.5 + 2.5 * Double($0) / Double(k - 1) }
    var x = [Double](repeating: 0, count: n * d), y = [Double](repeating: 0, count: n * k)
    for i in 0..<n {
        var row = SplitMix64(seed: 6, index: UInt64(i))
        let factor = row.normal()
        for j in 0..<d { x[i * d + j] = 0.8 * row.normal() + 0.6 * factor }
        for p in 0..<k {
            var z = intercepts[p]
            for j in 0..<d { z += truth[p * d + j] * x[i * d + j] }
            y[i * k + p] = row.uniform() < Sigmoid.probability(z) ? 1 : 0
        }
    }
    func write(_ values: [Double], _ path: String) {
        _ = values.withUnsafeBytes { FileManager.default.createFile(atPath: path, contents: Data($0)) }
    }
    write(x, o.file + ".x.f64")
    write(y, o.file + ".y.f64")
    print("{\"task\": \"train-data\", \"rows\": \(n), \"features\": \(d), \"products\": \(k)}")
}

/// The raw Float64 values `train-data` wrote.
func readDoubles(_ path: String) -> [Double] {
    let data = FileManager.default.contents(atPath: path)!
    return data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
}

func train(_ o: Options) {
    let x = readDoubles(o.file + ".x.f64"), y = readDoubles(o.file + ".y.f64")
    let d = trainFeatures, k = trainProducts, n = x.count / d
    let set = TrainingSet(features: Matrix(rows: n, columns: d, elements: x), labels: Matrix(rows: n, columns: k, elements: y))
    var options = TrainerOptions()
    options.c = 1
    options.threads = ThreadPolicy(workers: o.threads)
    options.solver = TrainerOptions.Solver(rawValue: o.solver)!
    options.tolerance = o.tolerance
    if let rows = o.hessianRows { options.hessianSampleRows = rows }
    if !o.targets.isEmpty {
        // Stop each product at scikit-learn's objective (in FinRec's scale); L-BFGS's gradient
        // test is set tight so the target is what stops it.
        let object = try! JSONValue.parse(Array(FileManager.default.contents(atPath: o.targets)!))
        guard case .object(let root) = object, case .array(let list)? = root["objectives"] else { fatalError("bad targets file") }
        options.targetObjectives = list.map { if case .number(let v) = $0 { return v } else { fatalError("bad target") } }
        if options.solver == .lbfgs { options.tolerance = 1e-12; options.maximumIterations = 1_000 }
    }
    var result: TrainingResult?
    let start = DispatchTime.now().uptimeNanoseconds
    result = try! LogisticTrainer(options: options).fit(set)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let fit = result!
    let logits = LinearScorer<Double>(weights: fit.weights, intercepts: fit.intercepts).logits(for: set.features)
    let aucs: [Double] = (0..<k).map { p in
        BinaryMetrics(probabilities: (0..<n).map { Sigmoid.probability(logits[$0, p]) }, labels: (0..<n).map { y[$0 * k + p] }).auc
    }
    let stop = o.targets.isEmpty ? "converged, tolerance \(options.effectiveTolerance)" : "to scikit-learn's objectives"
    print("{\"impl\": \"finrec \(o.solver) (\(stop))\", \"task\": \"train\", \"rows\": \(n), \"seconds\": \(seconds), \"threads\": \(o.threads), "
          + "\"converged\": \(fit.converged), "
          + "\"iterations\": \(fit.iterations), \"objectives\": \(fit.objectives), \"auc\": \(aucs)}")
}

/// Optimal monotone binning of every column of the trainer benchmark's 64 features against the
/// first product's labels: prebins 20, max 8 bins, min bin share 5%, trend auto (+ or −). The
/// columns are split across `--threads` workers, after a tiled copy to column-major order.
func binning(_ o: Options) {
    let x = readDoubles(o.file + ".x.f64"), y = readDoubles(o.file + ".y.f64")
    let d = trainFeatures, k = trainProducts, n = x.count / d
    let labels = (0..<n).map { y[$0 * k] }
    let spec = BinningSpec()  // monotone auto, 20 prebins, 8 bins, 5% share
    nonisolated(unsafe) let results = UnsafeMutableBufferPointer<FittedBins?>.allocate(capacity: d)
    results.initialize(repeating: nil)
    defer { results.deallocate() }
    let workers = max(1, o.threads)
    let start = DispatchTime.now().uptimeNanoseconds
    // Columns contiguous first (a tiled transpose, timed with the rest): binning reads each
    // column twice, and strided reads of a row-major matrix touch a cache line per value.
    nonisolated(unsafe) let columns = UnsafeMutableBufferPointer<Double>.allocate(capacity: n * d)
    defer { columns.deallocate() }
    x.withUnsafeBufferPointer { pointer in
        nonisolated(unsafe) let matrix = pointer
        let tile = 64
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i0 in stride(from: w * tile, to: n, by: workers * tile) {
                for i in i0..<min(i0 + tile, n) {
                    for j in 0..<d { columns[j * n + i] = matrix[i * d + j] }
                }
            }
        }
    }
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        for j in stride(from: w, to: d, by: workers) {
            let column = UnsafeBufferPointer(rebasing: columns[(j * n)..<((j + 1) * n)])
            results[j] = OptimalBinning.fit(column: column, labels: labels, spec: spec)
        }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let ivs = results.map { WeightOfEvidence.informationValue(events: $0!.counts!.events[0], nonEvents: $0!.counts!.nonEvents[0]) }
    let bins = results.map { $0!.ordinaryBins }
    print("{\"impl\": \"finrec\", \"task\": \"binning\", \"rows\": \(n), \"features\": \(d), \"threads\": \(workers), \"seconds\": \(seconds), \"iv\": \(ivs), \"bins\": \(bins)}")
}

/// The service's assessment floor: `POST /v1/score`'s work for one applicant (the same calls as
/// `API.score`: ``Desk``'s reader options, ``ScoreUseCase/assess(_:model:options:report:)``, the
/// compact JSON document written straight into bytes), without HTTP and without the audit log.
func assess(_ o: Options) {
    let model = try! ScoringModel(path: o.spec, asOf: "2026-06-30")
    let body = Array(try! Data(contentsOf: URL(fileURLWithPath: o.file)))
    let options = ScoreOptions()
    let reading = {
        var reading = ReaderOptions()
        reading.chunkRows = min(options.maximumApplicants + 1, 256)
        return reading
    }()
    @Sendable func document() -> ScoreDocument {
        try! ScoreUseCase.assess(try! EnterpriseFileReader(bytes: body, name: "request body", options: reading), model: model, options: options)
    }
    let n = min(o.rows, 100_000)
    var bytes = 0
    let stages = medianSeconds(repeats: o.repeats) {
        var assessing: UInt64 = 0, writing: UInt64 = 0
        for _ in 0..<n {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let d = document()
            let t1 = DispatchTime.now().uptimeNanoseconds
            bytes = d.compactJSON().count
            let t2 = DispatchTime.now().uptimeNanoseconds
            assessing += t1 - t0
            writing += t2 - t1
        }
        print("{\"impl\": \"finrec\", \"task\": \"assess\", \"threads\": 1, \"requests\": \(n), \"read_score_assess_us\": \(Double(assessing) / 1e3 / Double(n)), \"document_json_us\": \(Double(writing) / 1e3 / Double(n)), \"bytes\": \(bytes)}")
    }
    _ = stages
    for threads in Set([1, o.threads]).sorted() {
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threads) { w in
            for _ in stride(from: w, to: n, by: threads) { _ = document().compactJSON() }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print("{\"impl\": \"finrec\", \"task\": \"assess\", \"threads\": \(threads), \"requests\": \(n), \"seconds\": \(seconds), \"per_second\": \(Double(n) / seconds)}")
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
ProcessMemory.keepFreedBlocks()  // as `finrec` does
FileHandle.standardError.write(Data("finrec-bench: \(BLASKernel.libraryDescription)\n".utf8))
switch options.mode {
case "train-data": trainData(options)
case "train": train(options)
case "sweep": sweep(options)
case "csv": csv(options)
case "floor": floor(options)
case "load": load(options)
case "features": features(options)
case "binning": binning(options)
case "assess": assess(options)
case "sha256": sha256(options)
default: scoring(options)
}
