import FinRec
import Testing

@Suite("Duplicate-id set")
struct IdSetTests {
    @Test("Batches find the duplicates a Set finds: credit codes and other ids, nil rows, single inserts between, across table growth")
    func batchesAgainstSet() {
        var random = SplitMix64(seed: 31)
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        // 40,000 distinct-looking credit codes (packed) and 4,000 other ids (kept as Strings),
        // drawn with replacement so that about half the draws repeat an earlier one.
        var pool = (0..<40_000).map { _ in String((0..<18).map { _ in alphabet[Int(random.next() % 31)] }) }
        pool += (0..<4_000).map { "客户-\($0)" }
        var ids = IdSet(), reference = Set<String>()
        var batches = 0, duplicates = 0
        while batches < 60 {
            batches += 1
            if random.next() % 4 == 0 {
                let id = pool[Int(random.next() % UInt64(pool.count))]
                #expect(ids.insert(id) == reference.insert(id).inserted, "\(id)")
                continue
            }
            let count = [0, 1, 7, 16, 17, 1_000, 9_000][Int(random.next() % 7)]
            let batch: [String?] = (0..<count).map { _ in random.next() % 10 == 0 ? nil : pool[Int(random.next() % UInt64(pool.count))] }
            var found: [Int] = []
            ids.insertAll(count: count, id: { batch[$0] }) { found.append($0) }
            var expected: [Int] = []
            for (r, id) in batch.enumerated() {
                if let id, !reference.insert(id).inserted { expected.append(r) }
            }
            #expect(found.sorted() == expected, "batch \(batches) of \(count)")
            duplicates += expected.count
        }
        #expect(duplicates > 10_000)
        #expect(reference.count > 20_000)
    }
}
