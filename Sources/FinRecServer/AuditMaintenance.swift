package import FinRec
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Which rows `finrec audit` (and `GET /v1/decisions`) reads.
package struct AuditFilter: Sendable {
    /// At or after this date (YYYY-MM-DD, UTC) or timestamp.
    package var since: String?
    /// Before this date or timestamp (exclusive: `--since 2026-11-01 --until 2026-12-01` is November).
    package var until: String?
    package var client: String?
    /// A route exactly as logged, e.g. `POST /v1/score`.
    package var route: String?
    /// Rows whose result names this enterprise (its credit code or id as a whole token).
    package var enterprise: String?
    /// Checkpoints too, not decisions only.
    package var checkpoints = false
    /// At most this many rows, the newest; nil for all.
    package var limit: Int?

    package init(since: String? = nil, until: String? = nil, client: String? = nil, route: String? = nil, enterprise: String? = nil) {
        self.since = since
        self.until = until
        self.client = client
        self.route = route
        self.enterprise = enterprise
    }

    /// Whether `text` is a date (YYYY-MM-DD) or a timestamp starting with one, as `since`, `until`
    /// and `finrec audit prune --before` take them.
    package static func isDate(_ text: String) -> Bool { CivilDate(isoDate: String(text.prefix(10))) != nil }

    /// The SQL condition and its arguments for the columns SQLite can test.
    var sql: (String, StatementArguments) {
        var conditions: [String] = [], arguments: [(any DatabaseValueConvertible)?] = []
        if !checkpoints { conditions.append("kind = 'decision'") }
        if let since { conditions.append("time >= ?"); arguments.append(since) }
        if let until { conditions.append("time < ?"); arguments.append(until) }
        if let client { conditions.append("client = ?"); arguments.append(client) }
        if let route { conditions.append("route = ?"); arguments.append(route) }
        return (conditions.isEmpty ? "1" : conditions.joined(separator: " AND "), StatementArguments(arguments))
    }

    /// Whether `text` names `enterprise` as a whole token (not inside a longer id).
    static func names(_ text: String, _ enterprise: String) -> Bool {
        let haystack = Array(text.utf8), needle = Array(enterprise.utf8)
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        func isIdByte(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F }
        var i = 0
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0], haystack[i..<(i + needle.count)].elementsEqual(needle),
               i == 0 || !isIdByte(haystack[i - 1]), i + needle.count == haystack.count || !isIdByte(haystack[i + needle.count]) {
                return true
            }
            i += 1
        }
        return false
    }
}

/// What `finrec audit verify` found.
package struct AuditVerification: Sendable {
    package var rows = 0
    package var decisions = 0
    package var prunes = 0
    package var first: Int64?
    package var head: AuditChain.Head?
    /// The first row where the chain breaks, and why; nil when it holds.
    package var failure: (row: Int64, message: String)?
}

extension AuditLog {
    /// Opens an existing log for reading (never creates one).
    static func existing(_ path: String) throws -> DatabaseQueue {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ServiceError(.notFound, "\(path): no audit log there; `finrec serve --audit \(path)` creates it")
        }
        return try openChecked(path)
    }

    /// The rows `filter` selects, oldest first (the newest `limit` when it sets one).
    package static func read(path: String, filter: AuditFilter = AuditFilter()) throws -> [AuditEntry] {
        try read(try existing(path), filter: filter)
    }

    static func read(_ database: DatabaseQueue, filter: AuditFilter) throws -> [AuditEntry] {
        try database.read { db in
            // A log from before the chain has decisions only, and no kind to test.
            var filter = filter
            if try !columns(db).contains("kind") { filter.checkpoints = true }
            let (condition, arguments) = filter.sql
            var entries: [AuditEntry] = []
            let order = filter.limit == nil ? "ASC" : "DESC"
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM decisions WHERE \(condition) ORDER BY id \(order)", arguments: arguments)
            while let row = try cursor.next() {
                let entry = try StoredRow.entry(row)
                if let enterprise = filter.enterprise, !AuditFilter.names(entry.result, enterprise) { continue }
                entries.append(entry)
                if let limit = filter.limit, entries.count >= limit { break }
            }
            return filter.limit == nil ? entries : entries.reversed()
        }
    }

    /// The rows of this open log that `filter` selects (the service's `GET /v1/decisions`).
    package func entries(_ filter: AuditFilter) throws -> [AuditEntry] { try Self.read(reader, filter: filter) }

    /// The last row's id and hash; nil for an empty log.
    package static func head(path: String) throws -> AuditChain.Head? {
        try existing(path).read { try lastHead($0) }
    }

    // MARK: Verification

    /// Recomputes the chain from what is stored and names the first row where it breaks. With a
    /// `saved` head (from `finrec audit head` or the service's log), also checks that row is still
    /// there as it was, which finds rows removed from the end.
    package static func verify(path: String, saved: AuditChain.Head? = nil) throws -> AuditVerification {
        try verify(try existing(path), path: path, saved: saved)
    }

    /// The same on an open database; `path` names it in what it says.
    static func verify(_ database: DatabaseQueue, path: String, saved: AuditChain.Head? = nil) throws -> AuditVerification {
        try database.read { db in
            var report = AuditVerification()
            guard try columns(db).contains("hash") else {
                report.failure = (0, "this log is from before the hash chain; `finrec serve --audit \(path)` upgrades it (its rows are chained from then on)")
                return report
            }
            // Where a pruned start's chain goes on from: last pruned id → its hash.
            var anchors: [Int64: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, result FROM decisions WHERE kind = 'prune'") {
                if let json = try? JSONValue.parse(StoredRow.bytes(row["result"])), let last = json["last_id"]?.number, let hash = json["last_hash"]?.string {
                    anchors[Int64(last)] = hash
                }
            }
            var previous: AuditChain.Head?
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM decisions ORDER BY id")
            while let row = try cursor.next() {
                let id: Int64 = row["id"], stored: String = row["hash"]
                let content = StoredRow(row: row)
                let link: String
                if let previous {
                    if id != previous.id + 1 {
                        report.failure = (previous.id + 1, "row\(id - previous.id > 2 ? "s \(previous.id + 1)–\(id - 1) are" : " \(previous.id + 1) is") missing: row \(id) follows row \(previous.id) (deleted)")
                        return report
                    }
                    link = previous.hash
                } else if id == 1 {
                    link = AuditChain.genesis
                } else if let anchor = anchors[id - 1] {
                    link = anchor
                } else {
                    report.failure = (1, "the log starts at row \(id) and no prune checkpoint accounts for rows \(id == 2 ? "1" : "1–\(id - 1)"): they were deleted")
                    return report
                }
                if AuditChain.link(previous: link, id: id, content: content.digest()) != stored {
                    report.failure = (id, "row \(id) is not as it was written: its content, its hash or its place (rows swapped) was changed after it was committed")
                    return report
                }
                if content.encoding == "deflate" && Deflate.decompress(content.result) == nil {
                    report.failure = (id, "row \(id)'s result does not inflate although its hash holds: it was written damaged")
                    return report
                }
                report.rows += 1
                if content.kind == AuditEntry.Kind.prune.rawValue { report.prunes += 1 } else { report.decisions += 1 }
                if report.first == nil { report.first = id }
                previous = AuditChain.Head(id: id, hash: stored)
            }
            report.head = previous
            if let saved {
                if let row = try String.fetchOne(db, sql: "SELECT hash FROM decisions WHERE id = ?", arguments: [saved.id]) {
                    if row != saved.hash {
                        report.failure = (saved.id, "row \(saved.id) differs from the saved head (hash \(row.prefix(16))…, saved \(saved.hash.prefix(16))…): the log was rewritten from row \(saved.id) or before")
                    }
                } else if saved.id > previous?.id ?? 0 {
                    report.failure = ((previous?.id ?? 0) + 1, "the log ends at row \(previous?.id ?? 0) but the saved head is row \(saved.id): rows \((previous?.id ?? 0) + 1)–\(saved.id) were removed")
                } else if let first = report.first, saved.id < first, anchors.keys.contains(where: { $0 >= saved.id }) {
                    // Pruned since the head was saved: the checkpoint that removed it vouches for it.
                } else {
                    report.failure = (saved.id, "row \(saved.id) of the saved head is gone and no prune checkpoint removed it")
                }
            }
            return report
        }
    }

    // MARK: Pruning

    /// What `finrec audit prune` removed.
    package struct Pruned: Sendable {
        package var rows = 0
        package var decisions = 0
        package var range: ClosedRange<Int64>?
        package var checkpoint: Int64?
        package var bytesBefore = 0, bytesAfter = 0
    }

    /// Removes the rows before the first one at or after `before` (a prefix in id order, so the
    /// chain stays one run) and appends a checkpoint row, chained like any other, that records
    /// the range removed and the hash of its last row, from which the first row kept goes on.
    /// Safe while the service runs (one transaction; its writer chains onto the checkpoint).
    package static func prune(path: String, before: String, now: String = AuditEntry.timestamp()) throws -> Pruned {
        let database = try existing(path)
        try prepareSchema(database, path: path, warn: { _ in })
        var pruned = Pruned()
        pruned.bytesBefore = fileBytes(path)
        try database.write { db in
            guard let last = try lastHead(db),
                  let first = try Int64.fetchOne(db, sql: "SELECT min(id) FROM decisions") else { return }
            let keep = try Int64.fetchOne(db, sql: "SELECT min(id) FROM decisions WHERE time >= ?", arguments: [before]) ?? (last.id + 1)
            let end = keep - 1
            guard end >= first, let anchor = try String.fetchOne(db, sql: "SELECT hash FROM decisions WHERE id = ?", arguments: [end]) else { return }
            pruned.rows = try Int.fetchOne(db, sql: "SELECT count(*) FROM decisions WHERE id <= ?", arguments: [end]) ?? 0
            pruned.decisions = try Int.fetchOne(db, sql: "SELECT count(*) FROM decisions WHERE id <= ? AND kind = 'decision'", arguments: [end]) ?? 0
            pruned.range = first...end
            try db.execute(sql: "DELETE FROM decisions WHERE id <= ?", arguments: [end])
            let record = JSONValue.object(JSONObject([
                ("format", .string("finrec-audit-prune")), ("before", .string(before)), ("first_id", .number(Double(first))),
                ("last_id", .number(Double(end))), ("rows", .number(Double(pruned.rows))), ("decisions", .number(Double(pruned.decisions))),
                ("last_hash", .string(anchor)),
            ])).compact()
            var row = StoredRow(AuditEntry(time: now, client: "finrec-audit-prune", route: "prune", inputSHA256: "", modelSHA256: "",
                                           applicants: pruned.decisions, result: "", kind: .prune))
            row.encoding = "text"
            row.result = Array(record.utf8)
            let id = last.id + 1
            try db.execute(sql: StoredRow.insert, arguments: row.arguments(id: id, hash: AuditChain.link(previous: last.hash, id: id, content: row.digest())))
            pruned.checkpoint = id
        }
        // Give the space back: free pages to the file system (logs made by this version), and
        // the write-ahead log into the database.
        try database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA incremental_vacuum")
            _ = try? db.checkpoint(.truncate)
        }
        pruned.bytesAfter = fileBytes(path)
        return pruned
    }

    static func fileBytes(_ path: String) -> Int {
        ["", "-wal"].reduce(0) { $0 + (((try? FileManager.default.attributesOfItem(atPath: path + $1))?[.size] as? Int) ?? 0) }
    }

    // MARK: Backup

    /// SQLite's online backup of the log into `output`, consistent while the service writes (one
    /// step inside one read transaction: a snapshot). Written beside `output` and renamed into
    /// place once synced and checked, so a backup killed half-way leaves no `output`, only a
    /// `.partial` file the next backup removes. A symbolic link at `output` stays: the file it
    /// points to is replaced, as every `--output` does.
    package static func backup(path: String, to output: String) throws -> AuditVerification {
        // A backup is a SQLite file: a device or a pipe there would be replaced by the rename
        // (as root, `/dev/null` itself), and a folder would fail only after the copy.
        if AtomicFileWriter.isStream(output) {
            throw ServiceError(.unprocessable, "\(output) is a device or a pipe, not a file; a backup is a SQLite file: give a file's path")
        }
        let target: String
        do { target = try AtomicFileWriter.checkTarget(output) } catch { throw ServiceError(.unprocessable, error.description) }
        let source = try existing(path)
        let partial = target + ".partial"
        unlink(partial)
        let verification: AuditVerification
        do {
            var configuration = Configuration()
            configuration.prepareDatabase { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            let destination = try DatabaseQueue(path: partial, configuration: configuration)
            try source.backup(to: destination)
            let check = try destination.read { try String.fetchAll($0, sql: "PRAGMA quick_check") }
            guard check == ["ok"] else { throw ServiceError(.internalError, "the backup \(partial) fails SQLite's quick_check (\(check.prefix(3)))") }
            verification = try verify(destination, path: partial)
            try destination.close()
            if let failure = verification.failure {
                throw ServiceError(.internalError, "the backup's chain breaks at row \(failure.row): \(failure.message); so does the log's: run `finrec audit verify --audit \(path)`")
            }
        } catch {
            unlink(partial)
            throw error
        }
        let descriptor = Glibc.open(partial, O_RDONLY)
        if descriptor >= 0 {
            _ = fsync(descriptor)
            Glibc.close(descriptor)
        }
        guard rename(partial, target) == 0 else {
            let code = errno
            unlink(partial)
            throw ServiceError(.internalError, "cannot rename the backup into \(output) (\(String(cString: strerror(code))))")
        }
        AtomicFileWriter.syncFolder(of: target)
        return verification
    }
}

/// The audit log's rows as `finrec audit` and `GET /v1/decisions` give them.
package enum AuditExport {
    package enum Format: String, Sendable, CaseIterable { case csv, json }

    /// The CSV's columns.
    package static let columns = ["id", "time", "client", "route", "input_sha256", "model_sha256", "applicants", "kind", "hash", "result"]

    /// One row as JSON; the result as its document when it is JSON.
    package static func json(_ e: AuditEntry) -> JSONValue {
        .object(JSONObject([("id", .number(Double(e.id ?? 0))), ("time", .string(e.time)), ("client", .string(e.client)),
                            ("route", .string(e.route)), ("input_sha256", .string(e.inputSHA256)), ("model_sha256", .string(e.modelSHA256)),
                            ("applicants", .number(Double(e.applicants))), ("kind", .string(e.kind.rawValue)), ("hash", .string(e.hash)),
                            ("result", (try? JSONValue.parse(e.result)) ?? .string(e.result))]))
    }

    /// CSV (one line per row; `excel`: with a byte-order mark) or a pretty JSON array.
    package static func render(_ entries: [AuditEntry], format: Format, excel: Bool) -> String {
        switch format {
        case .csv:
            return (excel ? CSVField.byteOrderMark : "") + columns.joined(separator: ",") + "\n" + entries.map { e in
                [String(e.id ?? 0), e.time, e.client, e.route, e.inputSHA256, e.modelSHA256, String(e.applicants), e.kind.rawValue, e.hash, e.result]
                    .map(CSVField.escape).joined(separator: ",")
            }.joined(separator: "\n") + (entries.isEmpty ? "" : "\n")
        case .json:
            return JSONValue.array(entries.map(json)).prettyPrinted()
        }
    }
}
