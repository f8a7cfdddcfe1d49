import FinRec
import Foundation
import Testing

@Suite("FeatureStore")
struct FeatureStoreTests {
    @Test("A mapped store holds what is written, like an in-memory one", arguments: [false, true])
    func roundTrip(mapped: Bool) throws {
        var rng = SplitMix64(seed: 3)
        let block = Matrix<Double>(rows: 300, columns: 7, elements: (0..<2_100).map { _ in rng.normal() })
        let store = mapped ? try FeatureStore(rows: 600, columns: 7, mappedIn: temporaryFolder()) : FeatureStore(rows: 600, columns: 7)
        #expect(store.isMapped == mapped)
        store.setRows(300, from: block)
        for i in 0..<300 {
            for j in 0..<7 {
                #expect(store[i, j] == 0)
                #expect(store[300 + i, j] == block[i, j])
            }
        }
    }

    @Test("A folder that does not exist is refused with its path")
    func missingFolder() {
        do {
            _ = try FeatureStore(rows: 10, columns: 2, mappedIn: "/nonexistent-finrec-folder")
            Issue.record("expected an error")
        } catch {
            #expect(error.path == "/nonexistent-finrec-folder")
        }
    }
}
