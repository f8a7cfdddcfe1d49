import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scorecard points: points = offset + factor · ln(odds), with odds = p / (1 − p) = e^logit.
/// The default puts 600 points at odds 50:1 and adds 20 points each time the odds double.
public struct ScoreScaling: Sendable, Equatable {
    public let offset: Double
    public let factor: Double

    public init(pointsAtOdds points: Double = 600, odds: Double = 50, pointsToDoubleOdds pdo: Double = 20) {
        factor = pdo / log(2)
        offset = points - factor * log(odds)
    }

    init(offset: Double, factor: Double) {
        self.offset = offset
        self.factor = factor
    }

    public func points(logit: Double) -> Double { offset + factor * logit }
}

/// A model as `finrec train` writes it (model file format version 2): the weights, and everything
/// needed to score raw enterprise records without the training data — the feature spec with its
/// fitted statistics, the catalog it was trained with, the score scaling — plus the training
/// metrics, hyper-parameters and provenance.
public struct TrainedModel: Sendable {
    public let linear: LinearModel
    public let features: FittedFeatures
    public let catalog: Catalog
    public let scaling: ScoreScaling
    /// Per product id: metric name → value (auc, ks, log_loss, brier, positive_rate, rows).
    public let metrics: JSONObject
    public let hyperparameters: JSONObject
    public let provenance: JSONObject

    /// The top-level sections a version-2 file adds to version 1.
    static let sections: Set<String> = ["features", "catalog", "scaling", "metrics", "hyperparameters", "provenance", "schema"]

    /// Labels are read from `label_<id>` columns for enterprise models and from the column named
    /// by the product id for generic ones.
    public var labelPrefix: String { features.schema.name == GenericSchema.name ? "" : "label_" }

    public init(linear: LinearModel, features: FittedFeatures, catalog: Catalog, scaling: ScoreScaling,
                metrics: JSONObject, hyperparameters: JSONObject, provenance: JSONObject) {
        precondition(linear.featureNames == features.columnNames, "the weights must be over the fitted feature columns")
        self.linear = linear
        self.features = features
        self.catalog = catalog
        self.scaling = scaling
        self.metrics = metrics
        self.hyperparameters = hyperparameters
        self.provenance = provenance
    }

    /// The model's JSON document (format version 2).
    public func encode() -> JSONValue {
        guard case .object(var root) = ModelFile.encode(linear) else { preconditionFailure("a model encodes to an object") }
        root["format_version"] = .number(2)
        var features = JSONObject()
        features["spec"] = self.features.spec.source ?? .null
        features["statistics"] = .array(self.features.statistics.enumerated().map { j, s in
            guard let s else { return .null }
            return .object(JSONObject([("feature", .string(self.features.spec.features[j].name)), ("count", .number(Double(s.count))),
                                       ("mean", .number(s.mean)), ("sd", .number(s.standardDeviation))]))
        })
        features["vocabularies"] = .array(self.features.vocabularies.map { v in v.map { .array($0.map { .string($0) }) } ?? .null })
        root["features"] = .object(features)
        if self.features.schema.name == GenericSchema.name { root["schema"] = GenericSchema.encode(self.features.schema) }
        root["catalog"] = catalog.source ?? .null
        root["scaling"] = .object(JSONObject([("offset", .number(scaling.offset)), ("factor", .number(scaling.factor)),
                                             ("formula", .string("points = offset + factor * ln(odds)"))]))
        root["metrics"] = .object(metrics)
        root["hyperparameters"] = .object(hyperparameters)
        root["provenance"] = .object(provenance)
        return .object(root)
    }

    /// Writes the model atomically; refuses to replace an existing file unless `overwrite`.
    public func write(to path: String, overwrite: Bool) throws(ModelFileError) {
        if !overwrite, access(path, F_OK) == 0 { throw .exists(path: path) }
        let problems = linear.problems()
        guard problems.isEmpty else { throw .invalid(path: path, problems: problems) }
        do { try AtomicFileWriter.write(Array(encode().prettyPrinted().utf8), to: path) } catch { throw .unwritable(error) }
    }

    /// Reads a version-2 model file.
    /// Reads a version-2 model file. A generic model (trained with `--label`) carries its own
    /// schema, which then replaces `schema`.
    public static func read(from path: String, schema enterpriseSchema: RecordSchema = EnterpriseSchema.schema) throws(ModelFileError) -> TrainedModel {
        // One read and one parse: the weights and every section come from the same document.
        let document = try ModelFile.document(at: path)
        let linear = try ModelFile.decode(document, path: path)
        guard case .object(let root) = document else { throw .wrongType(path: path, field: "(top level)", expected: "an object", got: document.typeName) }
        guard case .number(2)? = root["format_version"] else {
            throw .missingField(path: path, field: "features (a version-1 file holds weights only; train a model with `finrec train`)")
        }
        func section(_ name: String) throws(ModelFileError) -> JSONObject {
            guard let v = root[name] else { throw .missingField(path: path, field: name) }
            guard case .object(let o) = v else { throw .wrongType(path: path, field: name, expected: "an object", got: v.typeName) }
            return o
        }
        var schema = enterpriseSchema
        if let schemaJSON = root["schema"] {
            switch GenericSchema.decode(schemaJSON) {
            case .success(let s): schema = s
            case .failure(let e): throw .wrongType(path: path, field: "schema", expected: "a generic schema", got: e.message)
            }
        }
        let featureSection = try section("features")
        guard let specJSON = featureSection["spec"] else { throw .missingField(path: path, field: "features.spec") }
        let spec: FeatureSpec
        do { spec = try FeatureSpec.decode(specJSON, path: path + " (features.spec)", schema: schema) } catch {
            throw .wrongType(path: path, field: "features.spec", expected: "a valid feature spec", got: error.description)
        }
        guard case .array(let statsJSON)? = featureSection["statistics"], statsJSON.count == spec.features.count,
              case .array(let vocabJSON)? = featureSection["vocabularies"], vocabJSON.count == spec.features.count else {
            throw .wrongType(path: path, field: "features.statistics", expected: "one entry per feature in statistics and vocabularies", got: "another shape")
        }
        var statistics: [FittedFeatures.NumericStatistics?] = []
        for (i, s) in statsJSON.enumerated() {
            if case .object(let o) = s, case .number(let n)? = o["count"], case .number(let m)? = o["mean"], case .number(let sd)? = o["sd"] {
                // A count beyond Int, or a spread that is not positive, would trap or divide by zero later.
                guard let count = Int(exactly: n), count >= 0, m.isFinite, sd.isFinite, sd > 0 else {
                    throw .wrongType(path: path, field: "features.statistics[\(i)]", expected: "a whole count, a finite mean and a positive sd",
                                     got: "count \(n), mean \(m), sd \(sd)")
                }
                statistics.append(.init(count: count, mean: m, standardDeviation: sd))
            } else {
                statistics.append(nil)
            }
        }
        let vocabularies: [[String]?] = vocabJSON.map { v in
            guard case .array(let items) = v else { return nil }
            return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        }
        // Each numeric feature needs its statistics and each one-hot feature its vocabulary;
        // FittedFeatures takes that as given.
        for (i, feature) in spec.features.enumerated() {
            if feature.oneHot == nil, statistics[i] == nil {
                throw .wrongType(path: path, field: "features.statistics[\(i)]", expected: "count, mean and sd of the numeric feature \(feature.name)", got: statsJSON[i].typeName)
            }
            if feature.oneHot != nil, vocabularies[i] == nil {
                throw .wrongType(path: path, field: "features.vocabularies[\(i)]", expected: "the vocabulary (strings) of the one-hot feature \(feature.name)", got: vocabJSON[i].typeName)
            }
        }
        let features: FittedFeatures
        do { features = try FittedFeatures(spec: spec, schema: schema, statistics: statistics, vocabularies: vocabularies) } catch {
            throw .wrongType(path: path, field: "features", expected: "features that compile", got: error.description)
        }
        guard features.columnNames == linear.featureNames else {
            throw .invalid(path: path, problems: [ModelProblem(field: "feature_names", message: "do not match the columns of features.spec (\(features.columnNames.count) columns)")])
        }
        guard let catalogJSON = root["catalog"] else { throw .missingField(path: path, field: "catalog") }
        let catalog: Catalog
        do { catalog = try Catalog.decode(catalogJSON, path: path + " (catalog)", schema: schema) } catch {
            throw .wrongType(path: path, field: "catalog", expected: "a valid catalog", got: error.description)
        }
        let scalingJSON = try section("scaling")
        guard case .number(let offset)? = scalingJSON["offset"], case .number(let factor)? = scalingJSON["factor"] else {
            throw .missingField(path: path, field: "scaling.offset and scaling.factor")
        }
        return TrainedModel(linear: linear, features: features, catalog: catalog, scaling: ScoreScaling(offset: offset, factor: factor),
                            metrics: try section("metrics"), hyperparameters: try section("hyperparameters"), provenance: try section("provenance"))
    }
}
