import FinRec
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The JSON API under /v1, plus /healthz and /metrics. Described in ``OpenAPIDocument``.
enum API {
    /// `open`: the routes anyone may call (`/healthz`); `guarded`: those that need a token.
    static func register(open: some RouterMethods<FinRecContext>, guarded router: some RouterMethods<FinRecContext>, state: ServiceState) {
        open.get("/healthz") { _, _ in
            let model = state.models.model
            return respond(JSONValue.object(JSONObject([("status", .string("ok")), ("model_sha256", .string(model.sha256)),
                                                        ("as_of", .string(model.asOf))])).compact() + "\n")
        }
        router.get("/metrics") { _, context in
            try context.require(.admin, "read /metrics")
            return respond(state.metrics.text(), type: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/v1/model") { _, context in
            try context.require(.admin, "read the model's information")
            return respond(state.models.model.overview().prettyPrinted())
        }
        router.get("/v1/offers") { _, _ in respond(state.models.model.offers().prettyPrinted()) }
        router.get("/v1/openapi.json") { _, _ in respond(OpenAPIDocument.json) }
        router.post("/v1/score") { request, context in
            try context.require(.officer, "score applicants")
            return try await score(request, context: context, state: state)
        }
        router.post("/v1/rank") { request, context in
            try context.require(.officer, "rank a pool")
            return try await rank(request, context: context, state: state)
        }
        router.post("/v1/plan") { request, context in
            try context.require(.officer, "plan a programme")
            return try await plan(request, context: context, state: state)
        }
        router.get("/v1/decisions") { request, context in try decisions(request, context: context, state: state) }
        router.get("/v1/decisions/:id") { request, context in
            let entry = try decision(context.parameters.get("id") ?? "", context: context, state: state)
            return respond(AuditExport.json(entry).prettyPrinted())
        }
        for path in ["/v1/score", "/v1/rank", "/v1/plan"] {
            router.get(RouterPath(path)) { _, _ -> Response in
                throw ServiceError(.methodNotAllowed, "\(path) takes POST with applicants in the body; see /v1/openapi.json")
            }
        }
    }

    static let jsonTypes: Set<String> = ["application/json", "application/x-ndjson", "application/jsonl", "application/json-seq"]
    static let csvTypes: Set<String> = ["text/csv"]

    /// `POST /v1/score`: one or many applicants → the finrec-score document.
    static func score(_ request: Request, context: FinRecContext, state: ServiceState) async throws -> Response {
        let query = try Query(request, allowed: ["lang", "reasons", "sort", "lpr"])
        var options = ScoreOptions()
        options.language = try query.language()
        options.reasons = try query.integer(.reasons, default: options.reasons, in: ScoreOptions.reasonsRange)
        if let sort = query["sort"] {
            guard let order = ApplicantAssessment.Order(rawValue: sort) else {
                throw ServiceError(.badRequest, "sort=\(sort): give " + ApplicantAssessment.Order.allCases.map(\.rawValue).joined(separator: " or "))
            }
            options.order = order
        }
        if let lpr = query["lpr"] {
            guard let rates = ScoreOptions.LoanPrimeRate(parsing: lpr) else { throw ServiceError(.badRequest, "lpr=\(lpr): give \(ScoreOptions.LoanPrimeRate.syntax)") }
            options.lpr = rates
        }
        // The model in service when the request arrived answers it, whatever a reload does meanwhile.
        let model = state.models.model
        let body = try await uploadedBody(request, state: state)
        let document = try Desk.assess(body, name: "request body", model: model, options: options)
        // The document written once, as the bytes sent; the log keeps the same text.
        let bytes = document.compactJSON()
        let id = try await commit(route: "POST /v1/score", body: body, model: model, applicants: document.results.count,
                                  result: bytes, context: context, state: state)
        return respond(bytes, decision: id)
    }

    /// `POST /v1/rank`: a pool → the top lists per offer (finrec-rank JSON, or CSV).
    static func rank(_ request: Request, context: FinRecContext, state: ServiceState) async throws -> Response {
        let query = try Query(request, allowed: ["lang", "reasons", "top", "product", "near_miss", "where", "format"])
        var options = RankOptions()
        options.language = try query.language()
        options.reasons = try query.integer(.reasons, default: options.reasons, in: ScoreOptions.reasonsRange)
        options.top = try query.integer(.top, default: options.top, in: RankOptions.topRange.clamped(to: 1...RankOptions.requestLimit))
        options.nearMisses = try query.integer(.nearMiss, default: options.nearMisses,
                                               in: RankOptions.nearMissRange.clamped(to: 0...RankOptions.requestLimit))
        options.workers = state.configuration.rankWorkers
        options.products = query[UseCaseOption.product.name(.query)].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        options.condition = query[UseCaseOption.condition.name(.query)]
        let format = query["format"] ?? "json"
        guard format == "json" || format == "csv" else { throw ServiceError(.badRequest, "format=\(format): give json or csv") }
        let model = state.models.model
        let body = try await uploadedBody(request, state: state)
        let document = try Desk.rank(body, name: "request body", options: options, model: model)
        let text = format == "csv" ? document.csv() : document.json()
        let id = try await commit(route: "POST /v1/rank", body: body, model: model, applicants: document.ranker.rows, result: Array(text.utf8),
                                  context: context, state: state)
        return respond(text, type: format == "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8", decision: id)
    }

    /// `POST /v1/plan`: `{"plan": {finrec-plan}, "enterprises": [applicants]}` → the chosen firms per
    /// programme and the targets' forecasts (finrec-plan-result JSON, or CSV of the chosen firms).
    static func plan(_ request: Request, context: FinRecContext, state: ServiceState) async throws -> Response {
        let query = try Query(request, allowed: ["format"])
        let format = query["format"] ?? "json"
        guard format == "json" || format == "csv" else { throw ServiceError(.badRequest, "format=\(format): give json or csv") }
        guard Body.mediaType(request) == "application/json" else {
            throw ServiceError(.unsupportedMediaType, "send {\"plan\": {…}, \"enterprises\": […]} as application/json; got \(request.headers[.contentType] ?? "no Content-Type")")
        }
        let model = state.models.model
        let body = try await Body.read(request, state: state)
        let document: JSONValue
        do { document = try JSONValue.parse(body) } catch {
            throw ServiceError(.badRequest, "the body is not valid JSON: \(error.message) at line \(error.line), column \(error.column)",
                               line: error.line, column: error.column)
        }
        guard case .object(let members) = document, let planJSON = members["plan"], let enterprises = members["enterprises"],
              members.keys.allSatisfy({ $0 == "plan" || $0 == "enterprises" }) else {
            throw ServiceError(.badRequest, "the body should be an object with two members, \"plan\" (a finrec-plan document: finrec plan --example) and \"enterprises\" (an array of applicants)")
        }
        guard case .array = enterprises else { throw ServiceError(.badRequest, "\"enterprises\" should be an array of applicant objects") }
        let planned = try Desk.answer("request body") {
            let plan = try PlanUseCase.plan(json: planJSON, name: "request body: plan", model: model.scoring)
            return try PlanUseCase.plan(try EnterpriseFileReader(bytes: Array(enterprises.compact().utf8), name: "request body: enterprises"),
                                        plan: plan, model: model.scoring, workers: state.configuration.rankWorkers)
        }
        let text = format == "csv" ? planned.csv() : planned.json()
        let id = try await commit(route: "POST /v1/plan", body: body, model: model, applicants: planned.result.rows, result: Array(text.utf8),
                                  context: context, state: state)
        return respond(text, type: format == "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8", decision: id)
    }

    /// `GET /v1/decisions`: the audit log's decisions as `finrec audit` gives them (JSON or CSV),
    /// filtered; a supervisor reads every client's, an officer its own.
    static func decisions(_ request: Request, context: FinRecContext, state: ServiceState) throws -> Response {
        let query = try Query(request, allowed: ["since", "until", "client", "route", "enterprise", "limit", "format"])
        var filter = AuditFilter(since: query["since"], until: query["until"], client: query["client"], route: query["route"],
                                 enterprise: query["enterprise"])
        for (name, value) in [("since", filter.since), ("until", filter.until)] {
            if let value, !AuditFilter.isDate(value) {
                throw ServiceError(.badRequest, "\(name)=\(value): give a date (YYYY-MM-DD, UTC) or a timestamp such as 2026-11-30T08:00:00Z")
            }
        }
        filter.limit = try query.integer(named: "limit", default: 100, in: 1...10_000)
        if !context.roles.contains(.supervisor) {
            try context.require(.officer, "read decisions")
            if let client = filter.client, client != context.client {
                try context.require(.supervisor, "read the decisions of client \(client)")
            }
            filter.client = context.client
        }
        let format = query["format"] ?? "json"
        guard let export = AuditExport.Format(rawValue: format) else { throw ServiceError(.badRequest, "format=\(format): give json or csv") }
        let entries = try state.audit.entries(filter)
        return respond(AuditExport.render(entries, format: export, excel: false),
                       type: export == .csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8")
    }

    /// One decision by its id, as the client may see it: its own, or any for a supervisor. Others'
    /// are "not found" to an officer (their ids say nothing).
    static func decision(_ text: String, context: FinRecContext, state: ServiceState) throws -> AuditEntry {
        guard let id = Int64(text), id > 0 else {
            throw ServiceError(.notFound, "no decision \(text); decisions are numbered 1, 2, … (the X-FinRec-Decision header)")
        }
        if !context.roles.contains(.supervisor) { try context.require(.officer, "read decisions") }
        guard let entry = try state.audit.entry(id: id), entry.kind == .decision,
              context.roles.contains(.supervisor) || entry.client == context.client else {
            throw ServiceError(.notFound, "no decision \(id) \(context.roles.contains(.supervisor) ? "" : "of yours ")in the audit log")
        }
        return entry
    }

    /// The body of a score or rank upload: JSON or CSV by its Content-Type, within the limits;
    /// JSON syntax errors are 400 with line and column.
    static func uploadedBody(_ request: Request, state: ServiceState) async throws -> [UInt8] {
        guard let type = Body.mediaType(request), jsonTypes.contains(type) || csvTypes.contains(type) else {
            throw ServiceError(.unsupportedMediaType, "send applicants as application/json (an object, an array, or JSON Lines as application/x-ndjson) or text/csv with a header line; got \(request.headers[.contentType] ?? "no Content-Type")")
        }
        let body = try await Body.read(request, state: state)
        let (start, first) = EnterpriseFileReader.opening(body)
        let looksJSON = EnterpriseFileReader.opensJSON(first)
        if jsonTypes.contains(type) {
            guard looksJSON else {
                throw ServiceError(.badRequest, first == nil ? "the request body is empty; send an applicant object" : "the body is not JSON (it should start with { or [); send CSV as text/csv")
            }
            if type == "application/json" {
                do { _ = try JSONValue.parse(body[start...]) } catch {
                    throw ServiceError(.badRequest, "the body is not valid JSON: \(error.message) at line \(error.line), column \(error.column)",
                                       line: error.line, column: error.column)
                }
            }
        } else if looksJSON {
            throw ServiceError(.unsupportedMediaType, "the body is JSON but Content-Type says text/csv; send it as application/json")
        }
        return body
    }

    /// Commits the decision to the audit log; returns its id. Nothing is sent before this returns.
    static func commit(route: String, body: [UInt8], model: LoadedModel, applicants: Int, result: [UInt8],
                       context: FinRecContext, state: ServiceState) async throws -> Int64 {
        let id = try await state.audit.record(AuditEntry(time: AuditEntry.timestamp(), client: context.client, route: route,
                                                         inputSHA256: SHA256.hex(body), modelSHA256: model.sha256,
                                                         applicants: applicants, result: ""), result: result)
        state.metrics.decided()
        return id
    }

    static func respond(_ text: String, type: String = "application/json; charset=utf-8", status: HTTPResponse.Status = .ok,
                        decision: Int64? = nil) -> Response {
        respond(ByteBuffer(string: text), type: type, status: status, decision: decision)
    }

    static func respond(_ bytes: [UInt8], type: String = "application/json; charset=utf-8", status: HTTPResponse.Status = .ok,
                        decision: Int64? = nil) -> Response {
        respond(ByteBuffer(bytes: bytes), type: type, status: status, decision: decision)
    }

    static func respond(_ body: ByteBuffer, type: String, status: HTTPResponse.Status, decision: Int64?) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        if let decision { headers[.finrecDecision] = String(decision) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}

extension HTTPField.Name {
    /// The audit log's row id of the decision in the response.
    static let finrecDecision = HTTPField.Name("X-FinRec-Decision")!
}

/// A request's query parameters, checked: unknown names, repeated names and malformed values
/// are 400s that say what to write.
struct Query {
    private var values: [String: String] = [:]

    init(_ request: Request, allowed: Set<String>) throws {
        for (key, value) in request.uri.queryParameters {
            let name = String(key)
            guard allowed.contains(name) else {
                throw ServiceError(.badRequest, "unknown query parameter \(name); this route takes " + allowed.sorted().joined(separator: ", "))
            }
            guard values[name] == nil else { throw ServiceError(.badRequest, "query parameter \(name) given twice; give it once") }
            values[name] = String(value).removingPercentEncoding ?? String(value)
        }
    }

    subscript(name: String) -> String? { values[name] }

    func language() throws -> Language {
        guard let text = values["lang"] else { return .zh }
        guard let language = Language(rawValue: text) else { throw ServiceError(.badRequest, "lang=\(text): give zh or en") }
        return language
    }

    func integer(_ option: UseCaseOption, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        try integer(named: option.name(.query), default: value, in: range)
    }

    func integer(named name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = values[name] else { return value }
        guard let n = Int(text), range.contains(n) else {
            throw ServiceError(.badRequest, "\(name)=\(text): give a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }
}
