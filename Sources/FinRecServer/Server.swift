import Dispatch
import FinRec
import Foundation
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
    /// Requests a second each client may send (a burst of as many), 429 above it; nil: no limit.
    package var rateLimit: Int?
    /// How often the audit log's head is written to the service's log when it has moved.
    package var headInterval: Duration = .seconds(60)
    /// A body over the limit is read and discarded up to this many bytes before the 413 is sent,
    /// so a client that sends its whole body before reading (Python's urllib, many Java clients)
    /// reads the 413 instead of a reset connection (lingering close).
    package var drainBytes = 64 << 20

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
    var client = Client.local.name
    /// The token's roles; every role without tokens.
    var roles = Client.local.roles

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
        // A full volume or a file-size limit makes writes fail (the decision is refused with a
        // 503) instead of killing the process with SIGXFSZ.
        signal(SIGXFSZ, SIG_IGN)
        let audit = try AuditLog(path: configuration.auditPath, warn: { log("finrec serve: " + $0) })
        log("finrec serve: audit head \(audit.head.map(\.description) ?? "none (empty log)")")
        defer {
            audit.close()
            log("finrec serve: stopped; audit head \(audit.head.map(\.description) ?? "none (empty log)")")
        }
        // The head at intervals when it moved: keep these lines, and `finrec audit verify --head`
        // finds rows removed from the end since.
        let heads = Task {
            var logged = audit.head
            while (try? await Task.sleep(for: configuration.headInterval)) != nil {
                let now = audit.head
                if now != logged, let now { log("finrec serve: audit head \(now)") }
                logged = now
            }
        }
        defer { heads.cancel() }
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
        let access = AccessMiddleware(tokens: state.tokens, limiter: state.configuration.rateLimit.map(RateLimiter.init(perSecond:)))
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
        if let seconds = error.retryAfter { response.headers[.retryAfter] = String(seconds) }
        return response
    }
}

/// With `--tokens`: every route of the groups it guards (all but `/healthz`) needs a known token,
/// as `Authorization: Bearer TOKEN` (programs) or HTTP Basic with the client name and the token
/// (the browser prompts). Sets the client and its roles; each route checks the role it needs
/// (``FinRecContext/require(_:_:)``). With a rate limit, a client past it gets a 429.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = FinRecContext
    let tokens: TokenFile?
    let limiter: RateLimiter?

    func handle(_ request: Request, context: FinRecContext, next: (Request, FinRecContext) async throws -> Response) async throws -> Response {
        let context = try identify(request, context: context)
        if let limiter, let wait = limiter.admit(context.client) {
            throw ServiceError(.tooManyRequests, "client \(context.client) sent more than \(limiter.perSecond) requests a second, this service's limit; wait \(wait) s and send it again",
                               retryAfter: wait)
        }
        return try await next(request, context)
    }

    func identify(_ request: Request, context: FinRecContext) throws -> FinRecContext {
        guard let tokens else { return context }
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
        context.client = client.name
        context.roles = client.roles
        return context
    }
}

extension FinRecContext {
    /// Refuses (403) a client without `role`, saying what it may do and how to get the role.
    func require(_ role: Role, _ what: String) throws {
        guard roles.contains(role) else {
            throw ServiceError(.forbidden, "client \(client) may not \(what): that needs the \(role.rawValue) role (\(role.summary)); this token has \(Role.text(roles)). Ask the operator for a token with `finrec token NAME --role \(role.rawValue)`")
        }
    }
}

/// Requests a second per client: a token bucket of `perSecond` tokens, refilled continuously.
final class RateLimiter: Sendable {
    let perSecond: Int
    private let buckets = Mutex<[String: (tokens: Double, at: ContinuousClock.Instant)]>([:])

    init(perSecond: Int) { self.perSecond = perSecond }

    /// Nil when `client` may go on now; otherwise the whole seconds until it may (at least 1).
    func admit(_ client: String, now: ContinuousClock.Instant = .now) -> Int? {
        buckets.withLock { buckets in
            let rate = Double(perSecond)
            var bucket = buckets[client] ?? (rate, now)
            let elapsed = now - bucket.at
            bucket.tokens = min(rate, bucket.tokens + rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18))
            bucket.at = now
            defer { buckets[client] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
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
    /// trickles; 413 and 408 otherwise. A body over the limit is read to its end and discarded
    /// (up to `drain` bytes, within the same timeout) before the 413 is thrown, so that a client
    /// that writes its whole body before it reads gets the answer rather than a reset (the
    /// lingering close of RFC 9112 §9.6). A client that asked `Expect: 100-continue` waits for the
    /// answer instead of sending, and gets the 413 at once, as does a declared length over `drain`.
    static func read(_ request: Request, limit: Int, timeout: Duration, drain: Int) async throws -> [UInt8] {
        let declared = request.headers[.contentLength].flatMap(Int.init)
        func tooLarge(_ length: Int?) -> ServiceError {
            ServiceError(.contentTooLarge, length.map { "the request body is \($0) bytes; this service takes at most \(limit) (for larger pools use `finrec rank` on a file)" }
                ?? "the request body is larger than \(limit) bytes, the most this service takes (for larger pools use `finrec rank` on a file)")
        }
        if let declared, declared > limit, declared > drain || request.headers[.expect]?.lowercased() == "100-continue" {
            throw tooLarge(declared)
        }
        let body = request.body
        let declaredOver = declared.map { $0 > limit } ?? false
        // Set by the collector, read by the deadline: whether the body is past the limit.
        let over = Flag(declaredOver)
        let collector = Task { () throws -> [UInt8] in
            var bytes: [UInt8] = []
            var seen = 0, discarding = declaredOver
            for try await var buffer in body {
                seen += buffer.readableBytes
                if !discarding && seen > limit {
                    discarding = true
                    over.withLock { $0 = true }
                    bytes = []
                }
                if discarding {
                    // Discarded; past `drain` the rest is left unread and the connection closes.
                    if seen > drain { break }
                    continue
                }
                bytes += buffer.readBytes(length: buffer.readableBytes) ?? []
            }
            if discarding { throw tooLarge(declared) }
            return bytes
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
                    // A body already over the limit gets its 413, however slowly the rest comes.
                    waiting.resume(throwing: over.withLock { $0 } ? tooLarge(declared)
                        : ServiceError(.requestTimeout, "the request body did not arrive within \(timeout.components.seconds) s; send it at once"))
                }
            }
            Task {
                let result = await collector.result
                outcome.take()?.resume(with: result)
                deadline.cancel()
            }
        }
    }

    /// A flag two tasks share.
    final class Flag: Sendable {
        private let value: Mutex<Bool>
        init(_ value: Bool) { self.value = Mutex(value) }
        func withLock<T>(_ body: (inout Bool) -> T) -> T { value.withLock { body(&$0) } }
    }

    /// The body under the service's limits.
    static func read(_ request: Request, state: ServiceState) async throws -> [UInt8] {
        let configuration = state.configuration
        return try await read(request, limit: configuration.maximumBodyBytes, timeout: configuration.bodyTimeout, drain: configuration.drainBytes)
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
