// libFuzzer entry: the applicant JSON reader (object, array, JSON Lines).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    _ = try? JSONRecordReader.parse(Array(UnsafeBufferPointer(start: start, count: count)), path: "fuzz.json", schema: EnterpriseSchema.schema)
    return 0
}
