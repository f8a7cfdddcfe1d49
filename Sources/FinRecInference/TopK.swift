package import FinRecBase
import FinRecRecords
import FinRecLinear
package import FinRecFeatures
package import FinRecCatalog
import FinRecModel

/// The `capacity` best items seen so far under a strict total order: a binary heap whose root is
/// the worst item kept, so a newcomer is compared with one item and most are turned away at once.
///
/// Invariants (``checkInvariants()``, run after every insertion in debug builds while the heap
/// holds at most 256 items, so a test's larger lists do not turn quadratic): at most `capacity`
/// items; no parent ranks before its children, so the root is the worst item kept.
package struct TopK<Element> {
    package let capacity: Int
    private let before: @Sendable (Element, Element) -> Bool
    private var heap: [Element] = []

    /// - Parameter before: true when the first element ranks before (is better than) the second.
    package init(capacity: Int, by before: @escaping @Sendable (Element, Element) -> Bool) {
        precondition(capacity >= 0)
        self.capacity = capacity
        self.before = before
    }

    package var count: Int { heap.count }

    /// Whether an element would be kept (cheap check before building it).
    package func admits(_ better: (Element) -> Bool) -> Bool {
        capacity > 0 && (heap.count < capacity || better(heap[0]))
    }

    /// Keeps `e` if it ranks before the worst item kept (or there is room).
    /// - Complexity: O(log capacity); O(1) when `e` is turned away.
    package mutating func insert(_ e: Element) {
        guard capacity > 0 else { return }
        if heap.count < capacity {
            heap.append(e)
            siftUp(heap.count - 1)
        } else if before(e, heap[0]) {
            heap[0] = e
            siftDown(0)
        }
        #if DEBUG
        if heap.count <= 256 { checkInvariants() }
        #endif
    }

    /// Traps when an invariant does not hold: more than `capacity` items, or a parent that ranks
    /// before one of its children (as swift-collections' `_checkInvariants()`). O(count).
    package func checkInvariants() {
        precondition(heap.count <= capacity, "TopK holds \(heap.count) items, capacity \(capacity)")
        for child in heap.indices.dropFirst() {
            precondition(!before(heap[(child - 1) / 2], heap[child]), "TopK: item \(child) ranks after its parent")
        }
    }

    /// The kept elements, best first.
    /// - Complexity: O(count log count).
    package func sorted() -> [Element] { heap.sorted(by: before) }

    // The root is the element that ranks last: a child must never rank after its parent.
    private mutating func siftUp(_ i: Int) {
        var i = i
        while i > 0 {
            let parent = (i - 1) / 2
            guard before(heap[parent], heap[i]) else { return }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    private mutating func siftDown(_ i: Int) {
        var i = i
        while true {
            let l = 2 * i + 1, r = l + 1
            var worst = i
            if l < heap.count, before(heap[worst], heap[l]) { worst = l }
            if r < heap.count, before(heap[worst], heap[r]) { worst = r }
            if worst == i { return }
            heap.swapAt(i, worst)
            i = worst
        }
    }
}

extension TopK: Sendable where Element: Sendable {}
