import ArgumentParser
import FinRec
import FinRecCLISupport
import FinRecServer
import Foundation

/// `finrec-desk`: the commands of the officer's desk. Users run them as `finrec serve`,
/// `finrec token` and `finrec audit`; `finrec` hands these over to this executable, so its own
/// commands start without the service's libraries (Hummingbird, NIO, GRDB and SQLite, Mustache).
@main
struct FinRecDeskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finrec",
        abstract: "The officer's desk of FinRec: the HTTP service and its page, tokens, the audit log.",
        version: FinRecVersion.current,
        subcommands: [Serve.self, Token.self, Audit.self]
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: DeskCommand.serve.rawValue,
        abstract: DeskCommand.serve.abstract,
        discussion: """
            Binds 127.0.0.1 by default; on any other address it refuses to start without --tokens, \
            whose roles (officer, supervisor, admin) decide what each client may do. Every decision \
            (time, client, input SHA-256, model SHA-256, the result) is committed to the SQLite audit \
            log (WAL, synchronous FULL), chained to the one before by SHA-256, before its response is \
            sent; the log's head goes to standard error every --head-every seconds. Read, verify, \
            prune and back up the log with `finrec audit`. SIGHUP reloads the model file atomically (requests in flight finish on \
            the old one); SIGTERM or Ctrl-C stops after the requests in flight. The API is described \
            at /v1/openapi.json; README.md shows the page and the load figures.
            """)

    @Option(name: .long, help: "Address to bind (default 127.0.0.1; any other needs --tokens).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port (0 picks a free one; the line 'listening on' says which).")
    var port = 8080

    @Option(name: .long, help: "Model file (default: as for `finrec score`).")
    var model: String?

    @Option(name: .long, help: "The audit log (SQLite; created when missing).")
    var audit = "finrec-audit.sqlite"

    @Option(name: .long, help: "Token file: one client per line, its name and its token's SHA-256 (`finrec token` writes it).")
    var tokens: String?

    @Option(name: .long, help: "Largest request body accepted, in MiB (413 above it).")
    var maxBodyMib = 32

    @Option(name: .long, help: "Seconds a request body may take to arrive (408 after); a connection idle 2 s longer is closed.")
    var timeout = 30

    @Option(name: .long, help: "Requests a second each client may send (as many at once), 429 with Retry-After above it (default: no limit).")
    var rateLimit: Int?

    @Option(name: .long, help: "Seconds between the lines that write the audit log's head to standard error (when it moved); keep them for `finrec audit verify --head`.")
    var headEvery = 60

    @OptionGroup var assessment: AssessmentDateOption

    func validate() throws {
        if let rateLimit, !(1...100_000).contains(rateLimit) { throw ValidationError("Please give --rate-limit a whole number of requests a second from 1 to 100000.") }
        guard (1...86_400).contains(headEvery) else { throw ValidationError("Please give --head-every a whole number of seconds from 1 to 86400.") }
        guard (1...1024).contains(maxBodyMib) else { throw ValidationError("Please give --max-body-mib a whole number from 1 to 1024.") }
        guard (1...3600).contains(timeout) else { throw ValidationError("Please give --timeout a whole number of seconds from 1 to 3600.") }
        guard (0...65535).contains(port) else { throw ValidationError("Please give --port a number from 0 to 65535.") }
    }

    func run() async throws {
        var configuration = ServerConfiguration(modelPath: try DefaultModel.resolve(model), asOf: assessment.asOf)
        configuration.host = host
        configuration.port = port
        configuration.auditPath = audit
        configuration.tokensPath = tokens
        configuration.maximumBodyBytes = maxBodyMib << 20
        configuration.bodyTimeout = .seconds(timeout)
        configuration.idleTimeout = .seconds(timeout + 2)
        configuration.rateLimit = rateLimit
        configuration.headInterval = .seconds(headEvery)
        let host = self.host, auditPath = audit
        do {
            try await FinRecService.run(configuration, log: { printToStandardError($0) }, onListening: { port in
                printToStandardError("finrec serve: listening on http://\(host.contains(":") ? "[\(host)]" : host):\(port) (audit log \(auditPath))")
            })
        } catch let error as ServiceError {
            throw ValidationError(error.message)
        }
    }
}

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: DeskCommand.token.rawValue,
        abstract: DeskCommand.token.abstract,
        discussion: "Roles: " + Role.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")
            + ". Lines written before roles (a name and a hash only) hold officer and admin: what every token could do then.")

    @Argument(help: "The client's name (letters, digits, - _ .), as the audit log records it, e.g. loan-system.")
    var client: String

    @Option(name: .long, help: "The token file to add the client to (created when missing).")
    var tokens: String

    @Option(name: .long, help: "officer, supervisor or admin, or several joined by commas (officer,admin).")
    var role = "officer"

    func validate() throws {
        guard TokenFile.isClientName(client) else {
            throw ValidationError("Please name the client with 1 to 64 letters, digits, '-', '_' or '.', e.g. loan-system.")
        }
        guard Role.set(parsing: role) != nil else {
            throw ValidationError("Please give --role " + Role.allCases.map(\.rawValue).joined(separator: ", ") + ", or several joined by commas (officer,admin).")
        }
    }

    func run() throws {
        let roles = Role.set(parsing: role) ?? [.officer]
        var text = ""
        if FileManager.default.fileExists(atPath: tokens) {
            // Checked as `serve` will read it: a broken line is reported, not appended to.
            let existing = try TokenFile.text(path: tokens)
            if try TokenFile.parse(existing, path: tokens).clients.values.contains(where: { $0.name == client }) {
                throw ValidationError("\(tokens) already has a client \(client); remove its line first to replace its token.")
            }
            text = existing.hasSuffix("\n") || existing.isEmpty ? existing : existing + "\n"
        } else {
            text = "# finrec serve --tokens: one client per line, its name, the SHA-256 of its bearer token and its roles.\n"
        }
        let token = TokenFile.newToken()
        text += "\(client) \(TokenFile.hash(token)) \(Role.text(roles))\n"
        try AtomicFileWriter.write(Array(text.utf8), to: tokens)
        chmod(tokens, 0o600)
        print(token)
        printToStandardError("finrec token: added \(client) (\(Role.text(roles))) to \(tokens); give it the token above (shown once): Authorization: Bearer <token>")
    }
}

/// `finrec audit`: read, verify, prune and back up the audit log.
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: DeskCommand.audit.rawValue,
        abstract: DeskCommand.audit.abstract,
        discussion: """
            Each row is chained to the one before by SHA-256 (README.md, "The audit log"): `finrec audit \
            verify` finds a row edited, deleted or reordered, and with a head saved earlier (`finrec \
            audit head`, or the service's "audit head" lines) rows removed from the end.
            """,
        subcommands: [AuditExportCommand.self, AuditVerify.self, AuditHead.self, AuditPrune.self, AuditBackup.self],
        defaultSubcommand: AuditExportCommand.self)
}

struct AuditLogOption: ParsableArguments {
    @Option(name: .long, help: "The audit log.")
    var audit = "finrec-audit.sqlite"
}

/// A ServiceError from the log as the command's error.
private func auditing<T>(_ work: () throws -> T) throws -> T {
    do { return try work() } catch let error as ServiceError { throw ValidationError(error.message) }
}

/// A date or timestamp option, checked.
private func checkDate(_ value: String?, _ option: String) throws {
    if let value, !AuditFilter.isDate(value) {
        throw ValidationError("Please write \(option) as YYYY-MM-DD (or a full timestamp such as 2026-11-30T08:00:00Z).")
    }
}

struct AuditExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "The decisions, filtered, as CSV or JSON (the default of `finrec audit`).")

    @OptionGroup var log: AuditLogOption

    @Option(name: .long, help: "Only decisions at or after this date (YYYY-MM-DD, UTC) or timestamp.")
    var since: String?

    @Option(name: .long, help: "Only decisions before this date or timestamp (--since 2026-11-01 --until 2026-12-01 is November).")
    var until: String?

    @Option(name: .long, help: "Only this client's decisions (the token's name; local without tokens).")
    var client: String?

    @Option(name: .long, help: "Only this route, as logged: 'POST /v1/score', 'POST /v1/rank', 'POST /v1/plan', 'POST /score' (the page).")
    var route: String?

    @Option(name: .long, help: "Only decisions whose result names this enterprise (its id or credit code).")
    var enterprise: String?

    @Flag(name: .long, help: "Include the prune checkpoints, not only decisions.")
    var checkpoints = false

    @Option(name: .long, help: "csv (one line per decision) or json (an array; results as documents).")
    var format: AuditExport.Format = .csv

    @Option(name: .long, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    @Flag(name: .long, help: "CSV for Excel: UTF-8 with a byte-order mark, so Chinese shows right.")
    var excel = false

    func validate() throws {
        try checkDate(since, "--since")
        try checkDate(until, "--until")
        if excel && format != .csv { throw ValidationError("--excel goes with --format csv.") }
    }

    func run() throws {
        var filter = AuditFilter(since: since, until: until, client: client, route: route, enterprise: enterprise)
        filter.checkpoints = checkpoints
        let entries = try auditing { try AuditLog.read(path: log.audit, filter: filter) }
        try deliver(AuditExport.render(entries, format: format, excel: excel), to: output)
    }
}

extension AuditExport.Format: ExpressibleByArgument {}

struct AuditVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the hash chain; exit 1 naming the first row edited, deleted or reordered.")

    @OptionGroup var log: AuditLogOption

    @Option(name: .long, help: "A head saved earlier, ID:HASH (`finrec audit head`, or the service's 'audit head' line): rows removed from the end since are found.")
    var head: String?

    func validate() throws {
        if let head, AuditChain.Head(parsing: head) == nil {
            throw ValidationError("Please give --head as ID:HASH, e.g. 3612:9f86d081…, as `finrec audit head` prints it.")
        }
    }

    func run() throws {
        let report = try auditing { try AuditLog.verify(path: log.audit, saved: head.flatMap(AuditChain.Head.init(parsing:))) }
        if let failure = report.failure {
            printToStandardError("finrec audit verify: \(log.audit): BROKEN at row \(failure.row): \(failure.message)")
            throw ExitCode(1)
        }
        let range = report.first.map { "rows \($0)–\(report.head?.id ?? $0)" } ?? "no rows"
        print("finrec audit verify: \(log.audit): the chain holds: \(report.rows) rows (\(range); \(report.decisions) decisions, \(report.prunes) prune checkpoints)"
              + (head == nil ? "" : "; the saved head \(head!.prefix(20))… is in it") + "; head \(report.head.map(\.description) ?? "none")")
    }
}

struct AuditHead: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "head",
        abstract: "Print the last row's ID:HASH; keep it where the log's writers cannot reach, and pass it to `verify --head` later.")

    @OptionGroup var log: AuditLogOption

    func run() throws {
        guard let head = try auditing({ try AuditLog.head(path: log.audit) }) else {
            throw ValidationError("\(log.audit) has no row yet; there is no head to save.")
        }
        print(head.description)
    }
}

struct AuditPrune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove the rows before a date; a checkpoint row keeps the chain verifiable. Safe while serving.")

    @OptionGroup var log: AuditLogOption

    @Option(name: .long, help: "Remove the rows before this date (YYYY-MM-DD, UTC): those before the first row at or after it.")
    var before: String

    func validate() throws {
        if before > AuditEntry.timestamp() {
            throw ValidationError("--before \(before) is in the future: it would remove decisions being written now; give a date already passed.")
        }
        try checkDate(before, "--before")
    }

    func run() throws {
        let pruned = try auditing { try AuditLog.prune(path: log.audit, before: before) }
        guard let range = pruned.range, let checkpoint = pruned.checkpoint else {
            print("finrec audit prune: \(log.audit): no row before \(before); nothing removed")
            return
        }
        print("finrec audit prune: \(log.audit): removed rows \(range.lowerBound)–\(range.upperBound) (\(pruned.decisions) decisions before \(before)); checkpoint row \(checkpoint) keeps the chain; \(pruned.bytesBefore / 1024) KiB → \(pruned.bytesAfter / 1024) KiB")
    }
}

struct AuditBackup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "SQLite's online backup of the log, consistent while serving; written whole or not at all, then verified.")

    @OptionGroup var log: AuditLogOption

    @Option(name: .long, help: "The backup file (replaced atomically when it exists).")
    var output: String

    func run() throws {
        let report = try auditing { try AuditLog.backup(path: log.audit, to: output) }
        print("finrec audit backup: \(output): \(report.rows) rows, the chain holds; head \(report.head.map(\.description) ?? "none")")
    }
}
