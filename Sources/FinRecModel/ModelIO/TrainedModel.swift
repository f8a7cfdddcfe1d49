package import FinRecBase
package import FinRecRecords
package import FinRecLinear
package import FinRecFeatures
package import FinRecCatalog
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scorecard points: points = offset + factor · ln(odds), with odds = p / (1 − p) = e^logit.
/// The default puts 600 points at odds 50:1 and adds 20 points each time the odds double.
package struct ScoreScaling: Sendable, Equatable {
    package let offset: Double
    package let factor: Double

    package init(pointsAtOdds points: Double = 600, odds: Double = 50, pointsToDoubleOdds pdo: Double = 20) {
        factor = pdo / log(2)
        offset = points - factor * log(odds)
    }

    init(offset: Double, factor: Double) {
        self.offset = offset
        self.factor = factor
    }

    package func points(logit: Double) -> Double { offset + factor * logit }
}

/// A model as `finrec train` writes it (model file format version 2): the weights, and everything
/// needed to score raw enterprise records without the training data — the feature spec with its
/// fitted statistics, the catalog it was trained with, the score scaling — plus the training
/// metrics, hyper-parameters and provenance.
package struct TrainedModel: Sendable {
    package let linear: LinearModel
    package let features: FittedFeatures
    package let catalog: Catalog
    package let scaling: ScoreScaling
    package let metrics: ModelMetrics
    package let hyperparameters: Hyperparameters
    package let provenance: Provenance
    /// Per product (in ``linear`` order), the logit's uncertainty; empty for models without it
    /// (version 2), nil for a product whose curvature was degenerate.
    package let uncertainty: [LogitUncertainty?]

    /// The top-level sections a version-2 file adds to version 1 (and version 3 to 2).
    static let sections: Set<String> = ["features", "catalog", "scaling", "metrics", "hyperparameters", "provenance", "schema", "uncertainty"]

    /// Labels are read from `label_<id>` columns for enterprise models and from the column named
    /// by the product id for generic ones.
    package var labelPrefix: String { features.schema.name == GenericSchema.name ? "" : "label_" }

    package init(linear: LinearModel, features: FittedFeatures, catalog: Catalog, scaling: ScoreScaling,
                metrics: ModelMetrics, hyperparameters: Hyperparameters, provenance: Provenance, uncertainty: [LogitUncertainty?] = []) {
        precondition(linear.featureNames == features.columnNames, "the weights must be over the fitted feature columns")
        precondition(uncertainty.isEmpty || uncertainty.count == linear.products.count, "one uncertainty per product")
        precondition(uncertainty.allSatisfy { $0.map { $0.dimension == linear.featureNames.count + 1 } ?? true }, "uncertainty over the features and intercept")
        self.uncertainty = uncertainty
        self.linear = linear
        self.features = features
        self.catalog = catalog
        self.scaling = scaling
        self.metrics = metrics
        self.hyperparameters = hyperparameters
        self.provenance = provenance
    }

    /// The model's JSON document (format version 2).
    package func encode() -> JSONValue {
        guard case .object(var root) = ModelFile.encode(linear) else { preconditionFailure("a model encodes to an object") }
        switch self.features.layout {
        case .declared: root["format_version"] = .number(2)
        case .conservative: root["format_version"] = .number(3)
        case .oneSided:
            root["format_version"] = .number(4)
            root["event"] = .string(self.features.polarity.rawValue)
        }
        var features = JSONObject()
        features["spec"] = self.features.spec.source ?? .null
        features["statistics"] = .array(self.features.statistics.enumerated().map { j, s in
            guard let s else { return .null }
            var o = JSONObject([("feature", .string(self.features.spec.features[j].name)), ("count", .number(Double(s.count))),
                                ("mean", .number(s.mean)), ("sd", .number(s.standardDeviation))])
            if s.low.isFinite, s.high.isFinite {
                o["low"] = .number(s.low)
                o["high"] = .number(s.high)
                if self.features.layout == .oneSided {
                    o["far_low"] = .number(s.farLow)
                    o["far_high"] = .number(s.farHigh)
                }
            }
            return .object(o)
        })
        features["vocabularies"] = .array(self.features.vocabularies.map { v in v.map { .array($0.map { .string($0) }) } ?? .null })
        if self.features.bins.contains(where: { $0 != nil }) {
            let ids = linear.products.map(\.id)
            features["bins"] = .array(self.features.bins.enumerated().map { j, b in
                guard let b else { return .null }
                var o = JSONObject([("feature", .string(self.features.spec.features[j].name)), ("cuts", .array(b.cuts.map(JSONValue.number))),
                                    ("special", .array(b.special.map(JSONValue.number))),
                                    ("trends", .object(JSONObject(zip(ids, b.trends).map { ($0, .string($1.rawValue)) })))])
                if let c = b.counts {
                    o["counts"] = .object(JSONObject([
                        ("rows", .array(c.rows.map(JSONValue.number))),
                        ("events", .object(JSONObject(zip(ids, c.events).map { ($0, .array($1.map(JSONValue.number))) }))),
                        ("non_events", .object(JSONObject(zip(ids, c.nonEvents).map { ($0, .array($1.map(JSONValue.number))) }))),
                    ]))
                }
                return .object(o)
            })
        }
        root["features"] = .object(features)
        if self.features.schema.name == GenericSchema.name { root["schema"] = GenericSchema.encode(self.features.schema) }
        root["catalog"] = catalog.source ?? .null
        root["scaling"] = .object(JSONObject([("offset", .number(scaling.offset)), ("factor", .number(scaling.factor)),
                                             ("formula", .string("points = offset + factor * ln(odds)"))]))
        root["metrics"] = metrics.encode()
        root["hyperparameters"] = hyperparameters.encode()
        root["provenance"] = provenance.encode()
        if !uncertainty.isEmpty {
            root["uncertainty"] = .object(JSONObject([
                ("method", .string(Self.uncertaintyMethod)),
                ("products", .object(JSONObject(zip(linear.products, uncertainty).map { ($0.id, $1.map { .string($0.base64) } ?? .null) }))),
            ]))
        }
        return .object(root)
    }

    /// `features.bins`: one entry per spec feature, an object for each binned feature (its cuts,
    /// special values, per-product trends and training counts), null for the others.
    static func decodeBins(_ section: JSONField, spec: FeatureSpec, products ids: [String]) throws(JSONFieldError) -> [FittedBins?] {
        guard spec.features.contains(where: { $0.binning != nil }) else {
            if let b = try section.optional("bins") { throw b.error("the spec has no binned feature; remove bins") }
            return Array(repeating: nil, count: spec.features.count)
        }
        let list = try section.required("bins")
        let items = try list.items()
        guard items.count == spec.features.count else { throw list.error("needs one entry per feature of the spec (\(spec.features.count)), has \(items.count)") }
        func numbers(_ f: JSONField) throws(JSONFieldError) -> [Double] { try f.items().map { (x) throws(JSONFieldError) in try x.finiteNumber() } }
        func perProduct<T>(_ f: JSONField, _ read: (JSONField) throws(JSONFieldError) -> T) throws(JSONFieldError) -> [T] {
            let keys = Set(try f.object().keys)
            guard keys == Set(ids) else { throw f.error("needs one entry per product (\(ids.joined(separator: ", "))), has \(keys.sorted().joined(separator: ", "))") }
            return try ids.map { (id) throws(JSONFieldError) in try read(try f.required(id)) }
        }
        var bins: [FittedBins?] = []
        for (j, feature) in spec.features.enumerated() {
            let b = items[j]
            guard feature.binning != nil else {
                guard b.isNull else { throw b.error("should be null: \(feature.name) is not binned") }
                bins.append(nil)
                continue
            }
            try b.rejectUnknownKeys(["feature", "cuts", "special", "trends", "counts"])
            let cutsField = try b.required("cuts")
            let cuts = try numbers(cutsField)
            guard zip(cuts, cuts.dropFirst()).allSatisfy({ $0 < $1 }) else { throw cutsField.error("cut points must be strictly increasing") }
            let trends = try perProduct(try b.required("trends")) { (t) throws(JSONFieldError) -> WeightSign in
                guard let sign = WeightSign(rawValue: try t.string()) else { throw t.error("a trend is \"+\", \"-\" or \"free\"") }
                return sign
            }
            var fitted = FittedBins(cuts: cuts, special: try numbers(try b.required("special")), trends: trends)
            if let c = try b.optional("counts") {
                try c.rejectUnknownKeys(["rows", "events", "non_events"])
                let counts = BinCounts(rows: try numbers(try c.required("rows")), events: try perProduct(try c.required("events"), numbers),
                                       nonEvents: try perProduct(try c.required("non_events"), numbers))
                guard ([counts.rows] + counts.events + counts.nonEvents).allSatisfy({ $0.count == fitted.slotCount }) else {
                    throw c.error("needs \(fitted.slotCount) counts per list (bins, special values, missing)")
                }
                fitted.counts = counts
            }
            bins.append(fitted)
        }
        return bins
    }

    static let uncertaintyMethod = "Laplace: Cholesky factor L of the posterior precision H/C (lower triangle, row-major, Float32 little-endian, base64); var(logit) = ||L^-1 (x, 1)||^2"

    /// Writes the model atomically; refuses to replace an existing file unless `overwrite`.
    package func write(to path: String, overwrite: Bool) throws(ModelFileError) {
        if !overwrite, access(path, F_OK) == 0 { throw .exists(path: path) }
        let problems = linear.problems()
        guard problems.isEmpty else { throw .invalid(path: path, problems: problems) }
        do { try AtomicFileWriter.write(Array(encode().prettyPrinted().utf8), to: path) } catch { throw .unwritable(error) }
    }

    /// Reads a version-2 model file. A generic model (trained with `--label`) carries its own
    /// schema, which then replaces `schema`.
    package static func read(from path: String, schema enterpriseSchema: RecordSchema = EnterpriseSchema.schema) throws(ModelFileError) -> TrainedModel {
        // One read and one parse: the weights and every section come from the same document.
        try decode(document: try ModelFile.document(at: path), path: path, schema: enterpriseSchema)
    }

    /// A model from the bytes of a model file (read once by a caller that also hashes them);
    /// `path` is used in errors.
    package static func decode(_ bytes: [UInt8], path: String, schema enterpriseSchema: RecordSchema = EnterpriseSchema.schema) throws(ModelFileError) -> TrainedModel {
        let document: JSONValue
        do { document = try JSONValue.parse(bytes) } catch { throw .syntax(path: path, error) }
        return try decode(document: document, path: path, schema: enterpriseSchema)
    }

    private static func decode(document: JSONValue, path: String, schema enterpriseSchema: RecordSchema) throws(ModelFileError) -> TrainedModel {
        let linear = try ModelFile.decode(document, path: path)
        return try ModelFile.decoding(path: path) {
            try decode(JSONField(document), linear: linear, path: path, schema: enterpriseSchema)
        }
    }

    /// The version-2 sections of a model file whose weights are `linear`.
    private static func decode(_ root: JSONField, linear: LinearModel, path: String, schema enterpriseSchema: RecordSchema) throws -> TrainedModel {
        let layout: FittedFeatures.Layout
        switch try root.required("format_version").value {
        case .number(2): layout = .declared
        case .number(3): layout = .conservative
        case .number(4): layout = .oneSided
        default: throw try root.required("format_version").error("a version-1 file holds weights only; train a model with `finrec train`")
        }
        // Files before version 4 were all trained on a favourable event.
        var polarity = FittedFeatures.EventPolarity.favourable
        if layout == .oneSided {
            let field = try root.required("event")
            guard let p = FittedFeatures.EventPolarity(rawValue: try field.string()) else {
                throw field.error("is \"favourable\" (the label's 1 is good news for the applicant, e.g. approval) or \"adverse\" (e.g. default)")
            }
            polarity = p
        }
        var schema = enterpriseSchema
        if let schemaJSON = try root.optional("schema") {
            switch GenericSchema.decode(schemaJSON.value) {
            case .success(let s): schema = s
            case .failure(let e): throw schemaJSON.error(e.message)
            }
        }
        let featureSection = try root.required("features")
        try featureSection.rejectUnknownKeys(["spec", "statistics", "vocabularies", "bins"])
        let specField = try featureSection.required("spec")
        let spec: FeatureSpec
        do { spec = try FeatureSpec.decode(specField.value, path: path, schema: schema) } catch { throw error.fieldError.nested(in: specField.keyPath) }
        let statsField = try featureSection.required("statistics").items()
        let vocabField = try featureSection.required("vocabularies").items()
        for list in [statsField, vocabField] where list.count != spec.features.count {
            throw featureSection.error("statistics and vocabularies need one entry per feature of the spec (\(spec.features.count)), "
                                       + "have \(statsField.count) and \(vocabField.count)")
        }
        var statistics: [FittedFeatures.NumericStatistics?] = []
        var vocabularies: [[String]?] = []
        // Each numeric feature needs its statistics and each one-hot feature its vocabulary;
        // FittedFeatures takes that as given.
        for (i, feature) in spec.features.enumerated() {
            let s = statsField[i], v = vocabField[i]
            if feature.oneHot == nil {
                try s.rejectUnknownKeys(layout == .oneSided ? ["feature", "count", "mean", "sd", "low", "high", "far_low", "far_high"]
                                        : ["feature", "count", "mean", "sd", "low", "high"])
                // A count beyond Int, or a spread that is not positive, would trap or divide by zero later.
                let sd = try s.required("sd").finiteNumber()
                guard sd > 0 else { throw try s.required("sd").error("should be positive (the feature's standard deviation), is \(sd)") }
                var low = -Double.infinity, high = Double.infinity
                var farLow: Double?, farHigh: Double?
                if layout.isConservative {
                    low = try s.required("low").finiteNumber()
                    high = try s.required("high").finiteNumber()
                    guard low <= high else { throw s.error("low (\(low)) is above high (\(high))") }
                }
                if layout == .oneSided {
                    farLow = try s.required("far_low").finiteNumber()
                    farHigh = try s.required("far_high").finiteNumber()
                    guard farLow! <= low, high <= farHigh! else {
                        throw s.error("needs far_low ≤ low ≤ high ≤ far_high (the extended line around the clipping range), has \(farLow!), \(low), \(high), \(farHigh!)")
                    }
                }
                statistics.append(.init(count: try s.required("count").wholeNumber(), mean: try s.required("mean").finiteNumber(),
                                        standardDeviation: sd, low: low, high: high, farLow: farLow, farHigh: farHigh))
                guard v.isNull else { throw v.error("should be null: \(feature.name) is numeric") }
                vocabularies.append(nil)
            } else {
                guard s.isNull else { throw s.error("should be null: \(feature.name) is one-hot") }
                statistics.append(nil)
                vocabularies.append(try v.items().map { (x) throws(JSONFieldError) in try x.string() })
            }
        }
        let bins = try decodeBins(featureSection, spec: spec, products: linear.products.map(\.id))
        let features: FittedFeatures
        do { features = try FittedFeatures(spec: spec, schema: schema, statistics: statistics, vocabularies: vocabularies, bins: bins, layout: layout,
                                                    polarity: polarity) } catch {
            throw featureSection.error("the features do not compile: \(error.description)")
        }
        guard features.columnNames == linear.featureNames else {
            throw ModelFileError.invalid(path: path, problems: [ModelProblem(field: "feature_names", message: "do not match the columns of features.spec (\(features.columnNames.count) columns)")])
        }
        let catalogField = try root.required("catalog")
        let catalog: Catalog
        do { catalog = try Catalog.decode(catalogField.value, path: path, schema: schema) } catch { throw error.fieldError.nested(in: catalogField.keyPath) }
        let scalingField = try root.required("scaling")
        try scalingField.rejectUnknownKeys(["offset", "factor", "formula"])
        let scaling = ScoreScaling(offset: try scalingField.required("offset").finiteNumber(), factor: try scalingField.required("factor").finiteNumber())
        var uncertainty: [LogitUncertainty?] = []
        if let u = try root.optional("uncertainty") {
            try u.rejectUnknownKeys(["method", "products"])
            _ = try u.required("method").string()
            let products = try u.required("products")
            try products.rejectUnknownKeys(Set(linear.products.map(\.id)), hint: "not a product of this model")
            uncertainty = try linear.products.map { (product) throws(JSONFieldError) -> LogitUncertainty? in
                let field = try products.required(product.id)
                if field.isNull { return nil }
                guard let factor = LogitUncertainty(base64: try field.string(), dimension: linear.featureNames.count + 1) else {
                    throw field.error("should be the base64 of \((linear.featureNames.count + 1) * (linear.featureNames.count + 2) / 2) Float32 values with a positive diagonal")
                }
                return factor
            }
        }
        return TrainedModel(linear: linear, features: features, catalog: catalog, scaling: scaling,
                            metrics: try ModelMetrics.decode(try root.required("metrics"), products: linear.products.map(\.id)),
                            hyperparameters: try Hyperparameters.decode(try root.required("hyperparameters")),
                            provenance: try Provenance.decode(try root.required("provenance")), uncertainty: uncertainty)
    }
}
