import ArgumentParser
import FinRec
@testable import FinRecCLI
import FinRecCLISupport
@testable import FinRecDesk
@testable import FinRecServer
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A `finrec serve` process on a free loopback port, stopped (SIGTERM) when the test is done.
final class ServerProcess {
    let process = Process()
    let log: String
    private(set) var port = 0
    var pid: Int32 { process.processIdentifier }
    var url: String { "http://127.0.0.1:\(port)" }

    /// The finrec executable `swift test` built beside the test bundle.
    static var executable: String {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("finrec").path,
                          Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("finrec").path,
                          Bundle.main.bundleURL.appendingPathComponent("finrec").path]
        return candidates.first(where: FileManager.default.isExecutableFile(atPath:)) ?? candidates[0]
    }

    /// Starts `finrec serve --port 0 ARGUMENTS` and waits for its "listening on" line.
    init(_ arguments: [String], folder: String) throws {
        log = folder + "/serve-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["serve", "--port", "0"] + arguments
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<600 {
            let text = output
            if let range = text.range(of: "listening on http://127.0.0.1:") {
                port = Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
                return
            }
            if !process.isRunning { break }
            usleep(50_000)
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "finrec serve did not start: \(output)"])
    }

    var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    func stop() {
        if process.isRunning { kill(pid, SIGTERM) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

@Suite("finrec serve: the JSON API, hostile HTTP, tokens, reload and the audit log", .serialized)
struct ServeCommandTests {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    var model: String { root + "/Models/default-model.json" }

    func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "finrec-serve-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func check(_ arguments: [String]) throws -> [String: Any] {
        try runPythonJSON(root: root, script: "Tests/Serve/check_service.py", arguments)
    }

    static func sha256(_ path: String) -> String { SHA256.hex(FileManager.default.contents(atPath: path) ?? Data()) }

    /// Runs an executable to its end: its status, standard output and standard error.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Standard error is short here; read it after standard output, which could be long.
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output, errors)
    }

    @Test("finrec hands serve, token and audit to finrec-desk, lists them in its help, links none of the service's libraries or full Foundation, and says what to do when finrec-desk is missing")
    func handOff() throws {
        let finrec = ServerProcess.executable
        let help = try Self.run(finrec, ["--help"])
        for command in DeskCommand.allCases {
            #expect(help.output.contains("  \(command.rawValue) "), "\(command) in finrec --help")
        }
        // The desk's own help, reached through finrec, both ways of asking.
        for arguments in [["help", "serve"], ["serve", "--help"]] {
            let desk = try Self.run(finrec, arguments)
            #expect(desk.status == 0 && desk.output.contains("--max-body-mib") && desk.output.contains("USAGE: finrec serve"), "\(arguments): \(desk)")
        }
        // An error from the desk's command comes back with its status.
        let refused = try Self.run(finrec, ["token", "no spaces please", "--tokens", try folder() + "/tokens"])
        #expect(refused.status != 0 && refused.errors.contains("letters, digits"), "\(refused)")

        // The one-applicant commands start without the server, SQLite, NIO, or Foundation's
        // internationalisation and ICU (FoundationEssentials only).
        let libraries = try Self.run("/usr/bin/ldd", [finrec])
        #expect(libraries.status == 0 && libraries.output.contains("libopenblas") && libraries.output.contains("libFoundationEssentials"), "\(libraries.output)")
        for library in ["libsqlite3", "libFoundation.so", "libFoundationInternationalization", "lib_FoundationICU"] {
            #expect(!libraries.output.contains(library), "finrec links \(library)")
        }

        // finrec copied alone: the desk's commands fail with what to do, other commands work.
        let alone = try folder() + "/finrec"
        try FileManager.default.copyItem(atPath: finrec, toPath: alone)
        let missing = try Self.run(alone, ["audit", "--audit", alone + ".sqlite"])
        #expect(missing.status == 1 && missing.output.isEmpty, "\(missing)")
        #expect(missing.errors.contains("finrec-desk") && missing.errors.contains("swift build -c release"), "\(missing.errors)")
        #expect(!FileManager.default.fileExists(atPath: alone + ".sqlite"))
        #expect(try Self.run(alone, ["--version"]) == (0, FinRecVersion.current + "\n", ""))
    }

    @Test("The API answers as the CLI does, refuses hostile requests with the right 4xx and no audit row, and audits every decision")
    func api() throws {
        let dir = try folder()
        let db = dir + "/audit.sqlite"
        let server = try ServerProcess(["--model", model, "--audit", db, "--timeout", "5", "--max-body-mib", "1"], folder: dir)
        let report = try check(["api", server.url, ServerProcess.executable, model, db])

        let health = report["healthz"] as? [String: Any] ?? [:]
        #expect(health["status"] as? Int == 200)
        #expect((health["body"] as? [String: Any])?["model_sha256"] as? String == Self.sha256(model))
        let overview = (report["/v1/model"] as? [String: Any])?["body"] as? [String: Any] ?? [:]
        let trained = try TrainedModel.read(from: model)
        #expect((overview["products"] as? [[String: Any]])?.compactMap { $0["name_zh"] as? String } == trained.linear.products.map(\.chineseName))
        #expect(overview["metrics"] != nil && overview["provenance"] != nil)
        let offers = ((report["/v1/offers"] as? [String: Any])?["body"] as? [String: Any])?["catalog"] as? [String: Any]
        #expect((offers?["offers"] as? [Any])?.count == trained.catalog.offers.count)
        let openapi = report["openapi"] as? [String: Any] ?? [:]
        #expect(openapi["valid"] as? Bool == true, "OpenAPI 3.1 document validates: \(openapi)")
        #expect(Set(openapi["paths"] as? [String] ?? []) == ["/healthz", "/metrics", "/v1/decisions", "/v1/decisions/{id}", "/v1/model", "/v1/offers", "/v1/openapi.json", "/v1/plan", "/v1/rank", "/v1/score"])

        // The served document is the CLI's, for every shipped applicant.
        let same = report["score_vs_cli"] as? [[String: Any]] ?? []
        #expect(same.count == 7)
        for s in same { #expect(s["status"] as? Int == 200 && s["equal"] as? Bool == true, "\(s)") }
        #expect((report["score_array"] as? [String: Any])?["enterprises"] as? Int == 7)
        #expect((report["score_array"] as? [String: Any])?["language"] as? String == "en")
        #expect((report["score_jsonl"] as? [String: Any])?["enterprises"] as? Int == 7)
        #expect((report["score_csv"] as? [String: Any])?["enterprises"] as? Int == 50)
        let rank = report["rank_vs_cli"] as? [String: Any] ?? [:]
        #expect(rank["status"] as? Int == 200 && rank["equal"] as? Bool == true, "rank: \(rank)")
        #expect((report["rank_csv"] as? [String: Any])?["lines"] as? Int ?? 0 >= 2)
        let plan = report["plan_vs_cli"] as? [String: Any] ?? [:]
        #expect(plan["status"] as? Int == 200 && plan["equal"] as? Bool == true, "plan: \(plan)")

        // Hostile requests: the right status, a message saying what to do, nothing audited.
        let hostile = report["hostile"] as? [String: [String: Any]] ?? [:]
        let expected: [String: Int] = [
            "bad_json": 400, "not_json": 400, "wrong_type": 415, "no_type": 415, "invalid_value": 422, "empty_csv": 422,
            "unknown_route": 404, "wrong_method": 405, "bad_query": 400, "unknown_query": 400, "unknown_product": 400,
            "too_large": 413, "cross_site_form": 403, "plan_bad_shape": 400, "plan_infeasible": 422, "too_large_chunked": 413, "slow_body": 408, "garbage": 400,
        ]
        for (key, status) in expected { #expect(hostile[key]?["status"] as? Int == status, "\(key): \(hostile[key] ?? [:])") }
        func message(_ key: String) -> String { ((hostile[key]?["error"] as? [String: Any])?["message"] as? String) ?? "" }
        #expect(message("bad_json").contains("line 1, column 41"))
        #expect((hostile["bad_json"]?["error"] as? [String: Any])?["column"] as? Int == 41)
        #expect(message("invalid_value").contains("revenue_y1") && message("invalid_value").contains("万元"))
        #expect((hostile["invalid_value"]?["error"] as? [String: Any])?["field"] as? String == "revenue_y1")
        #expect(message("unknown_query").contains("unknown query parameter model"), "no path is taken from a request")
        #expect(message("too_large").contains("1048576"))
        #expect(message("plan_infeasible").contains("贷款对接 (loans)") && message("plan_infeasible").contains("needs 50 firms"), "\(message("plan_infeasible"))")
        #expect(message("slow_body").contains("5 s"))
        let slowBody = hostile["slow_body"]?["seconds"] as? Double ?? 99
        #expect(slowBody >= 4.9 && slowBody < 9, "the 408 comes at the timeout, not before: \(slowBody) s")
        let slowHeaders = hostile["slow_headers"] ?? [:]
        #expect(slowHeaders["closed"] as? Bool == true && (slowHeaders["seconds"] as? Double ?? 99) < 14, "headers that never end: closed \(slowHeaders)")
        #expect((hostile["too_large_chunked"]?["seconds"] as? Double ?? 99) < 4.9, "413 as soon as the limit is passed, not at the deadline")
        #expect(report["audit_rows_added_by_hostile"] as? Int == 0)

        // Every decision: its row, with the input's and the model's SHA-256 and the result as sent.
        #expect(report["journal_mode"] as? String == "wal")
        let rows = report["audit_match"] as? [[String: Any]] ?? []
        #expect(rows.count == 9)
        for r in rows {
            #expect(r["found"] as? Bool == true && r["input"] as? Bool == true && r["model"] as? Bool == true && r["result"] as? Bool == true, "\(r)")
            #expect(r["client"] as? String == "local")
        }
        let metrics = report["metrics"] as? [String: Any] ?? [:]
        #expect(metrics["score_200"] as? Double ?? 0 >= 10 && metrics["score_400"] as? Double ?? 0 >= 3, "\(metrics)")
        #expect(metrics["histogram"] as? Bool == true)
        #expect((metrics["type"] as? String)?.hasPrefix("text/plain; version=0.0.4") == true)

        // `finrec audit` reads the same rows back.
        let json = dir + "/audit.json", csv = dir + "/audit.csv"
        try AuditExportCommand.parse(["--audit", db, "--format", "json", "--output", json]).run()
        let entries = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [[String: Any]] ?? []
        #expect(entries.count == Int(metrics["decisions"] as? Double ?? -1))
        #expect(entries.first?["model_sha256"] as? String == Self.sha256(model))
        #expect((entries.first?["result"] as? [String: Any])?["format"] as? String == "finrec-score")
        try AuditExportCommand.parse(["--audit", db, "--format", "csv", "--excel", "--output", csv, "--since", "2199-01-01"]).run()
        let csvBytes = try Array(Data(contentsOf: URL(fileURLWithPath: csv)))
        #expect(csvBytes == [0xEF, 0xBB, 0xBF] + Array("id,time,client,route,input_sha256,model_sha256,applicants,kind,hash,result\n".utf8),
                "--excel starts with the byte-order mark; a future --since: no row")
        server.stop()
    }

    @Test("SIGHUP reloads the model atomically: a request in flight finishes on the old one, a broken file leaves the old one in service")
    func reload() throws {
        let dir = try folder()
        let db = dir + "/audit.sqlite", copy = dir + "/model.json"
        try FileManager.default.copyItem(atPath: model, toPath: copy)
        let server = try ServerProcess(["--model", copy, "--audit", db], folder: dir)
        let report = try check(["reload", server.url, String(server.pid), copy, db])
        let before = report["before_points"] as? Double ?? .nan
        let inFlight = report["in_flight"] as? [String: Any] ?? [:], after = report["after"] as? [String: Any] ?? [:]
        #expect(inFlight["model_is_old"] as? Bool == true)
        #expect(inFlight["points"] as? Double == before, "in flight: the old model's points")
        #expect(after["sha_changed"] as? Bool == true && after["sha_is_file"] as? Bool == true)
        #expect(abs((after["points"] as? Double ?? 0) - before - 10) < 1e-9, "the new offset adds 10 points")
        let bad = report["after_bad_file"] as? [String: Any] ?? [:]
        #expect(bad["status"] as? Int == 200 && bad["sha_unchanged"] as? Bool == true)
        #expect(bad["points"] as? Double == after["points"] as? Double)
        #expect(server.output.contains("model NOT reloaded"))
        server.stop()
    }

    @Test("SIGKILL under load: every response a client received has its audit row, and the database opens clean")
    func killed() throws {
        let dir = try folder()
        let db = dir + "/audit.sqlite"
        let server = try ServerProcess(["--model", model, "--audit", db], folder: dir)
        let report = try check(["kill", server.url, String(server.pid), db, "3"])
        server.process.waitUntilExit()
        #expect(server.process.terminationReason == .uncaughtSignal)
        #expect(report["received"] as? Int ?? 0 >= 20, "load ran: \(report)")
        #expect((report["missing"] as? [Any])?.isEmpty == true, "\(report)")
        #expect((report["mismatched"] as? [Any])?.isEmpty == true, "\(report)")
        #expect(report["integrity"] as? String == "ok")
        #expect(report["chain_break"] is NSNull, "the chain holds after SIGKILL: \(report)")
        #expect(report["rows"] as? Int ?? 0 >= report["received"] as? Int ?? .max)
        // And FinRec itself reads the log after the crash.
        let out = dir + "/after.json"
        try AuditExportCommand.parse(["--audit", db, "--format", "json", "--output", out]).run()
        let entries = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [Any] ?? []
        #expect(entries.count == report["rows"] as? Int)
    }

    @Test("Tokens: stored as hashes, required on every route but /healthz, the client named in the audit; no other host without them")
    func tokens() throws {
        let dir = try folder()
        let db = dir + "/audit.sqlite", tokens = dir + "/tokens"
        let token = try Self.makeToken(client: "loan-officer", tokens: tokens)
        #expect(token.count == 43)
        let stored = try String(contentsOfFile: tokens, encoding: .utf8)
        #expect(!stored.contains(token) && stored.contains("loan-officer " + TokenFile.hash(token)), "only the hash is stored")
        #expect(try TokenFile.read(path: tokens).client(presenting: token)?.name == "loan-officer")

        let server = try ServerProcess(["--model", model, "--audit", db, "--tokens", tokens], folder: dir)
        let report = try check(["tokens", server.url, token, db])
        for key in ["none", "wrong", "malformed"] {
            let r = report[key] as? [String: Any] ?? [:]
            #expect(r["status"] as? Int == 401 && (r["challenge"] as? String)?.hasPrefix("Bearer") == true, "\(key): \(r)")
        }
        #expect((report["page_without"] as? [String: Any])?["status"] as? Int == 401)
        #expect(report["audit_rows_added_by_refused"] as? Int == 0)
        #expect((report["bearer"] as? [String: Any])?["status"] as? Int == 200)
        #expect((report["bearer"] as? [String: Any])?["client"] as? String == "loan-officer")
        #expect((report["basic_page"] as? [String: Any])?["status"] as? Int == 200)
        #expect(report["healthz"] as? Int == 200 && report["metrics_without"] as? Int == 401)
        server.stop()

        // Any address but loopback without --tokens: refused before binding.
        let open = Process()
        open.executableURL = URL(fileURLWithPath: ServerProcess.executable)
        open.arguments = ["serve", "--host", "0.0.0.0", "--port", "0", "--model", model, "--audit", dir + "/open.sqlite"]
        let errors = Pipe()
        open.standardError = errors
        try open.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        open.waitUntilExit()
        #expect(open.terminationStatus != 0)
        #expect(message.contains("--tokens") && message.contains("0.0.0.0"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/open.sqlite"))
    }

    @Test("Roles: an officer scores and reads its own decisions, a supervisor reads every client's (API and page) but scores nothing, an admin reads metrics and the model only; a line from before roles keeps officer and admin; refusals are 403s that name the role")
    func roles() throws {
        let dir = try folder()
        let tokens = dir + "/tokens"
        var made: [String: String] = [:]
        for (client, role) in [("officer", "officer"), ("supervisor", "supervisor"), ("admin", "admin")] {
            made[client] = try Self.makeToken(client: client, tokens: tokens, role: role)
        }
        // A line as token files were written before roles: a name and a hash.
        made["legacy"] = TokenFile.newToken()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: tokens))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("legacy \(TokenFile.hash(made["legacy"]!))\n".utf8))
        try handle.close()
        #expect(try String(contentsOfFile: tokens, encoding: .utf8).contains(" supervisor\n"), "the role is on the token's line")
        let tokensJSON = dir + "/tokens.json"
        try JSONSerialization.data(withJSONObject: made).write(to: URL(fileURLWithPath: tokensJSON))

        let server = try ServerProcess(["--model", model, "--audit", dir + "/audit.sqlite", "--tokens", tokens], folder: dir)
        let r = try runPythonJSON(root: root, script: "Tests/Serve/check_audit.py", ["roles", server.url, tokensJSON])
        server.stop()
        func answers(_ who: String) -> [String: Any] { r[who] as? [String: Any] ?? [:] }
        func statuses(_ who: String) -> [String: Int] {
            (answers(who) as [String: Any]).compactMapValues { $0 as? Int }
        }
        func read(_ who: String, _ owner: String) -> [Int] { ((answers(who)["read"] as? [String: Any])?[owner] as? [Int]) ?? [] }

        let officer = statuses("officer")
        #expect(officer["score"] == 200 && officer["metrics"] == 403 && officer["model"] == 403 && officer["offers"] == 200
                && officer["page"] == 200 && officer["decisions"] == 200 && officer["filter_other"] == 200, "\(officer)")
        #expect(answers("officer")["decision_clients"] as? [String] == ["officer"])
        #expect(read("officer", "officer") == [200, 200] && read("officer", "legacy") == [404, 404], "an officer reads its own only")

        let legacy = statuses("legacy")
        #expect(legacy["score"] == 200 && legacy["metrics"] == 200 && legacy["model"] == 200 && legacy["page"] == 200
                && legacy["filter_other"] == 403, "a line without roles: officer and admin: \(legacy)")
        #expect(read("legacy", "officer") == [404, 404] && read("legacy", "legacy") == [200, 200])

        let supervisor = statuses("supervisor")
        #expect(supervisor["score"] == 403 && supervisor["metrics"] == 403 && supervisor["model"] == 403 && supervisor["offers"] == 200
                && supervisor["page"] == 200 && supervisor["decisions"] == 200 && supervisor["filter_other"] == 200, "\(supervisor)")
        #expect(answers("supervisor")["decision_clients"] as? [String] == ["legacy", "officer"])
        #expect(answers("supervisor")["page_decision_links"] as? Int == 2, "the supervisor's page lists the decisions: \(answers("supervisor"))")
        #expect(read("supervisor", "officer") == [200, 200] && read("supervisor", "legacy") == [200, 200])
        // The supervisor's export of one client's decisions, as `finrec audit` writes it.
        let export = answers("supervisor")["csv"] as? [String: Any] ?? [:]
        #expect((export["type"] as? String)?.hasPrefix("text/csv") == true && export["rows"] as? Int == 1 && export["clients"] as? [String] == ["officer"], "\(export)")
        #expect(export["header"] as? String == AuditExport.columns.joined(separator: ","))
        let refused = answers("supervisor")["score_message"] as? String ?? ""
        #expect(refused.contains("officer role") && refused.contains("finrec token NAME --role officer"), "\(refused)")

        let admin = statuses("admin")
        #expect(admin["score"] == 403 && admin["metrics"] == 200 && admin["model"] == 200 && admin["page"] == 403
                && admin["decisions"] == 403 && admin["filter_other"] == 403, "\(admin)")
        #expect(read("admin", "officer") == [403, 403])
    }

    @Test("Faults: urllib's whole-body 413 is read (lingering close), a client past --rate-limit gets 429 with Retry-After and no audit row, the head is logged; a full volume refuses decisions with 503 and recovers")
    func faults() throws {
        let dir = try folder()
        let db = dir + "/audit.sqlite"
        let server = try ServerProcess(["--model", model, "--audit", db, "--max-body-mib", "1", "--rate-limit", "3", "--head-every", "1"], folder: dir)
        let linger = try runPythonJSON(root: root, script: "Tests/Serve/check_audit.py", ["linger", server.url])
        #expect(linger["status"] as? Int == 413, "\(linger)")
        #expect(((linger["error"] as? [String: Any])?["message"] as? String)?.contains("1048576") == true)
        usleep(1_200_000)  // the bucket refills after the 413's request
        let limited = try runPythonJSON(root: root, script: "Tests/Serve/check_audit.py", ["ratelimit", server.url, db, "3"])
        let answers = limited["answers"] as? [[String: Any]] ?? []
        let served = answers.filter { $0["status"] as? Int == 200 }.count
        #expect(answers.prefix(3).allSatisfy { $0["status"] as? Int == 200 }, "a burst of the limit passes: \(answers)")
        #expect(answers.contains { $0["status"] as? Int == 429 } && answers.allSatisfy { [200, 429].contains($0["status"] as? Int ?? 0) })
        for a in answers where a["status"] as? Int == 429 {
            #expect(Int(a["retry_after"] as? String ?? "") ?? 0 >= 1 && (a["message"] as? String)?.contains("3 requests a second") == true, "\(a)")
        }
        #expect(limited["rows_added"] as? Int == served, "a refused request leaves no audit row")
        #expect(limited["after_wait"] as? Int == 200 && limited["health"] as? Int == 200)
        usleep(1_500_000)
        let head = try Self.run(ServerProcess.executable, ["audit", "head", "--audit", db]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!head.isEmpty && server.output.contains("audit head \(head)"), "the service logs the head: \(server.output)")
        server.stop()
        #expect(server.output.contains("stopped; audit head \(head)"))

        // The log's volume full (its file size capped under the running service), then space again.
        let full = try ServerProcess(["--model", model, "--audit", dir + "/full.sqlite"], folder: dir)
        let r = try runPythonJSON(root: root, script: "Tests/Serve/check_audit.py", ["diskfull", full.url, String(full.pid), dir + "/full.sqlite"])
        full.stop()
        let refused = r["refused"] as? [[String: Any]] ?? []
        #expect((r["statuses"] as? [Int] ?? []).contains(200) && refused.count == 3, "\(r)")
        for f in refused {
            #expect(f["status"] as? Int == 503 && f["decision"] is NSNull && (f["message"] as? String)?.contains("cannot be written") == true, "\(f)")
        }
        #expect(r["alive_while_full"] as? Int == 200, "the service lives on while the volume is full")
        #expect((r["recovered"] as? [String: Any])?["status"] as? Int == 200, "decisions again once there is space: \(r)")
        #expect((r["acknowledged_missing"] as? [Any])?.isEmpty == true && r["integrity"] as? String == "ok" && r["chain_break"] is NSNull, "\(r)")
    }

    /// `finrec token CLIENT --tokens FILE [--role ROLE]`: the token it prints.
    static func makeToken(client: String, tokens: String, role: String? = nil) throws -> String {
        let made = Process()
        made.executableURL = URL(fileURLWithPath: ServerProcess.executable)
        made.arguments = ["token", client, "--tokens", tokens] + (role.map { ["--role", $0] } ?? [])
        let out = Pipe()
        made.standardOutput = out
        made.standardError = FileHandle.nullDevice
        try made.run()
        let token = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        made.waitUntilExit()
        return token
    }

    @Test("Errors come in their side's form, for every route of the router the service runs (no list of routes): refused without a token, a page route answers an HTML page and an API route JSON; the page's own errors are pages, the API's JSON; an unknown route is a JSON 404 on both sides")
    func errorForms() throws {
        let dir = try folder()
        let tokens = dir + "/tokens"
        let token = try Self.makeToken(client: "loan-officer", tokens: tokens)
        // The routes as the service builds them, read from its router.
        let state = ServiceState(configuration: ServerConfiguration(modelPath: model, asOf: "2026-06-30"),
                                 models: ModelStore(try LoadedModel(path: model, asOf: "2026-06-30")),
                                 audit: try AuditLog(path: dir + "/routes.sqlite"), tokens: try TokenFile.read(path: tokens),
                                 metrics: ServiceMetrics())
        let routes = FinRecService.routes(state: state).map { route in
            // A parameter (`{id}`) gets a value; the request is refused before it is read.
            (method: route.method, path: route.path.replacingOccurrences(of: #"\{[^}]*\}"#, with: "1", options: .regularExpression))
        }
        state.audit.close()
        let paths = Set(routes.map(\.path))
        #expect(paths.isSuperset(of: ["/", "/score", "/decisions/1", "/v1/score", "/v1/rank", "/healthz"]), "the router read: \(paths.sorted())")
        /// The API's paths; every other one is the page's.
        func isAPI(_ path: String) -> Bool { path.hasPrefix("/v1/") || path == "/healthz" || path == "/metrics" }

        var probes: [[String: Any]] = routes.map { ["key": "route \($0.method) \($0.path)", "method": $0.method, "path": $0.path] }
        func probe(_ key: String, _ method: String, _ path: String, _ headers: [String: String] = [:], body: String? = nil) {
            var p: [String: Any] = ["key": key, "method": method, "path": path, "auth": true, "headers": headers]
            if let body { p["body"] = body }
            probes.append(p)
        }
        let form = ["Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"]
        probe("page_bad_value", "POST", "/score?lang=en", form, body: "enterprise_id=91370100MA3C5YQ12D&revenue_y1=lots")
        probe("page_wrong_type", "POST", "/score", ["Content-Type": "application/json"], body: "{}")
        probe("page_cross_site", "POST", "/score", ["Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "cross-site"], body: "a=1")
        probe("page_unknown_decision", "GET", "/decisions/999")
        probe("page_bad_decision", "GET", "/decisions/abc.xlsx")
        probe("api_bad_json", "POST", "/v1/score", ["Content-Type": "application/json"], body: #"{"enterprise_id": }"#)
        probe("api_wrong_method", "GET", "/v1/rank")
        probe("unknown_page_side", "GET", "/nothing/here")
        probe("unknown_api_side", "GET", "/v1/nothing")
        probe("page_path_other_method", "DELETE", "/")
        let probesFile = dir + "/probes.json"
        try JSONSerialization.data(withJSONObject: probes).write(to: URL(fileURLWithPath: probesFile))

        let server = try ServerProcess(["--model", model, "--audit", dir + "/audit.sqlite", "--tokens", tokens, "--as-of", "2026-06-30"], folder: dir)
        let report = try check(["forms", server.url, token, probesFile])
        server.stop()
        func answer(_ key: String) -> [String: Any] { report[key] as? [String: Any] ?? [:] }
        func isPage(_ a: [String: Any]) -> Bool { (a["type"] as? String)?.hasPrefix("text/html") == true && a["html_error"] as? Bool == true }
        func isJSON(_ a: [String: Any], _ status: Int) -> Bool {
            (a["type"] as? String)?.hasPrefix("application/json") == true && a["json_error_status"] as? Int == status
        }

        for route in routes {
            let a = answer("route \(route.method) \(route.path)")
            if route.path == "/healthz" {
                #expect(a["status"] as? Int == 200, "/healthz needs no token: \(a)")
                continue
            }
            if isAPI(route.path) {
                #expect(a["status"] as? Int == 401 && isJSON(a, 401), "\(route): the API refuses in JSON: \(a)")
            } else {
                #expect(a["status"] as? Int == 401 && isPage(a), "\(route): the page refuses with a page: \(a)")
            }
            // Programs are asked for a bearer token; outside /v1/ a browser also prompts (Basic).
            let challenges = a["challenges"] as? [String] ?? []
            #expect(challenges.first == "Bearer realm=\"finrec\"", "\(route): \(a)")
            #expect(challenges.contains("Basic realm=\"FinRec\", charset=\"UTF-8\"") == !route.path.hasPrefix("/v1/"), "\(route): \(a)")
        }
        for (key, status) in [("page_bad_value", 422), ("page_wrong_type", 415), ("page_cross_site", 403), ("page_unknown_decision", 404),
                              ("page_bad_decision", 404)] {
            #expect(answer(key)["status"] as? Int == status && isPage(answer(key)), "\(key): \(answer(key))")
        }
        for (key, status) in [("api_bad_json", 400), ("api_wrong_method", 405), ("unknown_page_side", 404), ("unknown_api_side", 404),
                              ("page_path_other_method", 404)] {
            #expect(answer(key)["status"] as? Int == status && isJSON(answer(key), status), "\(key): \(answer(key))")
        }
        #expect(answer("api_wrong_method")["allow"] as? String == "POST")
    }

    @Test("An Excel workbook uploaded on the page (made with openpyxl) is read as its CSV would be; over 100 applicants is refused")
    func excelUpload() throws {
        let dir = try folder()
        let db = dir + "/audit.sqlite", small = dir + "/thirty.csv", large = dir + "/many.csv"
        let lines = try String(contentsOfFile: root + "/Datasets/shandong-pool.csv", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        try (lines[0...30].joined(separator: "\n") + "\n").write(toFile: small, atomically: true, encoding: .utf8)
        try (lines[0...150].joined(separator: "\n") + "\n").write(toFile: large, atomically: true, encoding: .utf8)
        let server = try ServerProcess(["--model", model, "--audit", db], folder: dir)
        let ok = try check(["xlsx", server.url, small, dir + "/thirty.xlsx"])
        #expect(ok["status"] as? Int == 303 && ok["enterprises"] as? Int == 30, "\(ok)")
        let refused = try check(["xlsx", server.url, large, dir + "/many.xlsx"])
        #expect(refused["status"] as? Int == 413, "\(refused)")

        // The decision the page shows is the CLI's document for the same rows.
        let id = Int64((ok["location"] as? String ?? "").split(separator: "/").last ?? "") ?? 0
        let entry = try AuditLog.read(path: db).first { $0.id == id }
        let served = try JSONValue.parse(entry?.result ?? "")
        let cli = try JSONValue.parse(try Score.parse([small, "--format", "json", "--model", model]).render(.json))
        #expect(served["enterprises"] == cli["enterprises"], "the workbook's rows score as the CSV's")
        server.stop()
    }
}

@Suite("finrec serve: the officer's page, used in a real browser")
struct DeskPageTests {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test("Fill the form, submit, read both ranked lists with reasons and blocking rules, print, upload, switch to English")
    func officerUsesThePage() throws {
        let dir = NSTemporaryDirectory() + "finrec-desk-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let model = root + "/Models/default-model.json", applicant = root + "/Datasets/applicants/provincial-srdi.json"
        let upload = dir + "/seven.csv"
        let lines = try String(contentsOfFile: root + "/Datasets/shandong-pool.csv", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        try (lines[0...7].joined(separator: "\n") + "\n").write(toFile: upload, atomically: true, encoding: .utf8)
        let server = try ServerProcess(["--model", model, "--audit", dir + "/audit.sqlite"], folder: dir)
        let report = try runPythonJSON(root: root, script: "Tests/Browser/check_desk.py", [server.url, applicant, upload, dir])
        server.stop()

        let form = report["form"] as? [String: Any] ?? [:]
        #expect(form["fields"] as? Int == EnterpriseSchema.schema.fields.count, "one input per schema field")
        #expect(form["scripts"] as? Int == 0 && form["inline_styles"] as? Int == 0, "no script, no inline style")
        #expect(form["stylesheet_applied"] as? String == "rgb(11, 79, 138)", "the stylesheet loads under the CSP")
        #expect((form["title"] as? String)?.contains("企业融资评估") == true)

        // The result is the CLI's assessment of the same applicant: same offers, same order, same statuses.
        let cli = try JSONValue.parse(try Score.parse([applicant, "--format", "json", "--model", model]).render())
        let expected = (cli["enterprises"]?.array?.first?["offers"]?.array ?? []).map { ($0["id"]?.string ?? "", $0["status"]?.string ?? "", $0["name_zh"]?.string ?? "") }
        let result = report["result"] as? [String: Any] ?? [:]
        let offers = result["offers"] as? [[String: Any]] ?? []
        #expect(offers.map { $0["id"] as? String ?? "" } == expected.map(\.0), "every offer, ranked as the CLI ranks them")
        #expect(offers.map { $0["status"] as? String ?? "" } == expected.map(\.1))
        #expect(offers.map { $0["name"] as? String ?? "" } == expected.map(\.2), "offers named in Chinese")
        #expect((result["url"] as? String)?.contains("/decisions/") == true)
        #expect((result["title"] as? String)?.contains("评估结果") == true)
        #expect(result["lists"] as? [String] == ["贷款产品", "上市路径", "资质升级", "供应链金融", "股权融资", "可享政策"])
        let modelled = Set((cli["enterprises"]?.array?.first?["offers"]?.array ?? []).compactMap { o in o["probability"]?.number != nil ? o["id"]?.string : nil })
        for o in offers where o["status"] as? String == "pass" {
            #expect((o["badge"] as? String) == "符合", "\(o)")
            if modelled.contains(o["id"] as? String ?? "") { #expect((o["text"] as? String)?.contains("95%区间") == true, "\(o)") }
        }
        // The cost column: each priced offer's rate after subsidies as the CLI reckons it, each policy's worth.
        let costs = (cli["enterprises"]?.array?.first?["offers"]?.array ?? []).map { o in
            (o["id"]?.string ?? "", o["cost"]?["effective_rate"]?.number, o["kind"]?.string ?? "", o["benefit"]?.number)
        }
        #expect(costs.contains { $0.1 != nil } && costs.contains { $0.3 != nil }, "the applicant has priced offers and a policy with a worth")
        for (id, rate, kind, benefit) in costs {
            let cell = offers.first { $0["id"] as? String == id }?["cost"] as? String ?? ""
            if let rate { #expect(cell.contains(Fixed.exact(rate * 100, digits: 2) + "%"), "\(id): \(cell)") }
            if kind == "policy", let benefit { #expect(cell.contains("可享 " + EligibilityResult.format(benefit, .money, .zh)), "\(id): \(cell)") }
        }
        // 专精特新贷 at 2.80% less 鲁科贷贴息's 40%: 1.68% (the applicant is on the 科技型中小企业 list).
        #expect((offers.first { $0["id"] as? String == "srdi_loan" }?["cost"] as? String)?.contains("1.68%") == true)
        for o in offers where o["status"] as? String == "fail" {
            let text = o["text"] as? String ?? ""
            #expect(o["badge"] as? String == "不符合" && text.contains("来源"), "a blocked offer shows its rule and source: \(text)")
        }
        #expect((result["download"] as? String)?.hasSuffix(".xlsx") == true)
        #expect((result["switch"] as? String)?.hasSuffix("/?lang=en") == true)

        let printed = report["print"] as? [String: Any] ?? [:]
        #expect(printed["bar_hidden"] as? Bool == true && printed["actions_hidden"] as? Bool == true, "the print stylesheet hides the navigation")
        let mistyped = report["mistyped"] as? [String: Any] ?? [:]
        #expect((mistyped["error"] as? String)?.contains("revenue_y1") == true, "\(mistyped)")
        #expect(mistyped["kept"] as? String == "很多", "what was typed stays in the form")
        #expect((report["upload"] as? [String: Any])?["applicants"] as? Int == 7)
        let english = report["english"] as? [String: Any] ?? [:]
        #expect(english["html_lang"] as? String == "en" && english["upload_button"] as? String == "Upload and assess")
        // The only browser error: the 422 of the mistyped form, which the page explains.
        let console = (report["console"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        #expect(console.allSatisfy { $0.contains("/score") && $0.contains("422") }, "\(console)")

        // Screenshots: not blank, the result taller than one screen.
        for (name, path) in report["screenshots"] as? [String: String] ?? [:] {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(data.count > 20_000, "\(name) screenshot has content")
        }
    }
}
