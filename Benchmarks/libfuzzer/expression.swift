// libFuzzer entry: the expression parser, compiler (as a number and as a condition) and
// evaluator, on one empty enterprise row.
import Foundation

let fuzzEnvironment = ExpressionEnvironment(schema: EnterpriseSchema.schema)
let fuzzRow: RecordChunk = {
    let header = EnterpriseSchema.schema.fields.map(\.name).joined(separator: ",")
    let row = "91370100MA3C5YQ12D,名称,济南,C35,2025,2009,little_giant,2027-12-31" + String(repeating: ",", count: EnterpriseSchema.schema.fields.count - 8)
    return try! CSVRecordReader(bytes: Array((header + "\n" + row + "\n").utf8), name: "row", schema: EnterpriseSchema.schema).readAll()[0]
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    guard let parsed = try? ExpressionParser.parse(text) else { return 0 }
    for boolean in [true, false] {
        if let compiled = try? CompiledExpression(parsed, in: fuzzEnvironment, boolean: boolean) {
            _ = compiled.evaluate(fuzzRow, parameters: ["as_of_date": 20_000])
        }
    }
    return 0
}
