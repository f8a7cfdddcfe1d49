import FinRec
@testable import FinRecServer
import Foundation
import Testing

@Suite("The audit log's checkpointer")
struct AuditCheckpointTests {
    @Test("The write-ahead log is copied into the database by the checkpointer while the log is open, and every decision reads back")
    func checkpointerCopiesTheLog() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("finrec-checkpoint-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/audit.sqlite"
        let log = try AuditLog(path: path)
        // 150 decisions of 45 KB that deflate to about 37 KB each: past the checkpointer's 4 MiB threshold.
        var ids: [Int64] = []
        for i in 0..<150 {
            ids.append(try await log.record(AuditEntry(time: AuditEntry.timestamp(), client: "test", route: "POST /v1/score",
                                                       inputSHA256: String(i), modelSHA256: "m", applicants: 1,
                                                       result: AuditLogTests.noise(i, bytes: 45_000))))
        }
        // The writer commits into the WAL and never checkpoints itself (wal_autocheckpoint = 0):
        // without the checkpointer the database file would keep its first pages until it closes.
        func databaseBytes() -> Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }
        var waited = 0
        while databaseBytes() < 4 << 20 && waited < 200 {
            try await Task.sleep(nanoseconds: 50_000_000)
            waited += 1
        }
        #expect(databaseBytes() >= 4 << 20, "the database file holds \(databaseBytes()) bytes after 150 decisions of 37 KB stored")
        for (i, id) in ids.enumerated() { #expect(try log.entry(id: id)?.result == AuditLogTests.noise(i, bytes: 45_000)) }
        log.close()
    }
}
