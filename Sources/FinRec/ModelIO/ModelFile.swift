import Foundation

/// Why a model file could not be read or written. Every case names the file; the
/// description says what is wrong and what to do.
public enum ModelFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case syntax(path: String, JSONSyntaxError)
    case notAModel(path: String, found: String)
    case unsupportedVersion(path: String, found: String)
    case missingField(path: String, field: String)
    case wrongType(path: String, field: String, expected: String, got: String)
    case unknownField(path: String, field: String)
    case invalid(path: String, problems: [ModelProblem])
    case unwritable(FileWriteError)
    case exists(path: String)

    public var path: String {
        switch self {
        case .unreadable(let p, _), .syntax(let p, _), .notAModel(let p, _), .unsupportedVersion(let p, _),
             .missingField(let p, _), .wrongType(let p, _, _, _), .unknownField(let p, _), .invalid(let p, _), .exists(let p):
            p
        case .unwritable(let e): e.path
        }
    }

    public var description: String {
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
                + "reads versions \(ModelFile.supportedVersions.map(String.init).joined(separator: " and ")). Retrain the model with this FinRec (`finrec train`) "
                + "or use the FinRec release that wrote it."
        case .missingField(let path, let field):
            return "\(path): the model file has no \"\(field)\"; the file is incomplete or was not written by FinRec."
        case .wrongType(let path, let field, let expected, let got):
            return "\(path): \"\(field)\" should be \(expected) but is \(got)."
        case .unknownField(let path, let field):
            return "\(path): unknown field \"\(field)\" for model format version \(ModelFile.formatVersion); "
                + "the file was written by another FinRec version or edited by hand."
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
public enum ModelFile {
    public static let formatIdentifier = "finrec-model"
    /// Version 1: weights only (``LinearModel``). Version 2: a trained model (``TrainedModel``):
    /// weights plus feature spec and statistics, catalog, score scaling, metrics, provenance.
    public static let formatVersion = 1
    public static let supportedVersions = [1, 2]

    /// The model's JSON document.
    public static func encode(_ model: LinearModel) -> JSONValue {
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
    public static func write(_ model: LinearModel, to path: String) throws(ModelFileError) {
        let problems = model.problems()
        guard problems.isEmpty else { throw .invalid(path: path, problems: problems) }
        do {
            try AtomicFileWriter.write(Array(encode(model).prettyPrinted().utf8), to: path)
        } catch {
            throw .unwritable(error)
        }
    }

    /// Reads the model at `path`.
    public static func read(from path: String) throws(ModelFileError) -> LinearModel {
        try decode(try document(at: path), path: path)
    }

    /// The parsed JSON document of the model file at `path` (read and parsed once; the weights
    /// and the version-2 sections are decoded from it).
    static func document(at path: String) throws(ModelFileError) -> JSONValue {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
            throw .unreadable(path: path, reason: reason)
        }
        do {
            return try JSONValue.parse(data)
        } catch {
            throw .syntax(path: path, error)
        }
    }

    /// Decodes a model from the bytes of a model file; `path` is used in errors.
    public static func decode(_ bytes: some Collection<UInt8>, path: String) throws(ModelFileError) -> LinearModel {
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes)
        } catch {
            throw .syntax(path: path, error)
        }
        return try decode(document, path: path)
    }

    /// Decodes a model from a parsed model file; `path` is used in errors.
    public static func decode(_ document: JSONValue, path: String) throws(ModelFileError) -> LinearModel {
        guard case .object(let root) = document else {
            throw .wrongType(path: path, field: "(top level)", expected: "an object", got: document.typeName)
        }
        let reader = FieldReader(path: path)
        // Format and version come first: a file of another version may differ in every other field.
        guard let format = root["format"] else { throw .missingField(path: path, field: "format") }
        guard case .string(let formatName) = format, formatName == formatIdentifier else {
            throw .notAModel(path: path, found: format.summary)
        }
        guard let version = root["format_version"] else { throw .missingField(path: path, field: "format_version") }
        guard case .number(let v) = version, supportedVersions.contains(where: { Double($0) == v }) else {
            throw .unsupportedVersion(path: path, found: version.summary)
        }
        var known: Set<String> = ["format", "format_version", "finrec_version", "feature_names", "products"]
        if v == 2 { known.formUnion(TrainedModel.sections) }
        if let unknown = root.keys.first(where: { !known.contains($0) }) {
            throw .unknownField(path: path, field: unknown)
        }
        _ = try reader.string(root, "finrec_version")
        let featureNames = try reader.array(root, "feature_names").enumerated().map { (j, v) throws(ModelFileError) in
            try reader.string(v, field: "feature_names[\(j)]")
        }
        let products = try reader.array(root, "products").enumerated().map { (k, v) throws(ModelFileError) -> LinearModel.Product in
            let field = "products[\(k)]"
            guard case .object(let o) = v else {
                throw .wrongType(path: path, field: field, expected: "an object", got: v.typeName)
            }
            if let unknown = o.keys.first(where: { !["id", "name_zh", "name_en", "intercept", "weights"].contains($0) }) {
                throw .unknownField(path: path, field: "\(field).\(unknown)")
            }
            let weights = try reader.array(o, "weights", in: field).enumerated().map { (j, w) throws(ModelFileError) in
                try reader.number(w, field: "\(field).weights[\(j)]")
            }
            return LinearModel.Product(id: try reader.string(o, "id", in: field),
                                       chineseName: try reader.string(o, "name_zh", in: field),
                                       englishName: try reader.string(o, "name_en", in: field),
                                       intercept: try reader.number(o, "intercept", in: field),
                                       weights: weights)
        }
        let model = LinearModel(featureNames: featureNames, products: products)
        let problems = model.problems()
        guard problems.isEmpty else { throw .invalid(path: path, problems: problems) }
        return model
    }
}

/// Typed access to model-file fields with errors that name the field.
private struct FieldReader {
    let path: String

    func value(_ o: JSONObject, _ key: String, in parent: String?) throws(ModelFileError) -> (JSONValue, String) {
        let field = parent.map { "\($0).\(key)" } ?? key
        guard let v = o[key] else { throw .missingField(path: path, field: field) }
        return (v, field)
    }

    func string(_ o: JSONObject, _ key: String, in parent: String? = nil) throws(ModelFileError) -> String {
        let (v, field) = try value(o, key, in: parent)
        return try string(v, field: field)
    }

    func string(_ v: JSONValue, field: String) throws(ModelFileError) -> String {
        guard case .string(let s) = v else { throw .wrongType(path: path, field: field, expected: "a string", got: v.typeName) }
        return s
    }

    func number(_ o: JSONObject, _ key: String, in parent: String? = nil) throws(ModelFileError) -> Double {
        let (v, field) = try value(o, key, in: parent)
        return try number(v, field: field)
    }

    func number(_ v: JSONValue, field: String) throws(ModelFileError) -> Double {
        guard case .number(let x) = v else { throw .wrongType(path: path, field: field, expected: "a number", got: v.typeName) }
        return x
    }

    func array(_ o: JSONObject, _ key: String, in parent: String? = nil) throws(ModelFileError) -> [JSONValue] {
        let (v, field) = try value(o, key, in: parent)
        guard case .array(let items) = v else { throw .wrongType(path: path, field: field, expected: "an array", got: v.typeName) }
        return items
    }
}

extension JSONValue {
    /// The value as a user would recognise it in a message: strings quoted, numbers as written.
    var summary: String {
        switch self {
        case .string(let s): "\"\(s)\""
        case .number(let x): x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : x.description
        default: typeName
        }
    }
}
