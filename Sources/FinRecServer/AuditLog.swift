package import Foundation
import FinRec
import GRDB

/// One decision the service gave: who asked, what they sent (its hash), which model answered,
/// and the answer itself.
package struct AuditEntry: Sendable, Equatable {
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

    package init(id: Int64? = nil, time: String, client: String, route: String, inputSHA256: String, modelSHA256: String,
                applicants: Int, result: String) {
        self.id = id
        self.time = time
        self.client = client
        self.route = route
        self.inputSHA256 = inputSHA256
        self.modelSHA256 = modelSHA256
        self.applicants = applicants
        self.result = result
    }

    init(row: Row) {
        self.init(id: row["id"], time: row["time"], client: row["client"], route: row["route"], inputSHA256: row["input_sha256"],
                  modelSHA256: row["model_sha256"], applicants: row["applicants"], result: row["result"])
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

/// The audit log: an SQLite database (WAL, synchronous FULL) of every decision served.
///
/// A decision is committed before its response leaves: ``record(_:)`` returns once the
/// transaction holding it is on disk. Concurrent requests share transactions (group commit): one
/// writer thread takes every entry waiting, inserts them in one transaction and commits, so one
/// fsync serves many requests under load while a lone request waits for one commit only.
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
    private var pending: [(AuditEntry, CheckedContinuation<Int64, any Error>)] = []
    private var stopping = false
    private var stopped = false
    /// The checkpointer's connection; bytes committed since the last checkpoint was asked for,
    /// and whether one is asked for (guarded by `condition`).
    private let checkpointer: DatabaseQueue
    private var sinceCheckpoint = 0
    private var checkpointDue = false
    private var checkpointerStopped = false
    /// Committed bytes after which the checkpointer is woken (SQLite's own threshold is 1,000
    /// pages of 4 KiB).
    static let checkpointBytes = 4 << 20

    /// Opens (or creates) the log at `path` and starts its writer.
    package init(path: String) throws {
        self.path = path
        database = try Self.open(path, readonly: false)
        try database.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS decisions (
                    id INTEGER PRIMARY KEY,
                    time TEXT NOT NULL,
                    client TEXT NOT NULL,
                    route TEXT NOT NULL,
                    input_sha256 TEXT NOT NULL,
                    model_sha256 TEXT NOT NULL,
                    applicants INTEGER NOT NULL,
                    result TEXT NOT NULL
                );
                CREATE INDEX IF NOT EXISTS decisions_time ON decisions(time);
                """)
        }
        // The writer never checkpoints: the checkpointer does, beside it.
        try database.inDatabase { try $0.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        reader = try Self.open(path, readonly: true)
        checkpointer = try Self.open(path, readonly: false)
        let thread = Thread { [unowned self] in self.writeLoop() }
        thread.name = "finrec-audit"
        thread.start()
        let checkpoints = Thread { [unowned self] in self.checkpointLoop() }
        checkpoints.name = "finrec-audit-checkpoint"
        checkpoints.start()
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

    /// Commits `entry` and returns its row id; throws when the log cannot be written (the
    /// caller then sends no decision).
    package func record(_ entry: AuditEntry) async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            defer { condition.unlock() }
            guard !stopping else {
                continuation.resume(throwing: ServiceError(.unavailable, "the service is stopping; send the request again"))
                return
            }
            pending.append((entry, continuation))
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
            if batch.isEmpty && stopping {
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            condition.unlock()
            do {
                let ids = try database.write { db in
                    let statement = try db.cachedStatement(sql: """
                        INSERT INTO decisions (time, client, route, input_sha256, model_sha256, applicants, result)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """)
                    return try batch.map { entry, _ in
                        try statement.execute(arguments: [entry.time, entry.client, entry.route, entry.inputSHA256, entry.modelSHA256,
                                                          entry.applicants, entry.result])
                        return db.lastInsertedRowID
                    }
                }
                for ((_, continuation), id) in zip(batch, ids) { continuation.resume(returning: id) }
                condition.lock()
                sinceCheckpoint += batch.reduce(0) { $0 + $1.0.result.utf8.count + 256 }
                if sinceCheckpoint >= Self.checkpointBytes {
                    sinceCheckpoint = 0
                    checkpointDue = true
                    condition.broadcast()
                }
                condition.unlock()
            } catch {
                let failure = ServiceError(.unavailable, "the audit log \(path) cannot be written (\(error)); no decision was given")
                for (_, continuation) in batch { continuation.resume(throwing: failure) }
            }
        }
    }

    // MARK: Reading

    /// The decisions at or after `since` (YYYY-MM-DD or a full timestamp), oldest first.
    package static func read(path: String, since: String?) throws -> [AuditEntry] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ServiceError(.notFound, "\(path): no audit log there; `finrec serve --audit \(path)` creates it")
        }
        let database = try open(path, readonly: false)
        return try database.read { db in
            let rows: [Row]
            if let since {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM decisions WHERE time >= ? ORDER BY id", arguments: [since])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM decisions ORDER BY id")
            }
            return rows.map(AuditEntry.init(row:))
        }
    }
}

extension AuditLog {
    /// One decision by its id, nil when there is none.
    package func entry(id: Int64) throws -> AuditEntry? {
        try reader.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM decisions WHERE id = ?", arguments: [id]).map(AuditEntry.init(row:))
        }
    }
}
