package import Foundation
import FinRec
import GRDB

/// One row of the audit log: a decision the service gave (who asked, what they sent (its hash),
/// which model answered, and the answer itself), or a checkpoint `finrec audit prune` left.
package struct AuditEntry: Sendable, Equatable {
    /// What a row records.
    package enum Kind: String, Sendable, CaseIterable {
        /// A decision the service gave.
        case decision
        /// `finrec audit prune`: which rows were removed and the hash the chain goes on from.
        case prune
    }

    package var id: Int64?
    /// UTC, ISO 8601 with milliseconds.
    package var time: String
    /// The token's client name; `local` when the service runs without tokens on loopback.
    package var client: String
    /// The route or page action: `POST /v1/score`, `POST /v1/rank`, `POST /score` (the page), ….
    package var route: String
    package var inputSHA256: String
    package var modelSHA256: String
    package var applicants: Int
    /// The result document as sent (JSON for the API; the finrec-score JSON for the page and downloads).
    package var result: String
    package var kind: Kind
    /// The row's link in the chain (``AuditChain``); empty before it is written.
    package var hash: String

    package init(id: Int64? = nil, time: String, client: String, route: String, inputSHA256: String, modelSHA256: String,
                applicants: Int, result: String, kind: Kind = .decision, hash: String = "") {
        self.id = id
        self.time = time
        self.client = client
        self.route = route
        self.inputSHA256 = inputSHA256
        self.modelSHA256 = modelSHA256
        self.applicants = applicants
        self.result = result
        self.kind = kind
        self.hash = hash
    }

    /// Now, as the log writes it: UTC, milliseconds, `2026-11-30T10:47:04.123Z` (sorts as text).
    package static func timestamp(_ date: Date = Date()) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let day = Int(milliseconds / 86_400_000), within = Int(milliseconds % 86_400_000)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let ms = within % 1000
        return CivilDate(daysSinceEpoch: day).iso + "T" + two(within / 3_600_000) + ":" + two(within / 60_000 % 60) + ":"
            + two(within / 1000 % 60) + "." + (ms < 10 ? "00" : ms < 100 ? "0" : "") + "\(ms)Z"
    }
}

/// A row as SQLite stores it: the result deflated (or text, in rows written before compression),
/// and the content digest the chain links, computed off the writer's thread.
struct StoredRow: Sendable {
    var time, client, route, inputSHA256, modelSHA256: String
    var applicants: Int
    var kind: String
    var encoding: String
    var result: [UInt8]

    /// The row of `entry`; its result given as `bytes` when the caller has them (its `result` text
    /// is then not read).
    init(_ entry: AuditEntry, bytes: [UInt8]? = nil) {
        time = entry.time
        client = entry.client
        route = entry.route
        inputSHA256 = entry.inputSHA256
        modelSHA256 = entry.modelSHA256
        applicants = entry.applicants
        kind = entry.kind.rawValue
        encoding = "deflate"
        result = Deflate.compress(bytes ?? Array(entry.result.utf8))
    }

    init(row: Row) {
        time = row["time"]
        client = row["client"]
        route = row["route"]
        inputSHA256 = row["input_sha256"]
        modelSHA256 = row["model_sha256"]
        applicants = row["applicants"]
        // Logs from before the chain have neither column until `finrec serve` upgrades them.
        kind = (row["kind"] as String?) ?? AuditEntry.Kind.decision.rawValue
        encoding = (row["encoding"] as String?) ?? "text"
        result = Self.bytes(row["result"])
    }

    /// A stored result's bytes: text (rows from before compression) and blobs alike.
    static func bytes(_ value: DatabaseValue) -> [UInt8] {
        switch value.storage {
        case .blob(let data): Array(data)
        case .string(let text): Array(text.utf8)
        default: []
        }
    }

    /// The content digest the chain links (``AuditChain``).
    func digest() -> String {
        AuditChain.contentDigest(time: time, client: client, route: route, inputSHA256: inputSHA256, modelSHA256: modelSHA256,
                                 applicants: applicants, kind: kind, encoding: encoding, result: result)
    }

    /// The entry of a whole row read back (`SELECT *`).
    static func entry(_ row: Row) throws -> AuditEntry {
        try StoredRow(row: row).entry(id: row["id"], hash: (row["hash"] as String?) ?? "")
    }

    /// The entry with its result as text; throws when a deflated result does not inflate.
    func entry(id: Int64, hash: String) throws -> AuditEntry {
        let text: String
        switch encoding {
        case "deflate":
            guard let bytes = Deflate.decompress(result) else {
                throw ServiceError(.internalError, "row \(id): the stored result is not a whole zlib stream; run `finrec audit verify`")
            }
            text = String(decoding: bytes, as: UTF8.self)
        default: text = String(decoding: result, as: UTF8.self)
        }
        return AuditEntry(id: id, time: time, client: client, route: route, inputSHA256: inputSHA256, modelSHA256: modelSHA256,
                          applicants: applicants, result: text, kind: AuditEntry.Kind(rawValue: kind) ?? .decision, hash: hash)
    }

    static let insert = """
        INSERT INTO decisions (id, time, client, route, input_sha256, model_sha256, applicants, result, kind, encoding, hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    func arguments(id: Int64, hash: String) -> StatementArguments {
        [id, time, client, route, inputSHA256, modelSHA256, applicants, Data(result), kind, encoding, hash]
    }
}

/// The audit log: an SQLite database (WAL, synchronous FULL) of every decision served, each row
/// linked to the one before it by a hash chain (``AuditChain``).
///
/// A decision is committed before its response leaves: ``record(_:)`` returns once the
/// transaction holding it is on disk. Concurrent requests share transactions (group commit): one
/// writer thread takes every entry waiting, chains them onto the last row, inserts them in one
/// transaction and commits, so one fsync serves many requests under load while a lone request
/// waits for one commit only. The result is deflated and its content digest computed on the
/// request's own thread; the writer only links digests.
///
/// The write-ahead log is copied back into the database (checkpointed) by a thread of its own on a
/// connection of its own, not at the end of whichever commit crosses SQLite's threshold: a
/// checkpoint syncs the database file and would hold that commit's responses for milliseconds.
/// A passive checkpoint runs beside the writer; commits stay synchronous FULL in the WAL.
package final class AuditLog: @unchecked Sendable {
    package let path: String
    private let database: DatabaseQueue
    /// A second connection for reads (the page's decisions), so reads do not queue behind commits.
    let reader: DatabaseQueue
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var pending: [(row: StoredRow, digest: String, continuation: CheckedContinuation<Int64, any Error>)] = []
    private var stopping = false
    private var stopped = false
    /// The checkpointer's connection; bytes committed since the last checkpoint was asked for,
    /// and whether one is asked for (guarded by `condition`).
    private let checkpointer: DatabaseQueue
    private var sinceCheckpoint = 0
    private var checkpointDue = false
    private var checkpointerStopped = false
    /// The last row as this log last saw it committed: read at opening, then each row it writes
    /// (guarded by `condition`). The writer checks it is still there as it was.
    private var committedHead: AuditChain.Head?
    /// Told when the last row this log saw committed is no longer as it was (changed or deleted
    /// by another program), once per such finding.
    private let warn: @Sendable (String) -> Void
    /// Committed bytes after which the checkpointer is woken (SQLite's own threshold is 1,000
    /// pages of 4 KiB).
    static let checkpointBytes = 4 << 20
    /// The schema this code writes (`PRAGMA user_version`): 2 has the chain and compressed results.
    static let schemaVersion = 2

    /// Opens (or creates) the log at `path` and starts its writer. A file that is not a sound
    /// FinRec audit log (not SQLite, damaged, another program's database) is refused, named.
    /// A log from before the chain is upgraded: its rows are chained as they are now, which the
    /// chain cannot vouch for before this moment; `warn` is told how many.
    package init(path: String, warn: @escaping @Sendable (String) -> Void = { _ in }) throws {
        self.path = path
        self.warn = warn
        database = try Self.openChecked(path)
        try Self.prepareSchema(database, path: path, warn: warn)
        // The writer never checkpoints: the checkpointer does, beside it.
        try database.inDatabase { try $0.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        reader = try Self.open(path, readonly: true)
        checkpointer = try Self.open(path, readonly: false)
        committedHead = try database.read { try Self.lastHead($0) }
        let thread = Thread { [unowned self] in self.writeLoop() }
        thread.name = "finrec-audit"
        thread.start()
        let checkpoints = Thread { [unowned self] in self.checkpointLoop() }
        checkpoints.name = "finrec-audit-checkpoint"
        checkpoints.start()
    }

    /// The last row's id and hash as last committed; nil for an empty log.
    package var head: AuditChain.Head? {
        condition.lock()
        defer { condition.unlock() }
        return committedHead
    }

    /// Checkpoints (passive: it never waits for the writer) whenever the writer asks, until the
    /// log closes.
    private func checkpointLoop() {
        while true {
            condition.lock()
            while !checkpointDue && !stopping { condition.wait() }
            let stop = stopping
            checkpointDue = false
            condition.unlock()
            if stop { break }
            // A failed checkpoint leaves the frames in the WAL, where they are as durable; the
            // next one (or closing the database) copies them.
            _ = try? checkpointer.writeWithoutTransaction { try $0.checkpoint(.passive) }
        }
        condition.lock()
        checkpointerStopped = true
        condition.broadcast()
        condition.unlock()
    }

    static func open(_ path: String, readonly: Bool) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = readonly
        if !readonly { configuration.journalMode = .wal }
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // FULL: a committed decision survives a power cut, not only a crash of the process.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Opens the log for writing, refusing with the file named a file that is not SQLite or that
    /// SQLite finds damaged (`PRAGMA quick_check`).
    static func openChecked(_ path: String) throws -> DatabaseQueue {
        func refuse(_ problem: String) -> ServiceError {
            ServiceError(.unavailable, "the audit log \(path) \(problem). Nothing was served. Move the file aside and restore the last backup (`finrec audit backup` makes them), or start with a new --audit file")
        }
        let database: DatabaseQueue
        do {
            database = try open(path, readonly: false)
            let check = try database.read { try String.fetchAll($0, sql: "PRAGMA quick_check") }
            guard check == ["ok"] else { throw refuse("is damaged: SQLite's quick_check says \(check.prefix(3).joined(separator: "; "))") }
        } catch let error as ServiceError {
            throw error
        } catch let error as DatabaseError {
            throw refuse("cannot be opened as an SQLite database (\(error.message ?? "\(error.resultCode)"))")
        }
        return database
    }

    /// Creates the table in a new log (incremental vacuum, so a prune gives space back), checks
    /// an existing one is FinRec's, and upgrades a log from before the chain.
    static func prepareSchema(_ database: DatabaseQueue, path: String, warn: @Sendable (String) -> Void) throws {
        try database.writeWithoutTransaction { db in
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            if tables.isEmpty {
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                try db.inTransaction {
                    try db.execute(sql: """
                        CREATE TABLE decisions (
                            id INTEGER PRIMARY KEY,
                            time TEXT NOT NULL,
                            client TEXT NOT NULL,
                            route TEXT NOT NULL,
                            input_sha256 TEXT NOT NULL,
                            model_sha256 TEXT NOT NULL,
                            applicants INTEGER NOT NULL,
                            result BLOB NOT NULL,
                            kind TEXT NOT NULL DEFAULT 'decision',
                            encoding TEXT NOT NULL DEFAULT 'text',
                            hash TEXT NOT NULL
                        );
                        CREATE INDEX decisions_time ON decisions(time);
                        PRAGMA user_version = \(schemaVersion);
                        """)
                    return .commit
                }
                return
            }
            let columns = try Self.columns(db)
            let first = ["id", "time", "client", "route", "input_sha256", "model_sha256", "applicants", "result"]
            guard tables.contains("decisions"), columns.isSuperset(of: first) else {
                throw ServiceError(.unavailable, "the audit log \(path) is an SQLite database but not a FinRec audit log (it has no decisions table with the columns FinRec writes); give --audit a FinRec log or a new file")
            }
            guard !columns.contains("hash") else { return }
            // A log from before the chain: chain its rows as they stand.
            var rows = 0
            try db.inTransaction {
                try db.execute(sql: """
                    ALTER TABLE decisions ADD COLUMN kind TEXT NOT NULL DEFAULT 'decision';
                    ALTER TABLE decisions ADD COLUMN encoding TEXT NOT NULL DEFAULT 'text';
                    ALTER TABLE decisions ADD COLUMN hash TEXT NOT NULL DEFAULT '';
                    """)
                var previous = AuditChain.genesis
                var links: [(Int64, String)] = []
                let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM decisions ORDER BY id")
                while let row = try cursor.next() {
                    let id: Int64 = row["id"]
                    previous = AuditChain.link(previous: previous, id: id, content: StoredRow(row: row).digest())
                    links.append((id, previous))
                }
                let update = try db.makeStatement(sql: "UPDATE decisions SET hash = ? WHERE id = ?")
                for (id, hash) in links { try update.execute(arguments: [hash, id]) }
                try db.execute(sql: "PRAGMA user_version = \(schemaVersion)")
                rows = links.count
                return .commit
            }
            warn("the audit log \(path) was upgraded to the hash chain: its \(rows) earlier rows are chained as they stand now; the chain vouches for them from today, not before")
        }
    }

    /// The names of the decisions table's columns (none when there is no such table).
    static func columns(_ db: Database) throws -> Set<String> {
        // PRAGMA table_info, not GRDB's columns(in:), which throws for a missing table.
        Set(try Row.fetchAll(db, sql: "PRAGMA table_info(decisions)").map { $0["name"] as String })
    }

    /// The last row's id and hash, nil for an empty log.
    static func lastHead(_ db: Database) throws -> AuditChain.Head? {
        try Row.fetchOne(db, sql: "SELECT id, hash FROM decisions ORDER BY id DESC LIMIT 1").map { AuditChain.Head(id: $0["id"], hash: $0["hash"]) }
    }

    /// Commits `entry` and returns its row id; throws when the log cannot be written (the
    /// caller then sends no decision).
    package func record(_ entry: AuditEntry) async throws -> Int64 {
        try await record(StoredRow(entry))
    }

    /// Commits `entry` with the result as the bytes sent (the entry's `result` text unused).
    package func record(_ entry: AuditEntry, result bytes: [UInt8]) async throws -> Int64 {
        try await record(StoredRow(entry, bytes: bytes))
    }

    private func record(_ row: StoredRow) async throws -> Int64 {
        // Deflated (by the caller) and digested here, on the request's thread, not the writer's.
        let digest = row.digest()
        return try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            defer { condition.unlock() }
            guard !stopping else {
                continuation.resume(throwing: ServiceError(.unavailable, "the service is stopping; send the request again"))
                return
            }
            pending.append((row, digest, continuation))
            condition.broadcast()  // the writer and the checkpointer share the condition
        }
    }

    /// Commits what is waiting, then stops the writer.
    package func close() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped || !checkpointerStopped { condition.wait() }
        condition.unlock()
    }

    private func writeLoop() {
        while true {
            condition.lock()
            while pending.isEmpty && !stopping { condition.wait() }
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            let mine = committedHead
            if batch.isEmpty && stopping {
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            condition.unlock()
            do {
                let (ids, head, finding) = try database.write { db in
                    // The chain goes on from the last row committed, whoever wrote it (a prune
                    // checkpoint from `finrec audit prune` while serving is chained on).
                    let last = try Self.lastHead(db)
                    let finding = try mine.flatMap { try Self.changedOutside($0, db) }
                    var previous = last ?? AuditChain.Head(id: 0, hash: AuditChain.genesis)
                    let statement = try db.cachedStatement(sql: StoredRow.insert)
                    var ids: [Int64] = []
                    ids.reserveCapacity(batch.count)
                    for (row, digest, _) in batch {
                        let id = previous.id + 1
                        let hash = AuditChain.link(previous: previous.hash, id: id, content: digest)
                        try statement.execute(arguments: row.arguments(id: id, hash: hash))
                        previous = AuditChain.Head(id: id, hash: hash)
                        ids.append(id)
                    }
                    return (ids, previous, finding)
                }
                if let finding { warn(finding) }
                for ((_, _, continuation), id) in zip(batch, ids) { continuation.resume(returning: id) }
                condition.lock()
                committedHead = head
                sinceCheckpoint += batch.reduce(0) { $0 + $1.row.result.count + 512 }
                if sinceCheckpoint >= Self.checkpointBytes {
                    sinceCheckpoint = 0
                    checkpointDue = true
                    condition.broadcast()
                }
                condition.unlock()
            } catch {
                let failure = ServiceError(.unavailable, "the audit log \(path) cannot be written (\(error)); no decision was given. Free space on its volume (or fix what the error names) and send the request again")
                for (_, _, continuation) in batch { continuation.resume(throwing: failure) }
            }
        }
    }

    /// Whether the last row this log saw committed has been changed or deleted by someone else
    /// since: a sentence for the service's log, or nil. A prune checkpoint written after it explains its
    /// removal.
    static func changedOutside(_ mine: AuditChain.Head, _ db: Database) throws -> String? {
        if let hash = try String.fetchOne(db, sql: "SELECT hash FROM decisions WHERE id = ?", arguments: [mine.id]) {
            return hash == mine.hash ? nil : "AUDIT WARNING: row \(mine.id) of the audit log was changed by another program after it was committed (hash \(hash.prefix(12))…, committed \(mine.hash.prefix(12))…); run `finrec audit verify`"
        }
        let pruned = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM decisions WHERE kind = 'prune' AND id > ?)", arguments: [mine.id]) ?? false
        return pruned ? nil : "AUDIT WARNING: row \(mine.id) of the audit log, the last this service saw committed, was deleted by another program; run `finrec audit verify`"
    }
}

extension AuditLog {
    /// One row by its id (decisions and checkpoints), nil when there is none.
    package func entry(id: Int64) throws -> AuditEntry? {
        try reader.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM decisions WHERE id = ?", arguments: [id]).map(StoredRow.entry)
        }
    }
}
