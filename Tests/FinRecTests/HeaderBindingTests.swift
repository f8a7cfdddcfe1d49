import FinRec
import Testing

@Suite("CSV header binding: columns to schema fields")
struct HeaderBindingTests {
    let schema = EnterpriseSchema.schema

    @Test("English, Chinese and alias spellings in any order bind to their fields; unknown columns are kept in order; empty names ignored")
    func bindsEverySpelling() throws {
        let header = ["营业收入（最近一年）", "note", "id", "", "rd_expense_y1", "remark"]
        let b = try HeaderBinding(header: header, schema: schema, path: "p.csv", line: 1, detectDuplicateIds: true)
        let revenue = try #require(schema.index(of: "revenue_y1")), id = try #require(schema.index(of: "enterprise_id"))
        let rd = try #require(schema.index(of: "rd_expense_y1"))
        #expect(b.headerColumn == ["revenue_y1": 0, "enterprise_id": 2, "rd_expense_y1": 4])
        #expect(b.extraNames == ["note", "remark"])
        #expect(b.plans[1] == .extra(0) && b.plans[5] == .extra(1) && b.plans[3] == .ignored && b.plans[2] == .text(field: id))
        for (c, field) in [(0, revenue), (4, rd)] {
            guard case .number(let f, _, _, _, let integer) = b.plans[c] else { Issue.record("column \(c): \(b.plans[c])"); continue }
            #expect(f == field && !integer)
        }
        // Every schema field without a column is absent, and no bound one is.
        #expect(Set(b.absentFields) == Set(schema.fields.map(\.name)).subtracting(["revenue_y1", "enterprise_id", "rd_expense_y1"]))
        #expect(b.idIndex == id)
    }

    @Test("A field named twice (in two spellings), an unknown column named twice, or a missing required field is refused, naming the columns")
    func refusals() {
        func message(_ header: [String]) -> String? {
            do {
                _ = try HeaderBinding(header: header, schema: schema, path: "p.csv", line: 1, detectDuplicateIds: true)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(message(["id", "revenue_y1", "营业收入（最近一年）"])?.contains("columns 2 (\"revenue_y1\") and 3 (\"营业收入（最近一年）\") both name revenue_y1") == true)
        #expect(message(["id", "x", "x"])?.contains("the column \"x\" appears twice") == true)
        #expect(message(["revenue_y1"])?.contains("no column for enterprise_id") == true)
    }
}
