package import FinRec
package import Foundation
import Synchronization

/// A model as the service holds it: read once, hashed, ready to score. Immutable: a reload
/// builds a new one and swaps it in, so a request keeps the model it started with.
package final class LoadedModel: Sendable {
    /// The model and its scorer, named by the file's name in documents.
    package let scoring: ScoringModel
    /// SHA-256 of the model file's bytes, as the audit log records it.
    package let sha256: String
    package let loadedAt: Date

    package var path: String { scoring.path }
    package var model: TrainedModel { scoring.model }
    package var scorer: OfferScorer { scoring.scorer }
    /// The assessment date of the eligibility rules, YYYY-MM-DD.
    package var asOf: String { scoring.asOf }

    package init(path: String, asOf: String) throws {
        // Hash the bytes that are parsed: a file replaced between the two reads cannot mismatch.
        let bytes = try ModelFile.contents(at: path)
        self.sha256 = SHA256.hex(bytes)
        do {
            self.scoring = try ScoringModel(bytes: bytes, path: path, asOf: asOf, name: (path as NSString).lastPathComponent)
        } catch let error as UseCaseError {
            throw ServiceError(.badRequest, error.message(.query))
        }
        self.loadedAt = Date()
    }

    /// `GET /v1/model`: what the model is, where it came from and how well it did.
    package func overview() -> JSONValue {
        let linear = model.linear
        return .object(JSONObject([
            ("format", .string("finrec-model-overview")), ("finrec_version", .string(FinRecVersion.current)),
            ("model_file", .string((path as NSString).lastPathComponent)), ("model_sha256", .string(sha256)),
            ("loaded_at", .string(AuditEntry.timestamp(loadedAt))), ("as_of", .string(asOf)),
            ("products", .array(linear.products.map { p in
                .object(JSONObject([("id", .string(p.id)), ("name_zh", .string(p.chineseName)), ("name_en", .string(p.englishName))]))
            })),
            ("features", .array(linear.featureNames.map(JSONValue.string))),
            ("scaling", .object(JSONObject([("offset", .number(model.scaling.offset)), ("factor", .number(model.scaling.factor))]))),
            ("provenance", model.provenance.encode()), ("metrics", model.metrics.encode()),
            ("hyperparameters", model.hyperparameters.encode()),
        ]))
    }

    /// `GET /v1/offers`: the catalog the rules and the model were built with.
    package func offers() -> JSONValue {
        .object(JSONObject([("format", .string("finrec-offers")), ("model_sha256", .string(sha256)),
                            ("catalog", model.catalog.source ?? .null)]))
    }
}

/// The model in service, swapped atomically on reload (SIGHUP).
package final class ModelStore: Sendable {
    private let current: Mutex<LoadedModel>

    package init(_ model: LoadedModel) { current = Mutex(model) }

    /// The model a request uses from start to end.
    package var model: LoadedModel { current.withLock { $0 } }

    /// Reads the model file again (same path, same date) and swaps it in; on any error the
    /// model in service stays and the error is thrown.
    @discardableResult
    package func reload() throws -> LoadedModel {
        let old = model
        let fresh = try LoadedModel(path: old.path, asOf: old.asOf)
        current.withLock { $0 = fresh }
        return fresh
    }
}

/// An error the service answers with: an HTTP status and a message that says what to do.
package struct ServiceError: Error, Sendable, CustomStringConvertible {
    package enum Status: Int, Sendable {
        case badRequest = 400, unauthorized = 401, forbidden = 403, notFound = 404, methodNotAllowed = 405,
             requestTimeout = 408, contentTooLarge = 413, unsupportedMediaType = 415, unprocessable = 422,
             tooManyRequests = 429, internalError = 500, unavailable = 503
    }
    package let status: Status
    package let message: String
    /// For 422: where in the input (line, column, field), as the CLI's errors say it.
    package let line: Int?, column: Int?, field: String?
    /// For 422: what is wrong with the value, without where (the page puts it by its field).
    package let detail: String?
    /// For 429: the seconds to wait (the Retry-After header).
    package let retryAfter: Int?

    package init(_ status: Status, _ message: String, line: Int? = nil, column: Int? = nil, field: String? = nil, detail: String? = nil,
                 retryAfter: Int? = nil) {
        self.retryAfter = retryAfter
        self.status = status
        self.message = message
        self.line = line
        self.column = column
        self.field = field
        self.detail = detail
    }

    /// A bad upload: the reader's error, with the input named as the request names it.
    package init(_ error: InputFileError) {
        self.init(.unprocessable, error.description, line: error.line, column: error.column, field: error.field, detail: error.message)
    }

    package var description: String { message }

    package func json() -> String {
        var error = JSONObject([("status", .number(Double(status.rawValue))), ("message", .string(message))])
        if let line { error["line"] = .number(Double(line)) }
        if let column { error["column"] = .number(Double(column)) }
        if let field { error["field"] = .string(field) }
        return JSONValue.object(JSONObject([("error", .object(error))])).compact() + "\n"
    }
}

/// What the service does with an upload, apart from HTTP: the library's use cases
/// (``ScoreUseCase``, ``RankUseCase``), their errors as HTTP answers.
package enum Desk {
    /// One or many applicants (JSON object, array, JSON Lines, or CSV) → their assessments.
    /// `options.maximumApplicants`: the most applicants taken (413 above it), checked before any
    /// is scored.
    package static func assess(_ body: [UInt8], name: String, model: LoadedModel, options: ScoreOptions) throws(ServiceError) -> ScoreDocument {
        var reading = ReaderOptions()
        // Small chunks: one applicant does not allocate room for thousands.
        reading.chunkRows = min(options.maximumApplicants + 1, 256)
        return try answer(name) { try ScoreUseCase.assess(try EnterpriseFileReader(bytes: body, name: name, options: reading),
                                                          model: model.scoring, options: options) }
    }

    /// A pool (CSV or JSON) → its top lists per offer.
    package static func rank(_ body: [UInt8], name: String, options: RankOptions, model: LoadedModel) throws(ServiceError) -> RankDocument {
        try answer(name) { try RankUseCase.rank(try EnterpriseFileReader(bytes: body, name: name), model: model.scoring, options: options) }
    }

    /// `work`'s result, or its error as the status that says whose fault it is.
    static func answer<T>(_ name: String, _ work: () throws -> T) throws(ServiceError) -> T {
        do {
            return try work()
        } catch let error as InputFileError {
            throw ServiceError(error)
        } catch let error as PlanUseCase.PlanFileError {
            throw ServiceError(.unprocessable, error.description)
        } catch let error as UseCaseError {
            switch error {
            case .tooManyApplicants: throw ServiceError(.contentTooLarge, error.message(.query))
            case .noApplicant: throw ServiceError(.unprocessable, error.message(.query))
            case .option, .date, .offer, .condition: throw ServiceError(.badRequest, error.message(.query))
            }
        } catch {
            throw ServiceError(.unprocessable, "\(name): \(error)")
        }
    }
}
