// libFuzzer entry: the enterprise CSV reader (built with FinRec's sources into one module by
// Benchmarks/libfuzzer.sh). The first byte picks the chunk size, so chunk boundaries move.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    var options = ReaderOptions()
    options.chunkRows = 1 + Int(start[0] % 64)
    let bytes = Array(UnsafeBufferPointer(start: start + 1, count: count - 1))
    if let reader = try? CSVRecordReader(bytes: bytes, name: "fuzz.csv", schema: EnterpriseSchema.schema, options: options) {
        _ = try? reader.readAll()
    }
    return 0
}
