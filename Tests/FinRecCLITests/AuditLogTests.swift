import ArgumentParser
import CXLSXWriter
import FinRec
@testable import FinRecDesk
@testable import FinRecServer
import Foundation
import Synchronization
import Testing

/// The audit log as an auditor tries it: the chain recomputed by an implementation of its own
/// (Tests/Serve/check_audit.py, from the rule README.md states), rows edited, deleted, swapped and
/// truncated through SQLite, pruning, backups, upgrades of old logs and damaged files.
@Suite("The audit log: hash chain, tampering found, prune, backup, upgrade, damaged files", .serialized)
struct AuditLogTests {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "finrec-audit-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func python(_ arguments: [String]) throws -> [String: Any] {
        try runPythonJSON(root: root, script: "Tests/Serve/check_audit.py", arguments)
    }

    /// A result document of some kilobytes that names `enterprise`.
    static func result(_ i: Int, enterprise: String) -> String {
        "{\"format\":\"finrec-score\",\"enterprises\":[{\"enterprise_id\":\"\(enterprise)\",\"n\":\(i),\"text\":\""
            + String(repeating: "专精特新贷 \(i) ", count: 50 + i % 7) + "\"}]}"
    }

    static func entry(_ i: Int, time: String = AuditEntry.timestamp(), client: String = "loan-system", route: String = "POST /v1/score") -> AuditEntry {
        AuditEntry(time: time, client: client, route: route, inputSHA256: SHA256.hex(Array("input \(i)".utf8)), modelSHA256: "m",
                   applicants: 1, result: result(i, enterprise: "91370100MA3C5YQ\(100 + i)"))
    }

    /// Printable text that zlib cannot shrink much (about 6.5 bits a character): row `i`'s is a
    /// window of one random block, at an offset of its own, so no two rows share a 32 KB window.
    static func noise(_ i: Int, bytes: Int) -> String {
        let start = (i * 7_919) % noiseBlock.count
        return String(decoding: (noiseBlock + noiseBlock)[start..<(start + min(bytes, noiseBlock.count))], as: UTF8.self)
    }

    static let noiseBlock: [UInt8] = {
        var generator = SplitMix64(seed: 11)
        return (0..<65_536).map { _ in UInt8(33 + generator.next() % 90) }
    }()

    /// Warnings the log gives, collected.
    final class Warnings: Sendable {
        let lines = Mutex<[String]>([])
        func add(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test("Rows committed from many tasks at once form one chain that an independent implementation recomputes; results read back as sent, stored deflated")
    func chain() async throws {
        let dir = try folder()
        let path = dir + "/audit.sqlite"
        let log = try AuditLog(path: path)
        let ids = try await withThrowingTaskGroup(of: (Int, Int64).self) { group in
            for i in 0..<40 { group.addTask { (i, try await log.record(Self.entry(i, client: i % 2 == 0 ? "a" : "b"))) } }
            return try await group.reduce(into: [Int: Int64]()) { $0[$1.0] = $1.1 }
        }
        #expect(Set(ids.values) == Set(1...40), "one row per decision, numbered without gaps")
        for (i, id) in ids { #expect(try log.entry(id: id)?.result == Self.result(i, enterprise: "91370100MA3C5YQ\(100 + i)")) }
        #expect(log.head?.id == 40)
        log.close()
        let report = try AuditLog.verify(path: path)
        #expect(report.failure == nil && report.rows == 40 && report.decisions == 40)
        #expect(report.head == (try AuditLog.head(path: path)))
        #expect(try python(["chain", path])["break"] is NSNull, "Python's own chain from the documented rule agrees")
        // Stored deflated (read with Python's zlib): the 40 results take less than a fifth of their text.
        let text = (0..<40).reduce(0) { $0 + Self.result($1, enterprise: "91370100MA3C5YQ\(100 + $1)").utf8.count }
        let stored = try python(["stored", path])
        #expect(stored["encodings"] as? [String] == ["deflate"] && stored["inflated_bytes"] as? Int == text, "\(stored)")
        #expect(stored["stored_bytes"] as? Int ?? .max < text / 5, "\(stored) for \(text) bytes of results")
    }

    @Test("Compressors kept between requests give the bytes of a fresh one, whatever they compressed before, from many tasks at once; zlib's own uncompress reads every one back")
    func keptCompressorsDeflateAsNew() async throws {
        // Inputs of every sort: empty, tiny, text that compresses, bytes that do not, a document.
        var rng = SystemRandomNumberGenerator()
        let noise = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let inputs: [[UInt8]] = [[], [0x41], Array("专精特新贷 little giant ".utf8), noise, Array(Self.result(7, enterprise: "91370100MA3C5YQ107").utf8),
                                 Array(String(repeating: "{\"offer\":\"srdi_loan\",\"status\":\"pass\"}", count: 2_000).utf8)]
        // zlib, not the library that compressed, is the reference reader.
        func inflated(_ bytes: [UInt8], size: Int) -> [UInt8]? {
            var length = uLongf(size)
            var out = [UInt8](repeating: 0, count: max(size, 1))
            let status = out.withUnsafeMutableBufferPointer { o in
                bytes.withUnsafeBufferPointer { i in uncompress(o.baseAddress, &length, i.baseAddress, uLong(i.count)) }
            }
            return status == Z_OK ? Array(out[0..<Int(length)]) : nil
        }
        let expected = inputs.map { Deflate.compress($0) }
        #expect(inputs.indices.allSatisfy { inflated(expected[$0], size: inputs[$0].count) == inputs[$0] })
        #expect(expected.indices.allSatisfy { Deflate.decompress(expected[$0]) == inputs[$0] })
        // Text compresses: the document to under a third, the repeated object to under a fiftieth.
        #expect(expected[4].count * 3 < inputs[4].count && expected[5].count * 50 < inputs[5].count)
        let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var wrong = 0
                    // Each task runs the inputs in its own order, so compressors pass between sizes and tasks.
                    for _ in 0..<20 {
                        for k in inputs.indices.shuffled() where Deflate.compress(inputs[k]) != expected[k] { wrong += 1 }
                    }
                    return wrong
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }

    @Test("Edited, deleted, swapped, forged and truncated rows: `finrec audit verify` exits 1 naming the row, as the independent check does; truncation needs the saved head")
    func tampering() async throws {
        let dir = try folder()
        let path = dir + "/audit.sqlite"
        let log = try AuditLog(path: path)
        for i in 0..<12 { _ = try await log.record(Self.entry(i)) }
        log.close()
        let r = try python(["tamper", ServerProcess.executable, path, dir])
        func outcome(_ key: String) -> (status: Int, err: String, python: Int?) {
            let o = r[key] as? [String: Any] ?? [:]
            return (o["status"] as? Int ?? -1, o["err"] as? String ?? "", o["python"] as? Int)
        }
        #expect(outcome("intact").status == 0 && r["intact_python"] is NSNull, "\(r["intact"] ?? "")")
        #expect(outcome("intact_with_head").status == 0)
        let mid = 6
        for (key, row, words) in [("edited_client", mid, "not as it was written"), ("edited_time", mid, "not as it was written"),
                                  ("edited_result", mid, "not as it was written"), ("deleted", mid, "missing"),
                                  ("deleted_first", 1, "no prune checkpoint"), ("swapped", mid, "rows swapped"),
                                  ("forged_hash", mid + 1, "not as it was written"), ("truncated_with_head", 11, "were removed")] {
            let o = outcome(key)
            #expect(o.status == 1 && o.err.contains("BROKEN at row \(row):") && o.err.contains(words), "\(key): \(o)")
            if key != "truncated_with_head" { #expect(o.python == row, "\(key): the independent chain breaks at the same row: \(o)") }
        }
        #expect(outcome("truncated").status == 0, "without a saved head, rows removed from the end leave a chain that holds")
    }

    @Test("Prune while the log is open: old rows go, a checkpoint row keeps the chain verifiable, writing goes on without warnings, the file shrinks; deleting the first kept row is found")
    func prune() async throws {
        let dir = try folder()
        let path = dir + "/audit.sqlite"
        let warnings = Warnings()
        let log = try AuditLog(path: path, warn: warnings.add)
        for i in 0..<30 { _ = try await log.record(Self.entry(i, time: "2024-0\(1 + i / 10)-15T10:00:00.000Z", client: i % 3 == 0 ? "a" : "b")) }
        for i in 30..<40 { _ = try await log.record(Self.entry(i, time: "2026-11-\(10 + i - 30)T10:00:00.000Z", route: "POST /v1/rank")) }
        let savedBefore = try #require(try AuditLog.head(path: path))
        let oldHead = try #require(try AuditLog.read(path: path, filter: AuditFilter(until: "2024-02-01")).last)

        // Filters, before pruning.
        #expect(try AuditLog.read(path: path, filter: AuditFilter(since: "2024-02-01", until: "2024-03-01")).map(\.id) == Array(11...20))
        #expect(try AuditLog.read(path: path, filter: AuditFilter(client: "a")).count == 10)
        #expect(try AuditLog.read(path: path, filter: AuditFilter(route: "POST /v1/rank")).count == 10)
        #expect(try AuditLog.read(path: path, filter: AuditFilter(enterprise: "91370100MA3C5YQ107")).map(\.id) == [8])
        #expect(try AuditLog.read(path: path, filter: AuditFilter(enterprise: "91370100MA3C5YQ10")).isEmpty, "a whole id, not a prefix")

        let pruned = try AuditLog.prune(path: path, before: "2024-03-01")
        #expect(pruned.range == 1...20 && pruned.decisions == 20 && pruned.checkpoint == 41)
        #expect(pruned.bytesAfter < pruned.bytesBefore, "\(pruned.bytesBefore) → \(pruned.bytesAfter)")
        // The open log chains on from the checkpoint, with no warning.
        for i in 40..<45 { _ = try await log.record(Self.entry(i)) }
        log.close()
        #expect(warnings.all.isEmpty, "\(warnings.all)")
        let report = try AuditLog.verify(path: path)
        #expect(report.failure == nil && report.first == 21 && report.rows == 26 && report.prunes == 1, "\(String(describing: report.failure))")
        #expect(try python(["chain", path])["break"] is NSNull)
        // A head saved before the prune: still in the log; a head the prune removed: vouched for by the checkpoint.
        #expect(try AuditLog.verify(path: path, saved: savedBefore).failure == nil)
        #expect(try AuditLog.verify(path: path, saved: AuditChain.Head(id: oldHead.id!, hash: oldHead.hash)).failure == nil)
        #expect(try AuditLog.read(path: path, filter: { var f = AuditFilter(); f.checkpoints = true; return f }()).contains { $0.kind == .prune })
        #expect(try AuditLog.read(path: path).allSatisfy { $0.kind == .decision })

        // Someone removes the first row kept as well: the checkpoint does not account for it.
        let after = try python(["sql", path, "DELETE FROM decisions WHERE id = 21"])
        #expect(after["break"] as? Int == 1)
        #expect(try AuditLog.verify(path: path).failure?.message.contains("no prune checkpoint accounts") == true)
    }

    @Test("A row the service wrote, deleted by another program while it runs, is reported in the service's log")
    func deletedUnderTheService() async throws {
        let dir = try folder()
        let path = dir + "/audit.sqlite"
        let warnings = Warnings()
        let log = try AuditLog(path: path, warn: warnings.add)
        for i in 0..<3 { _ = try await log.record(Self.entry(i)) }
        _ = try python(["sql", path, "DELETE FROM decisions WHERE id = 3"])
        _ = try await log.record(Self.entry(3))
        log.close()
        #expect(warnings.all.count == 1 && warnings.all.first?.contains("row 3") == true && warnings.all.first?.contains("deleted") == true, "\(warnings.all)")
    }

    @Test("A log from before the chain is upgraded when opened: its rows chained as they stand, said once, read back as before")
    func upgrade() async throws {
        let dir = try folder()
        let path = dir + "/audit.sqlite"
        let rows = (1...3).map { i in
            "INSERT INTO decisions (time, client, route, input_sha256, model_sha256, applicants, result) VALUES ('2026-11-0\(i)T08:00:00.000Z', 'local', 'POST /v1/score', 'i\(i)', 'm', 1, '{\"n\":\(i)}');"
        }.joined(separator: "\n")
        _ = try python(["sql", path, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE decisions (id INTEGER PRIMARY KEY, time TEXT NOT NULL, client TEXT NOT NULL, route TEXT NOT NULL,
                input_sha256 TEXT NOT NULL, model_sha256 TEXT NOT NULL, applicants INTEGER NOT NULL, result TEXT NOT NULL);
            CREATE INDEX decisions_time ON decisions(time);
            \(rows)
            """])
        #expect(try AuditLog.read(path: path).map(\.result) == ["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"], "read before the upgrade")
        #expect(try AuditLog.verify(path: path).failure?.message.contains("before the hash chain") == true)
        let warnings = Warnings()
        let log = try AuditLog(path: path, warn: warnings.add)
        _ = try await log.record(Self.entry(4))
        log.close()
        #expect(warnings.all.count == 1 && warnings.all[0].contains("3 earlier rows"), "\(warnings.all)")
        #expect(try AuditLog.verify(path: path).failure == nil)
        #expect(try python(["chain", path])["break"] is NSNull)
        #expect(try AuditLog.read(path: path).map(\.result).prefix(3) == ["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"])
    }

    @Test("A file that is not SQLite, a damaged one, or another program's database is refused, named, with what to do")
    func refused() throws {
        let dir = try folder()
        let garbage = dir + "/garbage.sqlite"
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: URL(fileURLWithPath: garbage))
        #expect { try AuditLog(path: garbage) } throws: { error in
            let message = "\(error)"
            return message.contains(garbage) && message.contains("cannot be opened") && message.contains("backup")
        }
        let other = dir + "/other.sqlite"
        _ = try python(["sql", other, "CREATE TABLE t (x INTEGER);"])
        #expect { try AuditLog(path: other) } throws: { "\($0)".contains("not a FinRec audit log") }

        // A log whose pages were overwritten in the middle: SQLite's check finds it.
        let damaged = dir + "/damaged.sqlite"
        let log = try AuditLog(path: damaged)
        log.close()
        _ = try python(["sql", damaged, (0..<200).map { "INSERT INTO decisions (time, client, route, input_sha256, model_sha256, applicants, result, hash) VALUES ('t', 'c', 'r', 'i', 'm', 1, randomblob(3000), 'h\($0)');" }.joined() + "PRAGMA wal_checkpoint(TRUNCATE);"])
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: damaged))
        try handle.seek(toOffset: 20 * 4096)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 3 * 4096))
        try handle.close()
        #expect { try AuditLog(path: damaged) } throws: { "\($0)".contains(damaged) && "\($0)".contains("Nothing was served") }

        // The service refuses to start on it, naming the file.
        let serve = try ServeCommandTests.run(ServerProcess.executable, ["serve", "--port", "0", "--audit", garbage,
                                                                         "--model", root + "/Models/default-model.json"])
        #expect(serve.status != 0 && serve.errors.contains(garbage) && serve.errors.contains("Nothing was served"), "\(serve)")
    }

    @Test("Backups while decisions are written are whole snapshots whose chain holds; SIGKILL during `finrec audit backup` leaves the log sound and the backup whole or absent")
    func backups() async throws {
        let dir = try folder()
        let path = dir + "/audit.sqlite"
        let log = try AuditLog(path: path)
        // Results that do not compress, so the log is large enough (about 40 MB) to kill a backup half-way.
        for i in 0..<1000 {
            _ = try await log.record(AuditEntry(time: AuditEntry.timestamp(), client: "c", route: "POST /v1/score", inputSHA256: String(i),
                                                modelSHA256: "m", applicants: 1, result: Self.noise(i, bytes: 45_000)))
        }
        // Backups taken while another task writes.
        let writer = Task {
            for i in 0..<300 { _ = try await log.record(Self.entry(i)) }
        }
        for k in 0..<3 {
            let report = try AuditLog.backup(path: path, to: dir + "/live-\(k).sqlite")
            #expect(report.failure == nil && report.rows >= 1000)
            #expect(try python(["chain", dir + "/live-\(k).sqlite"])["break"] is NSNull)
        }
        try await writer.value
        log.close()
        #expect(!FileManager.default.fileExists(atPath: dir + "/live-0.sqlite.partial"))

        // A pipe, a folder or a folder that is not there is refused before the copy, naming it;
        // the pipe stays a pipe and nothing is left beside it.
        let fifo = dir + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        for (target, says) in [(fifo, "is a device or a pipe, not a file"), (dir, "it is a folder"), (dir + "/nosuch/b.sqlite", "does not exist")] {
            #expect { _ = try AuditLog.backup(path: path, to: target) } throws: { error in "\(error)".contains(target) && "\(error)".contains(says) }
        }
        #expect(AtomicFileWriter.isStream(fifo), "still a pipe, not replaced by a file")
        #expect(!FileManager.default.fileExists(atPath: fifo + ".partial"))

        // A symbolic link stays a link: the file it points to (in another folder) is the backup.
        try FileManager.default.createDirectory(atPath: dir + "/elsewhere", withIntermediateDirectories: true)
        try Data("an older backup".utf8).write(to: URL(fileURLWithPath: dir + "/elsewhere/audit.sqlite"))
        try FileManager.default.createSymbolicLink(atPath: dir + "/linked.sqlite", withDestinationPath: dir + "/elsewhere/audit.sqlite")
        let linked = try AuditLog.backup(path: path, to: dir + "/linked.sqlite")
        #expect(linked.failure == nil && linked.rows >= 1300)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/linked.sqlite") == dir + "/elsewhere/audit.sqlite")
        #expect(try python(["chain", dir + "/elsewhere/audit.sqlite"])["break"] is NSNull)
        #expect(!FileManager.default.fileExists(atPath: dir + "/linked.sqlite.partial")
                && !FileManager.default.fileExists(atPath: dir + "/elsewhere/audit.sqlite.partial"))

        let r = try python(["backupkill", ServerProcess.executable, path, dir + "/killed", "6"])
        #expect(r["full_status"] as? Int == 0, "\(r)")
        #expect(r["log_verify"] as? Int == 0 && r["log_chain_break"] is NSNull)
        let runs = r["runs"] as? [[String: Any]] ?? []
        #expect(runs.count == 6)
        for run in runs {
            if run["exists"] as? Bool == true {
                #expect(run["integrity"] as? String == "ok" && run["chain_break"] is NSNull, "a backup that exists is whole: \(run)")
            }
        }
        #expect(runs.contains { $0["exists"] as? Bool == false && $0["killed"] as? Bool == true }, "some kills came before the end: \(r)")
    }

    @Test("The commands: export with filters (CSV with hashes, JSON), head and verify as an auditor runs them, prune refuses a future date and says what it removed")
    func commands() async throws {
        let dir = try folder()
        let path = dir + "/audit.sqlite"
        let log = try AuditLog(path: path)
        for i in 0..<6 { _ = try await log.record(Self.entry(i, time: "2026-0\(i + 1)-10T09:00:00.000Z", client: i < 3 ? "a" : "b")) }
        log.close()
        let csv = dir + "/out.csv"
        try AuditExportCommand.parse(["--audit", path, "--since", "2026-02-01", "--until", "2026-05-01", "--client", "b", "--output", csv]).run()
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "id,time,client,route,input_sha256,model_sha256,applicants,kind,hash,result")
        #expect(lines.dropFirst().map { $0.split(separator: ",").first.map(String.init) } == ["4"], "only b's April decision: \(lines)")
        let json = dir + "/out.json"
        try AuditExportCommand.parse(["--audit", path, "--enterprise", "91370100MA3C5YQ102", "--format", "json", "--output", json]).run()
        let rows = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [[String: Any]] ?? []
        #expect(rows.count == 1 && rows[0]["id"] as? Int == 3 && (rows[0]["hash"] as? String)?.count == 64)
        #expect(((rows[0]["result"] as? [String: Any])?["enterprises"] as? [[String: Any]])?.first?["enterprise_id"] as? String == "91370100MA3C5YQ102")

        let finrec = ServerProcess.executable
        let head = try ServeCommandTests.run(finrec, ["audit", "head", "--audit", path])
        #expect(head.status == 0 && AuditChain.Head(parsing: head.output)?.id == 6, "\(head)")
        let verified = try ServeCommandTests.run(finrec, ["audit", "verify", "--audit", path, "--head", head.output.trimmingCharacters(in: .whitespacesAndNewlines)])
        #expect(verified.status == 0 && verified.output.contains("the chain holds: 6 rows"), "\(verified)")
        let future = try ServeCommandTests.run(finrec, ["audit", "prune", "--audit", path, "--before", "2999-01-01"])
        #expect(future.status != 0 && future.errors.contains("in the future"), "\(future)")
        let pruned = try ServeCommandTests.run(finrec, ["audit", "prune", "--audit", path, "--before", "2026-03-01"])
        #expect(pruned.status == 0 && pruned.output.contains("removed rows 1–2 (2 decisions before 2026-03-01); checkpoint row 7"), "\(pruned)")
        let missing = try ServeCommandTests.run(finrec, ["audit", "verify", "--audit", dir + "/none.sqlite"])
        #expect(missing.status != 0 && missing.errors.contains("no audit log there"), "\(missing)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/none.sqlite"), "reading never creates a log")
    }
}
