@testable import FinRecInference
import Testing

@Suite("TopK: a bounded heap against sorting everything")
struct TopKTests {
    @Test("The kept items are the best k of the stream, best first, and the heap's invariants hold after every insertion",
          arguments: [0, 1, 7, 100])
    func keepsTheBest(capacity: Int) {
        var rng = SystemRandomNumberGenerator()
        var heap = TopK<Int>(capacity: capacity, by: { $0 > $1 })
        var all: [Int] = []
        for _ in 0..<2_000 {
            let x = Int.random(in: -5_000...5_000, using: &rng)
            heap.insert(x)
            all.append(x)
            heap.checkInvariants()  // traps on a broken heap
            #expect(heap.count == min(all.count, capacity))
        }
        #expect(heap.sorted() == Array(all.sorted(by: >).prefix(capacity)))
    }
}
