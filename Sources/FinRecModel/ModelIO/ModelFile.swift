package import FinRecBase
import FinRecRecords
package import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FoundationEssentials

/// Why a model file could not be read or written. Every case names the file; the
/// description says what is wrong and what to do.
package enum ModelFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case syntax(path: String, JSONSyntaxError)
    case notAModel(path: String, found: String)
    case unsupportedVersion(path: String, found: String)
    /// A field that is missing or malformed, with its key path (`features.statistics[6].count`).
    case field(path: String, JSONFieldError)
    case invalid(path: String, problems: [ModelProblem])
    case unwritable(FileWriteError)
    case exists(path: String)

    package var path: String {
        switch self {
        case .unreadable(let p, _), .syntax(let p, _), .notAModel(let p, _), .unsupportedVersion(let p, _),
             .field(let p, _), .invalid(let p, _), .exists(let p):
            p
        case .unwritable(let e): e.path
        }
    }

    package var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): cannot read the model file: \(reason). Check the path, or omit --model to use the shipped model."
        case .syntax(let path, let e):
            return "\(path): not a valid model file: \(e). A model file is JSON written by FinRec; "
                + "if it was copied or edited by hand, restore it from the original."
        case .notAModel(let path, let found):
            return "\(path): not a FinRec model file (its \"format\" is \(found), expected \"\(ModelFile.formatIdentifier)\")."
        case .unsupportedVersion(let path, let found):
            return "\(path): model format version \(found) is not supported; this FinRec \(FinRecVersion.current) "
                + "reads versions \(ModelFile.supportedVersions.dropLast().map(String.init).joined(separator: ", ")) and \(ModelFile.supportedVersions.last!). Retrain the model with this FinRec (`finrec train`) "
                + "or use the FinRec release that wrote it."
        case .field(let path, let e):
            return "\(path): \(e.keyPath): \(e.message). The model file is incomplete, was written by another FinRec version "
                + "or was edited by hand; restore the original or retrain it with `finrec train`."
        case .invalid(let path, let problems):
            return "\(path): the model is inconsistent: " + problems.map(\.description).joined(separator: "; ") + "."
        case .unwritable(let e):
            return e.description
        case .exists(let path):
            return "\(path): a model file is already there; pass --force to replace it, or choose another --output."
        }
    }
}

/// Reads and writes ``LinearModel`` as versioned, human-readable JSON.
///
/// ```json
/// {
///   "format": "finrec-model",
///   "format_version": 1,
///   "finrec_version": "0.1.0",
///   "feature_names": ["rd_ratio_1y", "log_revenue"],
///   "products": [
///     { "id": "srdi_loan", "name_zh": "专精特新贷", "name_en": "SRDI loan",
///       "intercept": -1.25, "weights": [0.8, 0.31] }
///   ]
/// }
/// ```
/// Numbers are written in shortest round-trip form, so a model read back is
/// bit-for-bit the model written, on every machine. Writes are atomic.
package enum ModelFile {
    package static let formatIdentifier = "finrec-model"
    /// Version 1: weights only (``LinearModel``). Version 2: a trained model (``TrainedModel``):
    /// weights plus feature spec and statistics, catalog, score scaling, metrics, provenance.
    /// Version 3: as 2, with training ranges and missing columns for every feature
    /// (``FittedFeatures/Layout/conservative``). Version 4: as 3, with the event's polarity
    /// (`"event": "favourable"` or `"adverse"`), excess columns that extrapolate on the side that
    /// hurts the applicant and catch-all categories named `NAME:other`, `NAME:missing`
    /// (``FittedFeatures/Layout/oneSided``).
    package static let formatVersion = 1
    package static let supportedVersions = [1, 2, 3, 4]

    /// The model's JSON document.
    package static func encode(_ model: LinearModel) -> JSONValue {
        var root = JSONObject()
        root["format"] = .string(formatIdentifier)
        root["format_version"] = .number(Double(formatVersion))
        root["finrec_version"] = .string(FinRecVersion.current)
        root["feature_names"] = .array(model.featureNames.map { .string($0) })
        root["products"] = .array(model.products.map { product in
            var o = JSONObject()
            o["id"] = .string(product.id)
            o["name_zh"] = .string(product.chineseName)
            o["name_en"] = .string(product.englishName)
            o["intercept"] = .number(product.intercept)
            o["weights"] = .array(product.weights.map { .number($0) })
            return .object(o)
        })
        return .object(root)
    }

    /// Writes `model` to `path` atomically (temporary file, fsync, rename).
    package static func write(_ model: LinearModel, to path: String) throws(ModelFileError) {
        let problems = model.problems()
        guard problems.isEmpty else { throw .invalid(path: path, problems: problems) }
        do {
            try AtomicFileWriter.write(Array(encode(model).prettyPrinted().utf8), to: path)
        } catch {
            throw .unwritable(error)
        }
    }

    /// Reads the model at `path`.
    package static func read(from path: String) throws(ModelFileError) -> LinearModel {
        try decode(try document(at: path), path: path)
    }

    /// The parsed JSON document of the model file at `path` (read and parsed once; the weights
    /// and the version-2 sections are decoded from it).
    static func document(at path: String) throws(ModelFileError) -> JSONValue {
        let data = try contents(at: path)
        do {
            return try JSONValue.parse(data)
        } catch {
            throw .syntax(path: path, error)
        }
    }

    /// The bytes of the model file at `path`.
    package static func contents(at path: String) throws(ModelFileError) -> [UInt8] {
        do { return try FileBytes.read(path) } catch { throw .unreadable(path: path, reason: error.reason) }
    }

    /// Decodes a model from the bytes of a model file; `path` is used in errors.
    package static func decode(_ bytes: some Collection<UInt8>, path: String) throws(ModelFileError) -> LinearModel {
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes)
        } catch {
            throw .syntax(path: path, error)
        }
        return try decode(document, path: path)
    }

    /// Decodes a model from a parsed model file; `path` is used in errors.
    package static func decode(_ document: JSONValue, path: String) throws(ModelFileError) -> LinearModel {
        try decoding(path: path) { try decode(JSONField(document), path: path) }
    }

    /// Runs a decoder that throws model-file errors and field errors, the latter as
    /// ``ModelFileError/field(path:_:)`` of `path`.
    static func decoding<T>(path: String, _ decode: () throws -> T) throws(ModelFileError) -> T {
        do {
            return try decode()
        } catch let error as JSONFieldError {
            throw .field(path: path, error)
        } catch let error as ModelFileError {
            throw error
        } catch {
            preconditionFailure("model decoders throw only model-file and field errors, not \(error)")
        }
    }

    private static func decode(_ root: JSONField, path: String) throws -> LinearModel {
        // Format and version come first: a file of another version may differ in every other field.
        let format = try root.required("format")
        guard case .string(formatIdentifier) = format.value else { throw ModelFileError.notAModel(path: path, found: format.value.summary) }
        let version = try root.required("format_version")
        guard case .number(let v) = version.value, supportedVersions.contains(where: { Double($0) == v }) else {
            throw ModelFileError.unsupportedVersion(path: path, found: version.value.summary)
        }
        var known: Set<String> = ["format", "format_version", "finrec_version", "feature_names", "products"]
        if v >= 2 { known.formUnion(TrainedModel.sections) }
        if v >= 4 { known.insert("event") }
        try root.rejectUnknownKeys(known, hint: "unknown field for model format version \(Int(v))")
        _ = try root.required("finrec_version").string()
        let featureNames = try root.required("feature_names").items().map { (f) throws(JSONFieldError) in try f.string() }
        let products = try root.required("products").items().map { (o) throws(JSONFieldError) -> LinearModel.Product in
            try o.rejectUnknownKeys(["id", "name_zh", "name_en", "intercept", "weights"])
            return LinearModel.Product(id: try o.required("id").string(),
                                       chineseName: try o.required("name_zh").string(),
                                       englishName: try o.required("name_en").string(),
                                       intercept: try o.required("intercept").number(),
                                       weights: try o.required("weights").items().map { (w) throws(JSONFieldError) in try w.number() })
        }
        let model = LinearModel(featureNames: featureNames, products: products)
        let problems = model.problems()
        guard problems.isEmpty else { throw ModelFileError.invalid(path: path, problems: problems) }
        return model
    }
}

