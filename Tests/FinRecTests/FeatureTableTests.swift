import FinRec
import Testing

@Suite("Feature tables for finrec predict")
struct FeatureTableTests {
    func read(_ text: String) throws -> FeatureTable {
        try FeatureTable.read(path: writeTemporary(text).path, featureNames: ["a", "b"])
    }

    @Test("Feature columns are read in the model's order, whatever the file's order")
    func columnOrder() throws {
        let table = try read("b,id,a,extra\n2,e1,1,z\n4.5,\"e,2\",-3e2,z\n")
        #expect(table.ids == ["e1", "e,2"])
        #expect(table.rows.storage == [1, 2, -300, 4.5])
        #expect(table.ignoredColumns == ["extra"])
    }

    @Test("Rows without an id column are named by their line")
    func numberedRows() throws {
        #expect(try read("a,b\n1,2\n3,4\n").ids == ["line 2", "line 3"])
    }

    @Test("Bad cells are refused with file, line, column and field", arguments: [
        ("a,b\n1,\n", ":2:2 (b): b (b) is required but empty"),
        ("a,b\n1,1,234\n", ":2: the row has 3 fields but the header has 2"),
        ("a,b\n1,1e309\n", ":2:2 (b): \"1e309\" is not a number"),
        ("a,b\n1,NaN\n", ":2:2 (b): \"NaN\" is not a number"),
        ("a,b\n1,5万\n", ":2:2 (b): \"5万\" is not a number (give the amount in 万元"),
        ("a\n1\n", ":1 (b): the header has no column for b (b), which is required"),
        ("a,b,a\n1,2,3\n", ":1:3 (a): columns 1 (\"a\") and 3 (\"a\") both name a (a)"),
        ("", ": the file is empty"),
    ])
    func badCells(text: String, expected: String) {
        do {
            _ = try read(text)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }
}
