import FinRec
import Foundation
import Testing

@Suite("Enterprise JSON reader: object, array, JSON Lines")
struct JSONRecordReaderTests {
    let id0 = EnterpriseCSV.validIds[0], id1 = EnterpriseCSV.validIds[1]

    func read(_ text: String, options: ReaderOptions = ReaderOptions()) throws -> (RecordChunk, ReadReport) {
        try JSONRecordReader.parse(Array(text.utf8), path: "a.json", schema: EnterpriseSchema.schema, options: options)
    }

    func failure(_ text: String) -> String? {
        do {
            _ = try read(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("One applicant object with Chinese keys, strings and JSON numbers")
    func singleObject() throws {
        let (chunk, report) = try read("""
            {"统一社会信用代码": "\(id0)", "营业收入": 12000, "研发费用": "600", "资质等级": "小巨人",
             "高新技术企业": true, "细分市场占有率": "15%", "客户经理": "王明", "net_profit_y1": null}
            """)
        #expect(chunk.rowCount == 1 && report.rowsAccepted == 1)
        #expect(chunk.numeric("revenue_y1")[0] == 12000 && chunk.numeric("rd_expense_y1")[0] == 600)
        #expect(chunk.numeric("certification_tier")[0] == 3)
        #expect(chunk.numeric("high_tech_enterprise")[0] == 1)
        #expect(chunk.numeric("niche_market_share")[0].map { abs($0 - 0.15) < 1e-15 } == true)
        #expect(chunk.numeric("net_profit_y1")[0] == nil)
        #expect(report.unknownColumns == ["客户经理"] && chunk.extra(0).values == ["王明"])
    }

    @Test("An array and the same records as JSON Lines read the same")
    func arrayAndLines() throws {
        let a = "{\"enterprise_id\": \"\(id0)\", \"revenue_y1\": 1}"
        let b = "{\"enterprise_id\": \"\(id1)\", \"revenue_y1\": 2}"
        let (array, _) = try read("[\(a),\n\(b)]")
        let (lines, _) = try read("\(a)\n\n\(b)\n")
        #expect(array.ids == [id0, id1] && lines.ids == [id0, id1])
        #expect(array.numeric("revenue_y1") == lines.numeric("revenue_y1"))
        #expect(lines.lines == [1, 3])
    }

    @Test("Errors name the record and the field", arguments: [
        ("[{\"enterprise_id\": \"E1\"}]", "record 1: \"E1\" is not a valid unified social credit code"),
        ("{\"enterprise_id\": \"91370100MA3C5YQ12D\", \"employees\": 1.5}", "(employees): 1.5 is not a whole number"),
        ("{\"enterprise_id\": \"91370100MA3C5YQ12D\", \"revenue_y1\": -3}", "(revenue_y1): -3.0 is outside the allowed range"),
        ("{\"enterprise_id\": \"91370100MA3C5YQ12D\", \"high_tech_enterprise\": 2}", "(high_tech_enterprise): 2.0 is not a yes/no value"),
        ("{\"enterprise_id\": \"91370100MA3C5YQ12D\", \"营业收入\": 1, \"revenue_y1\": 2}", "both name revenue_y1"),
        ("{\"enterprise_id\": \"91370100MA3C5YQ12D\"}\n{\"enterprise_id\": 5}", "a.json:2 (enterprise_id): a number is not an 18-character"),
        ("{\"enterprise_id\": \"91370100MA3C5YQ12D\"}\n{\"enterprise_id\": \"91370100MA3C5YQ12D\"}", "a.json:2 (enterprise_id): the id 91370100MA3C5YQ12D appears in an earlier record"),
        ("{\"enterprise_id\": \"91370100MA3C5YQ12D\"}\n{oops}", "a.json:2:2: expected a member name"),
        ("{\"enterprise_id\": ", "a.json:1:19: the file ends where a value was expected"),
        ("[1, 2]", "record 1: expected an object"),
        ("\"x\"", "expected an applicant object"),
    ])
    func errors(text: String, expected: String) throws {
        let message = try #require(failure(text))
        #expect(message.contains(expected), "\(message)")
    }
}
