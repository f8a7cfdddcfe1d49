public import FinRec
public import Foundation
import Synchronization

/// A model as the service holds it: read once, hashed, with its scorer. Immutable: a reload
/// builds a new one and swaps it in, so a request keeps the model it started with.
public final class LoadedModel: Sendable {
    public let path: String
    /// SHA-256 of the model file's bytes, as the audit log records it.
    public let sha256: String
    public let model: TrainedModel
    public let scorer: OfferScorer
    /// The assessment date of the eligibility rules, YYYY-MM-DD.
    public let asOf: String
    public let loadedAt: Date

    public init(path: String, asOf: String) throws {
        guard let day = CivilDate(isoDate: asOf) else {
            throw ServiceError(.badRequest, "the assessment date \(asOf) is not a calendar date; write it as YYYY-MM-DD")
        }
        // Hash the bytes that are parsed: a file replaced between the two reads cannot mismatch.
        let bytes = try ModelFile.contents(at: path)
        self.sha256 = SHA256.hex(bytes)
        self.path = path
        self.model = try TrainedModel.decode(bytes, path: path)
        self.scorer = try OfferScorer(model: model, asOf: day.daysSinceEpoch, threads: .singleThreaded)
        self.asOf = asOf
        self.loadedAt = Date()
    }

    /// `GET /v1/model`: what the model is, where it came from and how well it did.
    public func overview() -> JSONValue {
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
    public func offers() -> JSONValue {
        .object(JSONObject([("format", .string("finrec-offers")), ("model_sha256", .string(sha256)),
                            ("catalog", model.catalog.source ?? .null)]))
    }
}

/// The model in service, swapped atomically on reload (SIGHUP).
public final class ModelStore: Sendable {
    private let current: Mutex<LoadedModel>

    public init(_ model: LoadedModel) { current = Mutex(model) }

    /// The model a request uses from start to end.
    public var model: LoadedModel { current.withLock { $0 } }

    /// Reads the model file again (same path, same date) and swaps it in; on any error the
    /// model in service stays and the error is thrown.
    @discardableResult
    public func reload() throws -> LoadedModel {
        let old = model
        let fresh = try LoadedModel(path: old.path, asOf: old.asOf)
        current.withLock { $0 = fresh }
        return fresh
    }
}

/// An error the service answers with: an HTTP status and a message that says what to do.
public struct ServiceError: Error, Sendable, CustomStringConvertible {
    public enum Status: Int, Sendable {
        case badRequest = 400, unauthorized = 401, forbidden = 403, notFound = 404, methodNotAllowed = 405,
             requestTimeout = 408, contentTooLarge = 413, unsupportedMediaType = 415, unprocessable = 422,
             internalError = 500, unavailable = 503
    }
    public let status: Status
    public let message: String
    /// For 422: where in the input (line, column, field), as the CLI's errors say it.
    public let line: Int?, column: Int?, field: String?
    /// For 422: what is wrong with the value, without where (the page puts it by its field).
    public let detail: String?

    public init(_ status: Status, _ message: String, line: Int? = nil, column: Int? = nil, field: String? = nil, detail: String? = nil) {
        self.status = status
        self.message = message
        self.line = line
        self.column = column
        self.field = field
        self.detail = detail
    }

    /// A bad upload: the reader's error, with the input named as the request names it.
    public init(_ error: InputFileError) {
        self.init(.unprocessable, error.description, line: error.line, column: error.column, field: error.field, detail: error.message)
    }

    public var description: String { message }

    public func json() -> String {
        var error = JSONObject([("status", .number(Double(status.rawValue))), ("message", .string(message))])
        if let line { error["line"] = .number(Double(line)) }
        if let column { error["column"] = .number(Double(column)) }
        if let field { error["field"] = .string(field) }
        return JSONValue.object(JSONObject([("error", .object(error))])).compact() + "\n"
    }
}

/// What the service does with an upload, apart from HTTP: the same reading, checks, scoring and
/// documents as `finrec score` and `finrec rank`.
public enum Desk {
    /// One or many applicants (JSON object, array, JSON Lines, or CSV) → assessments.
    /// `limit`: the most applicants taken (413 above it), checked before any is scored.
    public static func assess(_ body: [UInt8], name: String, model: LoadedModel, language: Language,
                              limit: Int = ScoreDocument.maximumApplicants) throws(ServiceError) -> [ApplicantAssessment] {
        var options = ReaderOptions()
        // Small chunks: one applicant does not allocate room for thousands.
        options.chunkRows = min(limit + 1, 256)
        do {
            let reader = try EnterpriseFileReader(bytes: body, name: name, options: options)
            var results: [ApplicantAssessment] = []
            while let chunk = try reader.nextChunk() {
                guard results.count + chunk.rowCount <= limit else {
                    throw ServiceError(.contentTooLarge, "\(name): more than \(limit) applicants; rank pools with POST /v1/rank or `finrec rank`")
                }
                results += ApplicantAssessment.assess(model.scorer.score(chunk, firstRow: results.count), with: model.scorer, language: language)
            }
            _ = try reader.finish()
            guard !results.isEmpty else {
                throw ServiceError(.unprocessable, "\(name): no applicant in it; send one enterprise as a JSON object or a CSV line under a header")
            }
            return results
        } catch let error as InputFileError {
            throw ServiceError(error)
        } catch let error as ServiceError {
            throw error
        } catch {
            throw ServiceError(.unprocessable, "\(name): \(error)")
        }
    }

    /// The finrec-score document of `results`, as `finrec score --format json` prints it, on one line.
    public static func scoreDocument(_ results: [ApplicantAssessment], model: LoadedModel, language: Language, reasons: Int) -> String {
        ScoreDocument(results: results, scorer: model.scorer, language: language, reasons: reasons,
                      modelPath: (model.path as NSString).lastPathComponent, asOf: model.asOf).jsonValue().compact() + "\n"
    }

    /// What `POST /v1/rank` takes besides the pool.
    public struct RankRequest: Sendable {
        public var top = 100
        public var products: [String] = []
        public var nearMisses = 0
        public var reasons = 3
        public var language = Language.zh
        public var condition: String?
        public init() {}
    }

    /// A pool (CSV or JSON) → its top lists per offer.
    public static func rank(_ body: [UInt8], name: String, request: RankRequest, model: LoadedModel, workers: Int) throws(ServiceError) -> RankDocument {
        let scorer = model.scorer
        let offers: [Int]
        do {
            offers = try scorer.offerIndices(request.products, allowingRulesOnly: request.nearMisses > 0)
        } catch {
            switch error {
            case .unknown(let id):
                throw ServiceError(.badRequest, "product=\(id): no such offer; the catalog has " + scorer.catalog.offers.map(\.id).joined(separator: ", "))
            case .noWeights(let offer):
                throw ServiceError(.badRequest, "product=\(offer.id): the model has no weights for \(offer.displayName); add near_miss=N for the enterprises closest to it")
            }
        }
        var ranking = PoolRanking(scorer: scorer, offers: offers, top: request.top, reasonCount: request.reasons, workers: workers)
        ranking.nearMisses = request.nearMisses
        ranking.language = request.language
        if let condition = request.condition {
            do { ranking.filter = try PoolRanking.filter(condition, scorer: scorer) } catch {
                throw ServiceError(.badRequest, "where=\(condition): \(error)")
            }
        }
        do {
            let reader = try EnterpriseFileReader(bytes: body, name: name)
            let ranker = try ranking.run(reader)
            _ = try reader.finish()
            return RankDocument(ranker: ranker, scorer: scorer, modelPath: (model.path as NSString).lastPathComponent,
                                asOf: model.asOf, language: request.language)
        } catch let error as InputFileError {
            throw ServiceError(error)
        } catch {
            throw ServiceError(.unprocessable, "\(name): \(error)")
        }
    }
}
