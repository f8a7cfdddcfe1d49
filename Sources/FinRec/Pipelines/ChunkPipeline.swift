import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FinRecModel
import FinRecInference
import FinRecEvaluation
import FinRecReports
import FinRecExport
import FinRecSynthetic
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Reads an enterprise file on several threads while keeping file order where it matters.
///
/// The calling thread scans records (the one step that must be sequential); each chunk is then
/// decoded and transformed on a worker, with two ordered steps in between: the reader's in-order
/// checks (duplicate ids, rejects) and the caller's `consume`. At most `workers + 1` chunks are in
/// flight, so memory is bounded by the chunk size whatever the file size. Results equal a
/// one-thread read: every order-dependent step runs in file order.
package final class ChunkPipeline<Transformed: Sendable>: @unchecked Sendable {
    // @unchecked: `reader` is touched by the calling thread (nextPending) and, in file order, by
    // one worker at a time (finalize), which touch disjoint state; `consume` and the counters run
    // under the turn locks.
    private let reader: EnterpriseFileReader
    private let workers: Int
    private let transform: @Sendable (RecordChunk, _ firstRow: Int) -> Transformed
    private let consume: (Transformed) throws -> Void
    private let finalizeTurn = Turn(), consumeTurn = Turn()
    private let failure = Mutex<(index: Int, error: any Error)?>(nil)
    private var rowsFinalized = 0
    /// Rows scanned so far (calling thread).
    package private(set) var rowsScanned = 0

    /// - Parameters:
    ///   - transform: runs on workers, in any order; gets the chunk and the input position of its
    ///     first row.
    ///   - consume: runs in file order, one chunk at a time.
    package init(reader: EnterpriseFileReader, workers: Int,
                transform: @escaping @Sendable (RecordChunk, _ firstRow: Int) -> Transformed,
                consume: @escaping (Transformed) throws -> Void) {
        self.reader = reader
        self.workers = max(1, workers)
        self.transform = transform
        self.consume = consume
    }

    /// Reads the whole file; `progress` is called on the calling thread after each chunk is
    /// scanned. Throws the first error in file order.
    ///
    /// `shouldStop` is asked before each chunk is read; when it says yes the read ends with
    /// ``Interrupted`` once the chunks in flight are done.
    package func run(progress: (EnterpriseFileReader, _ rowsScanned: Int) -> Void = { _, _ in },
                    shouldStop: () -> Bool = { false }) throws {
        if workers == 1 {
            var first = 0
            while true {
                if shouldStop() { throw Interrupted() }
                guard let chunk = try reader.nextChunk() else { break }
                rowsScanned += chunk.rowCount
                try consume(transform(chunk, first))
                first += chunk.rowCount
                progress(reader, rowsScanned)
            }
            return
        }
        let group = DispatchGroup()
        let slots = DispatchSemaphore(value: workers + 1)
        var index = 0
        while true {
            slots.wait()
            if currentFailure() != nil { slots.signal(); break }
            if shouldStop() {
                record(index, Interrupted())
                slots.signal()
                break
            }
            let pending: EnterpriseFileReader.Pending?
            do {
                pending = try reader.nextPending()
            } catch {
                record(index, error)
                slots.signal()
                break
            }
            guard let pending else { slots.signal(); break }
            // A CSV chunk is counted when scanned; a JSON file's comes whole (ready).
            switch pending {
            case .scanned(let s): rowsScanned += s.rowCount
            case .ready(let chunk): rowsScanned += chunk.rowCount
            case .decoded: break
            }
            let i = index
            index += 1
            DispatchQueue.global().async(group: group) {
                self.work(i, pending)
                slots.signal()
            }
            progress(reader, rowsScanned)
        }
        group.wait()
        if let failure = currentFailure() { throw failure.error }
    }

    private func work(_ i: Int, _ pending: EnterpriseFileReader.Pending) {
        // A failure in an earlier chunk ends the read: skip the work but keep the turns moving.
        let decoded = failed(before: i) ? pending : reader.decode(pending)
        var chunk: RecordChunk?, first = 0
        finalizeTurn.run(i) {
            guard !failed(before: i) else { return }
            do {
                let c = try reader.finalize(decoded)
                first = rowsFinalized
                rowsFinalized += c.rowCount
                chunk = c
            } catch {
                record(i, error)
            }
        }
        let result = chunk.map { transform($0, first) }
        consumeTurn.run(i) {
            guard !failed(before: i), let result else { return }
            do { try consume(result) } catch { record(i, error) }
        }
    }

    private func currentFailure() -> (index: Int, error: any Error)? {
        failure.withLock { $0 }
    }

    private func failed(before i: Int) -> Bool {
        currentFailure().map { $0.index < i } ?? false
    }

    /// Keeps the failure of the earliest chunk.
    private func record(_ index: Int, _ error: any Error) {
        failure.withLock { failure in
            if failure == nil || index < failure!.index { failure = (index, error) }
        }
    }
}

/// Lets chunk i run its step only after chunks 0…i−1 ran theirs.
private final class Turn: @unchecked Sendable {
    // @unchecked: `next` is read and written only with `mutex` held.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var next = 0

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func run(_ i: Int, _ body: () -> Void) {
        pthread_mutex_lock(mutex)
        while next != i { pthread_cond_wait(condition, mutex) }
        pthread_mutex_unlock(mutex)
        body()
        pthread_mutex_lock(mutex)
        next += 1
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}
