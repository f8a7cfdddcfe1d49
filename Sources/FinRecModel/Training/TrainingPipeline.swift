import FinRecBase
package import FinRecRecords
import FinRecLinear
package import FinRecFeatures
package import FinRecCatalog
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Trains a ``TrainedModel`` from a labelled enterprise file: reads it, fits the features, takes
/// each offer's labels from its `label_<id>` column, leaves out rows whose label is empty or whose
/// eligibility rule fails for that offer, and fits all offers together.
package struct TrainingPipeline {
    package var spec: FeatureSpec
    package var catalog: Catalog
    package var options = TrainerOptions()
    /// The assessment date of the eligibility rules (days since 1970-01-01).
    package var asOf: Int
    package var scaling = ScoreScaling()
    /// With 2 or more folds, C is chosen per product from `cGrid` by cross-validation.
    package var crossValidationFolds = 0
    package var cGrid: [Double] = [0.01, 0.1, 1, 10]
    package var seed: UInt64 = 2022
    /// How each product's probabilities are calibrated after the fit.
    package enum Calibration: Sendable {
        /// The fitted logits as they are.
        case none
        /// Platt scaling fitted on the cross-validation's out-of-fold logits (needs 2 or more folds).
        case platt
        /// Given calibrations by offer id (e.g. to refit a model whose calibration is known).
        case given([String: CalibrationRecord])
    }
    package var calibration = Calibration.none

    /// What the labels' 1 means for the applicant: approval (favourable, the default) or default
    /// (adverse, a PD model). Missing data, clipping, the directions and the wording follow it.
    package var polarity = FittedFeatures.EventPolarity.favourable

    /// Train without the spec's directions (to measure what the monotone constraints cost);
    /// missing columns stay never positive.
    package var ignoresDirections = false
    /// What the training data are, stored in the model's provenance (``Provenance/dataOrigin``).
    package var dataOrigin: Provenance.DataOrigin?

    /// The records' schema: enterprises, or a ``GenericSchema`` for other data.
    package var schema = EnterpriseSchema.schema
    /// Each offer's labels are in the column `labelPrefix + id` ("label_" for enterprises, "" for
    /// generic data, whose products are named after their label columns).
    package var labelPrefix = "label_"

    package init(spec: FeatureSpec, catalog: Catalog, asOf: Int) {
        self.spec = spec
        self.catalog = catalog
        self.asOf = asOf
    }

    package enum PipelineError: Error, Sendable, CustomStringConvertible {
        case input(InputFileError)
        case features(ExpressionError)
        case training(LogisticTrainer.TrainingError)
        case noLabels(path: String, expected: [String])
        case calibrationNeedsFolds

        package var description: String {
            switch self {
            case .input(let e): e.description
            case .features(let e): "the feature spec does not fit this data: \(e)"
            case .training(let e): e.description
            case .noLabels(let path, let expected):
                "\(path): no label columns; add a column (1 success, 0 failure, empty when not applied) named one of " + expected.joined(separator: ", ")
            case .calibrationNeedsFolds:
                "Platt calibration is fitted on cross-validation's out-of-fold scores: add --cv-folds 5, or give --calibration none"
            }
        }
    }

    /// What training saw, for the command's summary.
    package struct Summary: Sendable {
        package let rows: Int
        package let rowsUsed: [String: Int]
        package let iterations: [String: Int]
        package let converged: [String: Bool]
        /// Offers left uncalibrated under `.platt`, and why.
        package let uncalibrated: [String: String]
    }

    /// Feature matrices larger than this many bytes go to a memory-mapped temporary file in
    /// `temporaryFolder` instead of memory (default 4 GiB: 7 million rows of the default spec).
    package var inMemoryFeatureBytes = 4 << 30
    package var temporaryFolder = FileManager.default.temporaryDirectory.path

    /// Per product and feature column, the sign its weight must have: a numeric feature's value
    /// column follows the spec's direction for the offer (the firm's view, flipped for an adverse
    /// event), a missing column never helps the applicant (never positive for a favourable event,
    /// never negative for an adverse one), one-hot and excess columns are free (the excess
    /// columns are 0 in training). Throws when a direction names neither an offer being trained nor
    /// one of `kinds` (the catalog's kind ids).
    static func weightSigns(_ fitted: FittedFeatures, products: [Catalog.Offer], kinds: [String],
                            ignoringDirections: Bool = false) throws(PipelineError) -> [[WeightSign]] {
        let ids = Set(products.map(\.id))
        for f in fitted.spec.features {
            if let unknown = f.direction?.byKey.keys.sorted().first(where: { !ids.contains($0) && !kinds.contains($0) }) {
                throw .features(ExpressionError(position: f.expression.firstPosition,
                                                message: "feature \(f.name): its direction names '\(unknown)', which is not an offer being trained (\(ids.sorted().joined(separator: ", "))) nor a kind (\(kinds.joined(separator: ", ")))"))
            }
        }
        return products.enumerated().map { p, offer in
            fitted.columns.map { column in
                switch column.role {
                case .value: ignoringDirections ? .free
                    : fitted.polarity.weightSign(fitted.spec.features[column.feature].direction?.sign(offer: offer.id, kind: offer.kind.id) ?? .free)
                case .missing: fitted.polarity == .favourable ? .nonPositive : .nonNegative
                // A bin step's weight follows the bins' trend (which the direction, if any, set).
                case .binStep: fitted.bins[column.feature]?.trends[p] ?? .free
                case .category, .other, .missingCategory, .special, .excessAbove, .excessBelow: .free
                }
            }
        }
    }

    /// What the passes before the feature matrix learn: the fitted features (binned ones with
    /// their fitted bins), the products with labels, the row count, and how to read labels.
    struct Prepared {
        let fitted: FittedFeatures
        let products: [Catalog.Offer]
        let rows: Int
        let labelling: Labelling
        /// Reader options for passes after the first (whose rejects were already written).
        let laterReading: ReaderOptions
    }

    /// Pass 1 (feature statistics and row count, streamed) and, with binned features, the pass
    /// that counts outcomes per pre-bin and merges them.
    func prepare(path: String, reading: ReaderOptions) throws(PipelineError) -> Prepared {
        guard path != "-" else {
            throw .input(InputFileError(path: EnterpriseFileReader.standardInputName, message: "training reads its data twice; give a file, not standard input"))
        }
        let parameters = ["as_of_date": Double(asOf)]
        let first: ChunkStream
        do { first = ChunkStream(try EnterpriseFileReader(path: path, schema: schema, options: reading)) } catch { throw .input(error) }
        var fitted: FittedFeatures
        do { fitted = try FittedFeatures.fit(spec, schema: schema, chunks: first, parameters: parameters, polarity: polarity) } catch { throw .features(error) }
        if let error = first.error { throw .input(error) }
        let report: ReadReport
        do { report = try first.reader.finish() } catch { throw .input(error) }
        // Only offers of kinds with a probability are modelled (not the rules-only tiers).
        let modelled = catalog.offers.filter(\.kind.probability)
        let products = modelled.filter { report.unknownColumns.contains(labelPrefix + $0.id) }
        guard !products.isEmpty else { throw .noLabels(path: path, expected: modelled.map { labelPrefix + $0.id }) }
        let evaluator: EligibilityEvaluator
        do { evaluator = try EligibilityEvaluator(catalog: catalog, schema: schema) } catch { throw .features(error) }
        guard first.rows > 0 else { throw .input(InputFileError(path: path, message: "has no rows to train on (only a header?)")) }
        // Later passes: rejects were written by pass 1; these passes' go nowhere.
        var laterReading = reading
        if case .skip = reading.policy {
            laterReading.policy = .skip(rejectsPath: temporaryFolder + "/finrec-second-pass-rejects-\(UUID().uuidString).csv")
        }
        let labelling = Labelling(evaluator: evaluator, products: products, offerIndices: products.map { offer in catalog.offers.firstIndex { $0.id == offer.id }! },
                                  labelPrefix: labelPrefix, asOf: asOf, path: path)
        if fitted.bins.contains(where: { $0 != nil }) {
            fitted = try Self.fitBins(fitted, path: path, reading: laterReading, labelling: labelling, parameters: parameters,
                                      ignoringDirections: ignoresDirections)
        }
        return Prepared(fitted: fitted, products: products, rows: first.rows, labelling: labelling, laterReading: laterReading)
    }

    /// Information-value screening: every numeric feature of the spec binned (its own binning,
    /// or the default optimal binning of its raw value) on the labelled file, without training.
    package func binningAnalysis(path: String, reading: ReaderOptions = ReaderOptions()) throws(PipelineError) -> (features: FittedFeatures, products: [Catalog.Offer]) {
        var screening = self
        screening.spec = spec.binningEveryNumericFeature()
        let prepared = try screening.prepare(path: path, reading: reading)
        return (prepared.fitted, prepared.products)
    }

    /// Reads the file two or three times, never holding its records: the first pass fits the
    /// feature statistics and counts rows, a pass for binned features fits their bins, the last
    /// writes each chunk's features into the feature store (memory, or a mapped file beyond
    /// ``inMemoryFeatureBytes``) and its labels.
    package func train(path: String, reading: ReaderOptions = ReaderOptions()) throws(PipelineError) -> (TrainedModel, Summary) {
        if case .platt = calibration, crossValidationFolds < 2 { throw .calibrationNeedsFolds }
        let parameters = ["as_of_date": Double(asOf)]
        let prepared = try prepare(path: path, reading: reading)
        let fitted = prepared.fitted, products = prepared.products, labelling = prepared.labelling, secondReading = prepared.laterReading
        let n = prepared.rows, k = products.count
        let d = fitted.columns.count
        // Pass 2: features and labels.
        let store: FeatureStore
        if n * d * MemoryLayout<Double>.stride > inMemoryFeatureBytes {
            do { store = try FeatureStore(rows: n, columns: d, mappedIn: temporaryFolder) } catch {
                throw .input(InputFileError(path: error.path, message: "cannot make the temporary feature file (\(error.reason)); free space or choose another folder"))
            }
        } else {
            store = FeatureStore(rows: n, columns: d)
        }
        var y = [Double](repeating: .nan, count: n * k)
        var row = 0
        do throws(InputFileError) {
            let reader = try EnterpriseFileReader(path: path, schema: schema, options: secondReading)
            while let chunk = try reader.nextChunk() {
                guard row + chunk.rowCount <= n else { break }
                // Fitted on clipped values; conservativeWeights then extends the line where it hurts.
                store.setRows(row, from: fitted.apply(chunk, parameters: parameters, extrapolating: false))
                let labels = try labelling.labels(chunk)
                y.withUnsafeMutableBufferPointer { y in
                    for i in labels.indices { y[row * k + i] = labels[i] }
                }
                row += chunk.rowCount
            }
        } catch { throw .input(error) }
        guard row == n else {
            throw .input(InputFileError(path: path, message: "the file changed while it was read (\(n) rows, then \(row)); train on a file nothing is writing to"))
        }
        let data = TrainingSet(features: store, labels: Matrix(rows: n, columns: k, elements: y))
        var options = self.options
        let signs = try Self.weightSigns(fitted, products: products, kinds: catalog.kinds.map(\.id), ignoringDirections: ignoresDirections)
        if signs.joined().contains(where: { $0 != .free }) { options.weightSigns = signs }
        var selection: CrossValidation.Selection?
        if crossValidationFolds >= 2 {
            do {
                selection = try CrossValidation.select(data, k: crossValidationFolds, grid: cGrid, seed: seed, options: options) { fitted.conservativeWeights($1).weights }
            } catch {
                throw .training(error)
            }
            options.cPerProduct = selection!.chosen
        }
        let result: TrainingResult
        do { result = try LogisticTrainer(options: options).fit(data) } catch { throw .training(error) }
        let names = fitted.columnNames
        // Missing data never scores better than the least favourable value seen in training, and
        // values beyond the range keep getting worse on the unfavourable side.
        let capped = (0..<k).map { fitted.conservativeWeights(Array(result.weights.row($0))) }
        var uncalibrated: [String: String] = [:]
        let calibrations: [CalibrationRecord?]
        switch calibration {
        case .none: calibrations = Array(repeating: nil, count: k)
        case .given(let records): calibrations = products.map { records[$0.id] }
        case .platt:
            calibrations = products.indices.map { p in
                do throws(PlattScaling.FitError) {
                    return try Self.fitCalibration(outOfFold: selection!.outOfFoldLogits[p], labels: data.labels, product: p, sampleWeights: data.sampleWeights)
                } catch {
                    uncalibrated[products[p].id] = error.description
                    return nil
                }
            }
        }
        // The calibration folds into the linear model: σ(a·(w·x + b₀) + b) = σ((a·w)·x + (a·b₀ + b)).
        let linear = LinearModel(featureNames: names, products: products.enumerated().map { p, offer in
            let scaling = calibrations[p]?.scaling ?? .identity
            return LinearModel.Product(id: offer.id, chineseName: offer.chineseName, englishName: offer.englishName,
                                       intercept: scaling.logit(result.intercepts[p]), weights: capped[p].weights.map { $0 * scaling.slope })
        })
        // Training-set metrics (cross-validated metrics come with `finrec evaluate` on held-out data).
        let logits = LinearScorer<Double>(model: linear).logits(for: data.features, threads: options.threads)
        var metrics = ModelMetrics(products: [])
        for (p, offer) in products.enumerated() {
            var probabilities: [Double] = [], outcomes: [Double] = []
            for i in 0..<n where !data.labels[i, p].isNaN {
                probabilities.append(Sigmoid.probability(logits[i, p]))
                outcomes.append(data.labels[i, p])
            }
            let m = BinaryMetrics(probabilities: probabilities, labels: outcomes)
            metrics.products.append((offer.id, ProductMetrics(
                rows: m.count, positiveRate: m.positiveRate, auc: m.auc, ks: m.ks, logLoss: m.logLoss, brier: m.brier,
                iterations: result.iterations[p], converged: result.converged[p],
                c: selection?.chosen[p], crossValidation: selection?.scores[p] ?? [],
                cappedMissingWeights: fitted.layout.isConservative ? capped[p].capped : nil, calibration: calibrations[p])))
        }
        let hyperparameters = Hyperparameters(
            c: options.c,
            crossValidation: crossValidationFolds >= 2 ? (crossValidationFolds, cGrid.sorted(), seed) : nil,
            classWeights: options.classWeights == .balanced ? "balanced" : "none",
            tolerance: options.effectiveTolerance, maxIterations: options.effectiveMaximumIterations,
            solver: options.solver.description, hessianSampleRows: options.solver == .newton ? options.hessianSampleRows : nil,
            signConstrainedWeights: options.weightSigns.map { $0.joined().filter { $0 != .free }.count })
        let provenance = Provenance(trainingFile: AtomicFileWriter.folderAndName(path).name, trainingFileSHA256: Self.fingerprint(path),
                                    rows: n, asOfDate: CivilDate(daysSinceEpoch: asOf).iso, finrecVersion: FinRecVersion.current,
                                    dataOrigin: dataOrigin)
        // A logit scaled by a has a times the standard error: the precision H/C becomes H/(C·a²).
        let uncertainty = result.hessians.isEmpty ? [] : (0..<k).map { p in
            LogitUncertainty(hessian: result.hessians[p], c: result.c[p] * pow(calibrations[p]?.scaling.slope ?? 1, 2), dimension: d + 1)
        }
        let model = TrainedModel(linear: linear, features: fitted, catalog: catalog, scaling: scaling,
                                 metrics: metrics, hyperparameters: hyperparameters, provenance: provenance, uncertainty: uncertainty)
        let summary = Summary(rows: n,
                              rowsUsed: Dictionary(uniqueKeysWithValues: products.enumerated().map { ($1.id, result.rowsUsed[$0]) }),
                              iterations: Dictionary(uniqueKeysWithValues: products.enumerated().map { ($1.id, result.iterations[$0]) }),
                              converged: Dictionary(uniqueKeysWithValues: products.enumerated().map { ($1.id, result.converged[$0]) }),
                              uncalibrated: uncalibrated)
        return (model, summary)
    }

    /// Each product's training labels of a chunk: NaN where the label is empty or the offer's
    /// rule fails (a row whose rule fails says nothing about suitability).
    struct Labelling {
        let evaluator: EligibilityEvaluator
        let products: [Catalog.Offer]
        let offerIndices: [Int]
        let labelPrefix: String
        let asOf: Int
        let path: String

        /// rows × products, row-major.
        func labels(_ chunk: RecordChunk) throws(InputFileError) -> [Double] {
            let k = products.count
            var y = [Double](repeating: .nan, count: chunk.rowCount * k)
            let eligibility = evaluator.evaluate(chunk, asOf: asOf)
            for (p, offer) in products.enumerated() {
                let labels = chunk.extra(chunk.extraNames.firstIndex(of: labelPrefix + offer.id)!)
                for r in 0..<chunk.rowCount {
                    guard let label = try OutcomeLabel.parse(labels[r], path: path, line: chunk.lines[r], field: labelPrefix + offer.id) else { continue }
                    if eligibility.status(offer: offerIndices[p], row: r) == .fail { continue }
                    y[r * k + p] = label
                }
            }
            return y
        }
    }

    /// Reads the file once more to count, per binned feature, pre-bin slot and product, the rows,
    /// successes and failures; then fixes each product's trend (the feature's direction for the
    /// offer, else the spec's `monotone`, `auto` choosing the direction with the larger
    /// information value) and merges the pre-bins optimally (``OptimalBinning/merge``).
    static func fitBins(_ fitted: FittedFeatures, path: String, reading: ReaderOptions, labelling: Labelling,
                        parameters: [String: Double], ignoringDirections: Bool) throws(PipelineError) -> FittedFeatures {
        let binned = fitted.bins.indices.filter { fitted.bins[$0] != nil }
        let k = labelling.products.count
        var counts = binned.map { BinCounts(slots: fitted.bins[$0]!.slotCount, products: k) }
        do throws(InputFileError) {
            let reader = try EnterpriseFileReader(path: path, schema: fitted.schema, options: reading)
            while let chunk = try reader.nextChunk() {
                let y = try labelling.labels(chunk)
                for (b, j) in binned.enumerated() {
                    for (r, slot) in fitted.slots(chunk, feature: j, parameters: parameters).enumerated() {
                        counts[b].rows[slot] += 1
                        for p in 0..<k where !y[r * k + p].isNaN {
                            if y[r * k + p] == 1 { counts[b].events[p][slot] += 1 } else { counts[b].nonEvents[p][slot] += 1 }
                        }
                    }
                }
            }
        } catch { throw .input(error) }
        var replacement = [FittedBins?](repeating: nil, count: fitted.bins.count)
        for (b, j) in binned.enumerated() {
            let feature = fitted.spec.features[j]
            replacement[j] = fitBins(feature, prebins: fitted.bins[j]!, counts: counts[b], products: labelling.products,
                                     direction: ignoringDirections ? nil : feature.direction, polarity: fitted.polarity)
        }
        return fitted.replacingBins(replacement)
    }

    /// One feature's bins from its pre-bin counts: a product's trend is the feature's direction
    /// for the offer where it has one, else the spec's `monotone`. Both say which way is good for
    /// the firm: for an adverse event the event rate's trend is the opposite.
    static func fitBins(_ feature: FeatureSpec.Feature, prebins: FittedBins, counts: BinCounts, products: [Catalog.Offer],
                        direction: FeatureSpec.Direction?, polarity: FittedFeatures.EventPolarity = .favourable) -> FittedBins {
        var spec = feature.binning ?? BinningSpec()
        let monotone: WeightSign? = spec.monotone == .increasing ? .nonNegative : spec.monotone == .decreasing ? .nonPositive : nil
        let fixed: [WeightSign?] = products.map { offer in
            let sign = direction.map { $0.sign(offer: offer.id, kind: offer.kind.id) }.flatMap { $0 == .free ? nil : $0 } ?? monotone
            return sign.map(polarity.weightSign)
        }
        if monotone != nil { spec.monotone = .none }  // fixed per product above
        return OptimalBinning.fit(prebins: prebins, counts: counts, spec: spec, fixedTrends: fixed)
    }

    /// Platt scaling of one product fitted on its out-of-fold logits (rows without a label for it
    /// are NaN), with the out-of-fold calibration error before and after.
    static func fitCalibration(outOfFold: [Double], labels: Matrix<Double>, product p: Int, sampleWeights: [Double]?) throws(PlattScaling.FitError) -> CalibrationRecord {
        var z: [Double] = [], y: [Double] = [], w: [Double] = []
        for i in outOfFold.indices where !outOfFold[i].isNaN {
            z.append(outOfFold[i])
            y.append(labels[i, p])
            if let sampleWeights { w.append(sampleWeights[i]) }
        }
        guard !z.isEmpty else { throw .oneOutcome }
        let scaling = try PlattScaling.fit(logits: z, labels: y, weights: sampleWeights == nil ? nil : w)
        let before = BinaryMetrics(probabilities: z.map(Sigmoid.probability), labels: y)
        let after = BinaryMetrics(probabilities: z.map { Sigmoid.probability(scaling.logit($0)) }, labels: y)
        return CalibrationRecord(scaling: scaling, rows: z.count, eceBefore: before.expectedCalibrationError, eceAfter: after.expectedCalibrationError)
    }

    /// SHA-256 of the file, read in 1 MiB pieces.
    package static func fingerprint(_ path: String) -> String {
        var hash = SHA256()
        do { try FileBytes.forEachPiece(of: path, size: 1 << 20) { hash.update($0) } } catch { return "unreadable" }
        return hash.finalize()
    }
}

/// The chunks of a reader as a sequence (for streaming `fit`); a read error ends the sequence and
/// is kept in `error`.
final class ChunkStream: Sequence, IteratorProtocol {
    let reader: EnterpriseFileReader
    private(set) var error: InputFileError?
    private(set) var rows = 0

    init(_ reader: EnterpriseFileReader) { self.reader = reader }

    func next() -> RecordChunk? {
        guard error == nil else { return nil }
        do {
            guard let chunk = try reader.nextChunk() else { return nil }
            rows += chunk.rowCount
            return chunk
        } catch {
            self.error = error
            return nil
        }
    }
}
