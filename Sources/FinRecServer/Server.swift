import Dispatch
package import FinRec
package import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Synchronization

/// How `finrec serve` runs.
package struct ServerConfiguration: Sendable {
    package var host = "127.0.0.1"
    /// 0 picks a free port (the line "listening on …" says which).
    package var port = 8080
    package var modelPath: String
    package var asOf: String
    package var auditPath = "finrec-audit.sqlite"
    package var tokensPath: String?
    /// The largest request body accepted (413 above it).
    package var maximumBodyBytes = 32 << 20
    /// A body must arrive within this time (408 after it), however slowly it trickles.
    package var bodyTimeout: Duration = .seconds(30)
    /// A connection with nothing to read or write for this long is closed (stalled clients,
    /// headers that never end). Longer than `bodyTimeout`, so a stalled body gets its 408 first.
    package var idleTimeout: Duration = .seconds(32)
    /// Workers for a pool upload (`POST /v1/rank`).
    package var rankWorkers = 2

    package init(modelPath: String, asOf: String) {
        self.modelPath = modelPath
        self.asOf = asOf
    }

    /// Whether `host` is a loopback address, the only one served without tokens.
    package var isLoopback: Bool { ["127.0.0.1", "::1", "localhost"].contains(host) }
}

/// What each request is handled with: the model in service, the audit log, tokens, metrics.
struct ServiceState: Sendable {
    let configuration: ServerConfiguration
    let models: ModelStore
    let audit: AuditLog
    let tokens: TokenFile?
    let metrics: ServiceMetrics
}

/// The request context: Hummingbird's, plus the client a token named.
struct FinRecContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The client name of the token presented, `local` without tokens; set by ``AccessMiddleware``.
    var client = "local"

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

/// `finrec serve`: the JSON API, the officer's page and the audit log on one port.
package enum FinRecService {
    /// Starts the service and runs until SIGTERM or SIGINT. SIGHUP reloads the model.
    /// `onListening` receives the bound address's port.
    package static func run(_ configuration: ServerConfiguration, log: @escaping @Sendable (String) -> Void,
                           onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        guard configuration.isLoopback || configuration.tokensPath != nil else {
            throw ServiceError(.forbidden, "refusing to serve on \(configuration.host) without --tokens: anyone who can reach it could score and read decisions. Create a token file with `finrec token NAME --tokens FILE` and pass --tokens FILE, or serve on 127.0.0.1")
        }
        let tokens = try configuration.tokensPath.map { try TokenFile.read(path: $0) }
        let models = ModelStore(try LoadedModel(path: configuration.modelPath, asOf: configuration.asOf))
        let audit = try AuditLog(path: configuration.auditPath)
        defer { audit.close() }
        let state = ServiceState(configuration: configuration, models: models, audit: audit, tokens: tokens, metrics: ServiceMetrics())

        // SIGHUP: read the model file again; requests in flight keep the model they started with.
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hangup.setEventHandler {
            do {
                let fresh = try models.reload()
                log("finrec serve: model reloaded from \(fresh.path) (sha256 \(fresh.sha256.prefix(12))…)")
            } catch {
                log("finrec serve: model NOT reloaded, the previous one stays in service: \(error)")
            }
        }
        hangup.resume()
        defer { hangup.cancel() }

        let router = Self.router(state: state)

        var logger = Logger(label: "finrec-serve")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(configuration.idleTimeout.components.seconds))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "FinRec"),
            onServerRunning: { channel in
                onListening(channel.localAddress?.port ?? configuration.port)
            },
            logger: logger)
        try await app.runService()
    }

    /// The routes and their middleware. One middleware per job, outermost first: count and time
    /// every answer, add the security headers, turn errors into JSON (the API's and an unknown
    /// route's). The page's routes are a group with its own error middleware (an HTML page) inside;
    /// each group checks tokens itself, so a refused request is answered in its group's form.
    static func router(state: ServiceState) -> Router<FinRecContext> {
        let router = Router(context: FinRecContext.self)
        router.add(middleware: MetricsMiddleware(metrics: state.metrics))
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ErrorMiddleware(form: .json))
        let access = AccessMiddleware(tokens: state.tokens)
        API.register(open: router, guarded: router.group().add(middleware: access), state: state)
        Page.register(on: router.group().add(middleware: ErrorMiddleware(form: .page)).add(middleware: access), state: state)
        return router
    }

    /// Every route of ``router(state:)``, its method and path (a parameter as `{name}`): what the
    /// tests read instead of keeping a list of routes.
    static func routes(state: ServiceState) -> [(method: String, path: String)] {
        router(state: state).routes.map { ($0.method.rawValue, $0.path.description) }
    }
}

// MARK: - Middleware

/// Outermost: counts every answer by route and status, and times it.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = FinRecContext
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: FinRecContext, next: (Request, FinRecContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        // The error middleware inside answers every error; one that still escapes is a 500.
        let response = (try? await next(request, context)) ?? ErrorMiddleware.json.response(for: ServiceError(.internalError, "internal error"), request: request)
        metrics.observe(route: context.endpointPath ?? "unmatched", status: response.status.code, duration: ContinuousClock.now - started)
        return response
    }
}

/// The headers every answer carries: no MIME sniffing, no referrer, not cached unless a route says so.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = FinRecContext

    func handle(_ request: Request, context: FinRecContext, next: (Request, FinRecContext) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-store"
        return response
    }
}

/// Turns every error into the right status with a message that says what to do: JSON for the API
/// (and any route not found), an HTML page in the page's group.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = FinRecContext

    /// The form an error takes.
    enum Form: Sendable { case json, page }
    let form: Form

    static let json = ErrorMiddleware(form: .json)

    func handle(_ request: Request, context: FinRecContext, next: (Request, FinRecContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return response(for: Self.serviceError(error), request: request)
        }
    }

    static func serviceError(_ error: any Error) -> ServiceError {
        switch error {
        case let e as ServiceError: return e
        case let e as InputFileError: return ServiceError(e)
        case let e as HTTPError:
            switch e.status {
            case .notFound: return ServiceError(.notFound, "no such route; the API is described at /v1/openapi.json, the page is at /")
            case .methodNotAllowed: return ServiceError(.methodNotAllowed, "this route does not take that method; see /v1/openapi.json")
            case .contentTooLarge: return ServiceError(.contentTooLarge, "the request body is too large")
            default: return ServiceError(ServiceError.Status(rawValue: Int(e.status.code)) ?? .badRequest, e.body ?? e.status.reasonPhrase)
            }
        default: return ServiceError(.internalError, "internal error: \(error)")
        }
    }

    func response(for error: ServiceError, request: Request) -> Response {
        let status = HTTPResponse.Status(code: error.status.rawValue)
        var response = switch form {
        case .page: Page.html(Page.errorPage(error, request: request), status: status)
        case .json: API.respond(error.json(), status: status)
        }
        if error.status == .unauthorized {
            response.headers.append(HTTPField(name: .wwwAuthenticate, value: "Bearer realm=\"finrec\""))
            if !request.uri.path.hasPrefix("/v1/") {
                response.headers.append(HTTPField(name: .wwwAuthenticate, value: "Basic realm=\"FinRec\", charset=\"UTF-8\""))
            }
        }
        if error.status == .requestTimeout || error.status == .contentTooLarge { response.headers[.connection] = "close" }
        if error.status == .methodNotAllowed { response.headers[.allow] = "POST" }
        return response
    }
}

/// With `--tokens`: every route of the groups it guards (all but `/healthz`) needs a known token,
/// as `Authorization: Bearer TOKEN` (programs) or HTTP Basic with the client name and the token
/// (the browser prompts).
struct AccessMiddleware: RouterMiddleware {
    typealias Context = FinRecContext
    let tokens: TokenFile?

    func handle(_ request: Request, context: FinRecContext, next: (Request, FinRecContext) async throws -> Response) async throws -> Response {
        guard let tokens else { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw ServiceError(.unauthorized, "this service needs a token: send Authorization: Bearer TOKEN (ask the operator for one; `finrec token` makes them)")
        }
        var presented: String?
        if header.hasPrefix("Bearer ") {
            presented = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        } else if header.hasPrefix("Basic "), let data = Data(base64Encoded: String(header.dropFirst(6))),
                  let pair = String(data: data, encoding: .utf8), let colon = pair.firstIndex(of: ":") {
            presented = String(pair[pair.index(after: colon)...])
        }
        guard let presented, let client = tokens.client(presenting: presented) else {
            throw ServiceError(.unauthorized, "the token is not valid here; check it, or ask the operator for a new one")
        }
        var context = context
        context.client = client
        return try await next(request, context)
    }
}

// MARK: - Metrics

/// `/metrics`: requests by route and status, and their latency, in Prometheus's text format.
final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    nonisolated(unsafe) private static let requests = MetricNameDescriptor(metricName: "finrec_http_requests", unitName: "total",
                                                       helpText: "HTTP requests served, by route and status code.")
    nonisolated(unsafe) private static let latency = MetricNameDescriptor(metricName: "finrec_http_request_duration", unitName: "seconds",
                                                      helpText: "Time from request to response, by route.")
    private static let buckets: [Duration] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10].map {
        .nanoseconds(Int64($0 * 1e9))
    }
    let decisions: Counter

    /// One more decision committed.
    func decided() { decisions.increment() }

    init() {
        decisions = registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "finrec_decisions", unitName: "total",
                                                                          helpText: "Decisions committed to the audit log."))
    }

    func observe(route: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: Self.requests, labels: [("route", route), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Self.latency, labels: [("route", route)], buckets: Self.buckets).record(duration)
    }

    func text() -> String { registry.emitToString() }
}

// MARK: - Bodies

enum Body {
    /// The request body, at most `limit` bytes, arriving within `timeout` however slowly it
    /// trickles; 413 and 408 otherwise.
    static func read(_ request: Request, limit: Int, timeout: Duration) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw ServiceError(.contentTooLarge, "the request body is \(length) bytes; this service takes at most \(limit) (for larger pools use `finrec rank` on a file)")
        }
        let body = request.body
        let collector = Task { () throws -> [UInt8] in
            do {
                var buffer = try await body.collect(upTo: limit)
                return buffer.readBytes(length: buffer.readableBytes) ?? []
            } catch is NIOTooManyBytesError {
                throw ServiceError(.contentTooLarge, "the request body is larger than \(limit) bytes, the most this service takes (for larger pools use `finrec rank` on a file)")
            }
        }
        // The first of the body and the deadline answers; a trickling body is not waited for.
        let outcome = Waiting()
        return try await withCheckedThrowingContinuation { continuation in
            outcome.set(continuation)
            let deadline = Task {
                // Cancelled (the body came first): nothing to do.
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                if let waiting = outcome.take() {
                    collector.cancel()
                    waiting.resume(throwing: ServiceError(.requestTimeout, "the request body did not arrive within \(timeout.components.seconds) s; send it at once"))
                }
            }
            Task {
                let result = await collector.result
                outcome.take()?.resume(with: result)
                deadline.cancel()
            }
        }
    }

    /// A continuation resumed once, by whichever of two tasks comes first.
    final class Waiting: Sendable {
        private let continuation = Mutex<CheckedContinuation<[UInt8], any Error>?>(nil)
        func set(_ c: CheckedContinuation<[UInt8], any Error>) { continuation.withLock { $0 = c } }
        func take() -> CheckedContinuation<[UInt8], any Error>? { continuation.withLock { $0.take() } }
    }

    /// The media type of a request, lowercased, without parameters.
    static func mediaType(_ request: Request) -> String? {
        request.headers[.contentType].map { $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased() }
    }
}
