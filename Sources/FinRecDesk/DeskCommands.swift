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
            Binds 127.0.0.1 by default; on any other address it refuses to start without --tokens. \
            Every decision (time, client, input SHA-256, model SHA-256, the result) is committed to \
            the SQLite audit log (WAL, synchronous FULL) before its response is sent; read it with \
            `finrec audit`. SIGHUP reloads the model file atomically (requests in flight finish on \
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

    @OptionGroup var assessment: AssessmentDateOption

    func validate() throws {
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
        abstract: DeskCommand.token.abstract)

    @Argument(help: "The client's name (letters, digits, - _ .), as the audit log records it, e.g. loan-system.")
    var client: String

    @Option(name: .long, help: "The token file to add the client to (created when missing).")
    var tokens: String

    func validate() throws {
        guard TokenFile.isClientName(client) else {
            throw ValidationError("Please name the client with 1 to 64 letters, digits, '-', '_' or '.', e.g. loan-system.")
        }
    }

    func run() throws {
        var text = ""
        if FileManager.default.fileExists(atPath: tokens) {
            // Checked as `serve` will read it: a broken line is reported, not appended to.
            let existing = try TokenFile.text(path: tokens)
            if try TokenFile.parse(existing, path: tokens).clients.values.contains(client) {
                throw ValidationError("\(tokens) already has a client \(client); remove its line first to replace its token.")
            }
            text = existing.hasSuffix("\n") || existing.isEmpty ? existing : existing + "\n"
        } else {
            text = "# finrec serve --tokens: one client per line, its name and the SHA-256 of its bearer token.\n"
        }
        let token = TokenFile.newToken()
        text += "\(client) \(TokenFile.hash(token))\n"
        try AtomicFileWriter.write(Array(text.utf8), to: tokens)
        chmod(tokens, 0o600)
        print(token)
        printToStandardError("finrec token: added \(client) to \(tokens); give it the token above (shown once): Authorization: Bearer <token>")
    }
}

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: DeskCommand.audit.rawValue,
        abstract: DeskCommand.audit.abstract)

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json }

    @Option(name: .long, help: "The audit log.")
    var audit = "finrec-audit.sqlite"

    @Option(name: .long, help: "Only decisions at or after this date (YYYY-MM-DD, UTC) or timestamp.")
    var since: String?

    @Option(name: .long, help: "csv (one line per decision) or json (an array; results as documents).")
    var format: Format = .csv

    @Option(name: .long, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    @Flag(name: .long, help: "CSV for Excel: UTF-8 with a byte-order mark, so Chinese shows right.")
    var excel = false

    func validate() throws {
        if let since, CivilDate(isoDate: String(since.prefix(10))) == nil {
            throw ValidationError("Please write --since as YYYY-MM-DD (or a full timestamp such as 2026-11-30T08:00:00Z).")
        }
        if excel && format != .csv { throw ValidationError("--excel goes with --format csv.") }
    }

    func run() throws {
        let entries: [AuditEntry]
        do { entries = try AuditLog.read(path: audit, since: since) } catch let error as ServiceError {
            throw ValidationError(error.message)
        }
        let text: String
        switch format {
        case .csv:
            text = (excel ? CSVField.byteOrderMark : "") + "id,time,client,route,input_sha256,model_sha256,applicants,result\n" + entries.map { e in
                [String(e.id ?? 0), e.time, e.client, e.route, e.inputSHA256, e.modelSHA256, String(e.applicants), e.result]
                    .map(CSVField.escape).joined(separator: ",")
            }.joined(separator: "\n") + (entries.isEmpty ? "" : "\n")
        case .json:
            text = JSONValue.array(entries.map { e in
                .object(JSONObject([("id", .number(Double(e.id ?? 0))), ("time", .string(e.time)), ("client", .string(e.client)),
                                    ("route", .string(e.route)), ("input_sha256", .string(e.inputSHA256)), ("model_sha256", .string(e.modelSHA256)),
                                    ("applicants", .number(Double(e.applicants))),
                                    ("result", (try? JSONValue.parse(e.result)) ?? .string(e.result))]))
            }).prettyPrinted()
        }
        try deliver(text, to: output)
    }
}
