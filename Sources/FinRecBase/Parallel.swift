import Dispatch
import FoundationEssentials

/// How many worker threads FinRec uses for one job.
///
/// FinRec owns its parallelism: it splits rows across `workers` threads and calls
/// OpenBLAS with one thread inside each, set explicitly once per process (see
/// ``BLASKernel/setLibraryThreads(_:)``). For the skinny products of scoring
/// (d ≤ a few hundred, K ≤ 16) this ran 1.7–2.0× the single-thread speed on two
/// cores, while OpenBLAS's own second thread was often slower than one.
public struct ThreadPolicy: Sendable, Equatable {
    /// Number of worker threads; at least 1.
    public let workers: Int

    public init(workers: Int) {
        precondition(workers >= 1, "ThreadPolicy needs at least one worker, got \(workers)")
        self.workers = workers
    }

    /// One worker per available core.
    public static var allCores: ThreadPolicy {
        ThreadPolicy(workers: max(1, ProcessInfo.processInfo.activeProcessorCount))
    }

    public static let singleThreaded = ThreadPolicy(workers: 1)

    /// Runs `body` over `0..<count` in parallel, split into at most `workers` contiguous
    /// ranges whose boundaries fall on multiples of `alignment`, and waits for all of them.
    /// Ranges are disjoint and cover `0..<count` in order.
    ///
    /// Aligned boundaries are what make results independent of the worker count: a kernel
    /// that processes fixed blocks of `alignment` items sees the same blocks whichever
    /// worker runs them.
    package func forEachRange(count: Int, alignment: Int, _ body: @Sendable (Range<Int>) -> Void) {
        precondition(alignment >= 1)
        guard count > 0 else { return }
        let blocks = (count + alignment - 1) / alignment
        let parts = max(1, min(workers, blocks))
        if parts == 1 {
            body(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let blockRange = Self.range(part: part, of: parts, count: blocks)
            body((blockRange.lowerBound * alignment)..<min(count, blockRange.upperBound * alignment))
        }
    }

    /// The `part`-th of `parts` near-equal contiguous ranges of `0..<count`.
    static func range(part: Int, of parts: Int, count: Int) -> Range<Int> {
        let base = count / parts, extra = count % parts
        let start = part * base + min(part, extra)
        return start..<(start + base + (part < extra ? 1 : 0))
    }
}

/// Slots that parallel workers fill, one each, read after they all finish.
package final class ParallelResults<T: Sendable>: @unchecked Sendable {
    // Raw storage, not an Array property: concurrent writes to distinct elements of an Array
    // held in a class would overlap exclusive accesses to the property itself. Each slot is
    // written by exactly one worker and read only after DispatchQueue.concurrentPerform returns.
    private let slots: UnsafeMutableBufferPointer<T?>

    package init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    package func set(_ i: Int, _ value: T) { slots[i] = value }
    package var values: [T] { slots.map { $0! } }
}
