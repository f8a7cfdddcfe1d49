package import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
/// The training metrics of a model file (`metrics`): per product, the in-sample figures and, when
/// the model was trained with a hold-out file, the hold-out figures; and the hold-out summary.
package struct ModelMetrics: Sendable, Equatable {
    /// In product order.
    package var products: [(id: String, metrics: ProductMetrics)]
    package var holdout: HoldoutSummary?

    package init(products: [(id: String, metrics: ProductMetrics)], holdout: HoldoutSummary? = nil) {
        self.products = products
        self.holdout = holdout
    }

    package subscript(id: String) -> ProductMetrics? {
        get { products.first { $0.id == id }?.metrics }
        set {
            guard let i = products.firstIndex(where: { $0.id == id }) else { return }
            if let newValue { products[i].metrics = newValue }
        }
    }

    package static func == (a: ModelMetrics, b: ModelMetrics) -> Bool {
        a.products.map(\.id) == b.products.map(\.id) && a.products.map(\.metrics) == b.products.map(\.metrics) && a.holdout == b.holdout
    }
}

/// One product's figures on its training rows.
package struct ProductMetrics: Sendable, Equatable {
    package var rows: Int
    package var positiveRate: Double
    package var auc: Double
    package var ks: Double
    package var logLoss: Double
    package var brier: Double
    /// Solver iterations and whether it met its tolerance.
    package var iterations: Int
    package var converged: Bool
    /// With cross-validation: the C chosen and every candidate's mean out-of-fold figures.
    package var c: Double?
    package var crossValidation: [CrossValidation.Score]
    /// Missing-data weights lowered to the least favourable in-range contribution (model format 3).
    package var cappedMissingWeights: Int?
    /// The Platt calibration folded into the product's weights, when one was fitted.
    package var calibration: CalibrationRecord?
    package var holdout: HoldoutMetrics?

    /// Successes the product learnt from.
    package var successes: Int { Int((positiveRate * Double(rows)).rounded()) }

    package init(rows: Int, positiveRate: Double, auc: Double, ks: Double, logLoss: Double, brier: Double, iterations: Int, converged: Bool,
                c: Double? = nil, crossValidation: [CrossValidation.Score] = [], cappedMissingWeights: Int? = nil,
                calibration: CalibrationRecord? = nil, holdout: HoldoutMetrics? = nil) {
        self.rows = rows
        self.positiveRate = positiveRate
        self.auc = auc
        self.ks = ks
        self.logLoss = logLoss
        self.brier = brier
        self.iterations = iterations
        self.converged = converged
        self.c = c
        self.crossValidation = crossValidation
        self.cappedMissingWeights = cappedMissingWeights
        self.calibration = calibration
        self.holdout = holdout
    }
}

/// A Platt calibration as fitted on the cross-validation's out-of-fold logits, and the expected
/// calibration error (by deciles) of those logits before and after it. The product's stored
/// weights and intercept already include it (w·a, b₀·a + b).
package struct CalibrationRecord: Sendable, Equatable {
    package var scaling: PlattScaling
    /// Out-of-fold rows it was fitted on.
    package var rows: Int
    package var eceBefore: Double
    package var eceAfter: Double

    package init(scaling: PlattScaling, rows: Int, eceBefore: Double, eceAfter: Double) {
        self.scaling = scaling
        self.rows = rows
        self.eceBefore = eceBefore
        self.eceAfter = eceAfter
    }
}

/// One product's figures on the hold-out file; nil where undefined (no positive or no negative).
package struct HoldoutMetrics: Sendable, Equatable {
    package var rows: Int
    package var positiveRate, auc, ks, logLoss, brier, precisionAtTop, liftAtTop: Double?

    package init(rows: Int, positiveRate: Double? = nil, auc: Double? = nil, ks: Double? = nil, logLoss: Double? = nil, brier: Double? = nil,
                 precisionAtTop: Double? = nil, liftAtTop: Double? = nil) {
        self.rows = rows
        self.positiveRate = positiveRate
        self.auc = auc
        self.ks = ks
        self.logLoss = logLoss
        self.brier = brier
        self.precisionAtTop = precisionAtTop
        self.liftAtTop = liftAtTop
    }
}

/// The hold-out file and the per-enterprise ranking figures measured on it.
package struct HoldoutSummary: Sendable, Equatable {
    package var file: String
    package var sha256: String
    package var rows: Int
    package var top: Int
    package var ndcgAt3: Double?
    package var hitAt1: Double?

    package init(file: String, sha256: String, rows: Int, top: Int, ndcgAt3: Double? = nil, hitAt1: Double? = nil) {
        self.file = file
        self.sha256 = sha256
        self.rows = rows
        self.top = top
        self.ndcgAt3 = ndcgAt3
        self.hitAt1 = hitAt1
    }
}

/// How the model was fitted (`hyperparameters`).
package struct Hyperparameters: Sendable, Equatable {
    /// Inverse regularisation strength (the C of every product, unless cross-validation chose).
    package var c: Double
    /// With cross-validation: folds, candidate grid and shuffling seed.
    package var crossValidation: (folds: Int, grid: [Double], seed: UInt64)?
    /// "balanced" or "none".
    package var classWeights: String
    package var tolerance: Double
    package var maxIterations: Int
    /// The solver, described.
    package var solver: String
    /// Newton: rows of the sub-sampled Hessian.
    package var hessianSampleRows: Int?
    /// Weights held to a sign by monotone constraints (over all products); nil: none.
    package var signConstrainedWeights: Int?

    package static func == (a: Hyperparameters, b: Hyperparameters) -> Bool {
        a.c == b.c && a.crossValidation?.folds == b.crossValidation?.folds && a.crossValidation?.grid == b.crossValidation?.grid
            && a.crossValidation?.seed == b.crossValidation?.seed && a.classWeights == b.classWeights && a.tolerance == b.tolerance
            && a.maxIterations == b.maxIterations && a.solver == b.solver && a.hessianSampleRows == b.hessianSampleRows
            && a.signConstrainedWeights == b.signConstrainedWeights
    }
}

/// Where the model came from (`provenance`).
package struct Provenance: Sendable, Equatable {
    /// The training file's name (without its folder) and SHA-256.
    package var trainingFile: String
    package var trainingFileSHA256: String
    package var rows: Int
    /// The assessment date the features and rules were computed at (ISO 8601).
    package var asOfDate: String
    package var finrecVersion: String
    /// What the training data were, as the trainer declared it (`finrec train --data-origin`):
    /// `synthetic` (a generated history, as the shipped model's) or `bank` (real outcomes); nil
    /// when not declared. Outputs say that probabilities of a synthetic model are learnt from a
    /// simulation.
    package var dataOrigin: DataOrigin?

    package enum DataOrigin: String, Sendable, CaseIterable { case synthetic, bank }

    /// For a model learnt from a synthetic history, the sentence every output that shows its
    /// probabilities carries; nil otherwise.
    package func probabilityNote(_ language: Language) -> String? {
        guard dataOrigin == .synthetic else { return nil }
        return language == .zh
            ? "注：概率由合成的山东企业历史数据（finrec synth 生成的模拟结果）学得，不是真实放款或上市结果；银行须以自身历史数据重新训练（finrec train --data-origin bank）后再用于决策。"
            : "Note: probabilities are learnt from a synthetic history of Shandong firms (simulated outcomes from finrec synth), not real lending or listing outcomes; a bank retrains on its own history (finrec train --data-origin bank) before relying on them."
    }

    package init(trainingFile: String, trainingFileSHA256: String, rows: Int, asOfDate: String, finrecVersion: String, dataOrigin: DataOrigin? = nil) {
        self.trainingFile = trainingFile
        self.trainingFileSHA256 = trainingFileSHA256
        self.rows = rows
        self.asOfDate = asOfDate
        self.finrecVersion = finrecVersion
        self.dataOrigin = dataOrigin
    }
}

// MARK: - JSON

extension ModelMetrics {
    package func encode() -> JSONValue {
        var o = JSONObject()
        for (id, m) in products { o[id] = m.encode() }
        if let h = holdout {
            o["holdout"] = .object(JSONObject([
                ("file", .string(h.file)), ("sha256", .string(h.sha256)), ("rows", .number(Double(h.rows))),
                ("top", .number(Double(h.top))), ("ndcg_at_3", .optional(h.ndcgAt3)), ("hit_at_1", .optional(h.hitAt1)),
            ]))
        }
        return .object(o)
    }

    static func decode(_ f: JSONField, products ids: [String]) throws(JSONFieldError) -> ModelMetrics {
        try f.rejectUnknownKeys(Set(ids + ["holdout"]), hint: "not a product of this model")
        var products: [(id: String, metrics: ProductMetrics)] = []
        for id in ids { products.append((id, try ProductMetrics.decode(try f.required(id)))) }
        var holdout: HoldoutSummary?
        if let h = try f.optional("holdout") {
            try h.rejectUnknownKeys(["file", "sha256", "rows", "top", "ndcg_at_3", "hit_at_1"])
            holdout = HoldoutSummary(file: try h.required("file").string(), sha256: try h.required("sha256").string(),
                                     rows: try h.required("rows").wholeNumber(), top: try h.required("top").wholeNumber(),
                                     ndcgAt3: try h.required("ndcg_at_3").optionalNumber(), hitAt1: try h.required("hit_at_1").optionalNumber())
        }
        return ModelMetrics(products: products, holdout: holdout)
    }
}

extension ProductMetrics {
    package func encode() -> JSONValue {
        var o = JSONObject([
            ("rows", .number(Double(rows))), ("positive_rate", .number(positiveRate)), ("auc", .number(auc)),
            ("ks", .number(ks)), ("log_loss", .number(logLoss)), ("brier", .number(brier)),
            ("iterations", .number(Double(iterations))), ("converged", .bool(converged)),
        ])
        if let c {
            o["c"] = .number(c)
            o["cross_validation"] = .array(crossValidation.map { s in
                .object(JSONObject([("c", .number(s.c)), ("auc", .number(s.auc)), ("log_loss", .number(s.logLoss))]))
            })
        }
        if let cappedMissingWeights { o["capped_missing_weights"] = .number(Double(cappedMissingWeights)) }
        if let r = calibration {
            o["calibration"] = .object(JSONObject([
                ("method", .string("platt")), ("slope", .number(r.scaling.slope)), ("intercept", .number(r.scaling.intercept)),
                ("out_of_fold_rows", .number(Double(r.rows))), ("out_of_fold_ece_before", .number(r.eceBefore)),
                ("out_of_fold_ece_after", .number(r.eceAfter)),
            ]))
        }
        if let h = holdout {
            o["holdout"] = .object(JSONObject([
                ("rows", .number(Double(h.rows))), ("positive_rate", .optional(h.positiveRate)), ("auc", .optional(h.auc)),
                ("ks", .optional(h.ks)), ("log_loss", .optional(h.logLoss)), ("brier", .optional(h.brier)),
                ("precision_at_top", .optional(h.precisionAtTop)), ("lift_at_top", .optional(h.liftAtTop)),
            ]))
        }
        return .object(o)
    }

    static func decode(_ f: JSONField) throws(JSONFieldError) -> ProductMetrics {
        try f.rejectUnknownKeys(["rows", "positive_rate", "auc", "ks", "log_loss", "brier", "iterations", "converged", "c", "cross_validation",
                                "capped_missing_weights", "calibration", "holdout"])
        var m = ProductMetrics(rows: try f.required("rows").wholeNumber(), positiveRate: try f.required("positive_rate").number(),
                               auc: try f.required("auc").number(), ks: try f.required("ks").number(),
                               logLoss: try f.required("log_loss").number(), brier: try f.required("brier").number(),
                               iterations: try f.required("iterations").wholeNumber(), converged: try f.required("converged").bool())
        if let c = try f.optional("c") {
            m.c = try c.finiteNumber()
            m.crossValidation = try f.required("cross_validation").items().map { (s) throws(JSONFieldError) in
                CrossValidation.Score(c: try s.required("c").number(), auc: try s.required("auc").number(), logLoss: try s.required("log_loss").number())
            }
        }
        m.cappedMissingWeights = try f.optional("capped_missing_weights")?.wholeNumber()
        if let r = try f.optional("calibration") {
            try r.rejectUnknownKeys(["method", "slope", "intercept", "out_of_fold_rows", "out_of_fold_ece_before", "out_of_fold_ece_after"])
            guard try r.required("method").string() == "platt" else {
                throw try r.required("method").error("should be \"platt\", the only calibration FinRec fits")
            }
            let slope = try r.required("slope").finiteNumber()
            guard slope > 0 else { throw try r.required("slope").error("should be positive: a calibration keeps the model's order") }
            m.calibration = CalibrationRecord(scaling: PlattScaling(slope: slope, intercept: try r.required("intercept").finiteNumber()),
                                              rows: try r.required("out_of_fold_rows").wholeNumber(),
                                              eceBefore: try r.required("out_of_fold_ece_before").number(),
                                              eceAfter: try r.required("out_of_fold_ece_after").number())
        }
        if let h = try f.optional("holdout") {
            func n(_ key: String) throws(JSONFieldError) -> Double? { try h.required(key).optionalNumber() }
            m.holdout = HoldoutMetrics(rows: try h.required("rows").wholeNumber(), positiveRate: try n("positive_rate"), auc: try n("auc"),
                                       ks: try n("ks"), logLoss: try n("log_loss"), brier: try n("brier"),
                                       precisionAtTop: try n("precision_at_top"), liftAtTop: try n("lift_at_top"))
        }
        return m
    }
}

extension Hyperparameters {
    package func encode() -> JSONValue {
        var o = JSONObject()
        o["c"] = .number(c)
        if let cv = crossValidation {
            o["cross_validation_folds"] = .number(Double(cv.folds))
            o["c_grid"] = .array(cv.grid.map { .number($0) })
            o["seed"] = .number(Double(cv.seed))
        }
        o["class_weights"] = .string(classWeights)
        o["tolerance"] = .number(tolerance)
        o["max_iterations"] = .number(Double(maxIterations))
        o["solver"] = .string(solver)
        if let hessianSampleRows { o["hessian_sample_rows"] = .number(Double(hessianSampleRows)) }
        if let signConstrainedWeights { o["sign_constrained_weights"] = .number(Double(signConstrainedWeights)) }
        return .object(o)
    }

    static func decode(_ f: JSONField) throws(JSONFieldError) -> Hyperparameters {
        try f.rejectUnknownKeys(["c", "cross_validation_folds", "c_grid", "seed", "class_weights", "tolerance", "max_iterations", "solver", "hessian_sample_rows",
                                "sign_constrained_weights"])
        var crossValidation: (folds: Int, grid: [Double], seed: UInt64)?
        if let folds = try f.optional("cross_validation_folds") {
            crossValidation = (try folds.wholeNumber(in: 2...1_000),
                               try f.required("c_grid").items().map { (x) throws(JSONFieldError) in try x.finiteNumber() },
                               UInt64(try f.required("seed").wholeNumber()))
        }
        let classWeights = try f.required("class_weights").string()
        guard ["balanced", "none"].contains(classWeights) else { throw f.error("class_weights should be \"balanced\" or \"none\"") }
        return Hyperparameters(c: try f.required("c").finiteNumber(), crossValidation: crossValidation, classWeights: classWeights,
                               tolerance: try f.required("tolerance").finiteNumber(),
                               maxIterations: try f.required("max_iterations").wholeNumber(),
                               solver: try f.required("solver").string(),
                               hessianSampleRows: try f.optional("hessian_sample_rows")?.wholeNumber(),
                               signConstrainedWeights: try f.optional("sign_constrained_weights")?.wholeNumber())
    }
}

extension Provenance {
    package func encode() -> JSONValue {
        var o = JSONObject([
            ("training_file", .string(trainingFile)), ("training_file_sha256", .string(trainingFileSHA256)),
            ("rows", .number(Double(rows))), ("as_of_date", .string(asOfDate)), ("finrec_version", .string(finrecVersion)),
        ])
        if let dataOrigin { o["data_origin"] = .string(dataOrigin.rawValue) }
        return .object(o)
    }

    static func decode(_ f: JSONField) throws(JSONFieldError) -> Provenance {
        try f.rejectUnknownKeys(["training_file", "training_file_sha256", "rows", "as_of_date", "finrec_version", "data_origin"])
        var origin: DataOrigin?
        if let o = try f.optional("data_origin") {
            let text = try o.string()
            guard let value = DataOrigin(rawValue: text) else {
                throw o.error("'\(text)' is not a data origin; use \(DataOrigin.allCases.map(\.rawValue).joined(separator: " or "))")
            }
            origin = value
        }
        return Provenance(trainingFile: try f.required("training_file").string(), trainingFileSHA256: try f.required("training_file_sha256").string(),
                          rows: try f.required("rows").wholeNumber(), asOfDate: try f.required("as_of_date").string(),
                          finrecVersion: try f.required("finrec_version").string(), dataOrigin: origin)
    }
}

extension JSONValue {
    /// A number, or null for nil and for a value that is not finite (JSON has no NaN).
    package static func optional(_ x: Double?) -> JSONValue { x.flatMap { $0.isFinite ? .number($0) : nil } ?? .null }
}

extension JSONField {
    /// A number or null.
    package func optionalNumber() throws(JSONFieldError) -> Double? { isNull ? nil : try number() }
}
