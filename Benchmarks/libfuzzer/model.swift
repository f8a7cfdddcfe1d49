// libFuzzer entry: the model loader (weights, feature spec, statistics, catalog) and the
// weights-only decoder.
import Foundation

let fuzzModelPath = NSTemporaryDirectory() + "finrec-libfuzzer-model-\(ProcessInfo.processInfo.processIdentifier).json"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    _ = try? ModelFile.decode(bytes, path: "fuzz.json")
    FileManager.default.createFile(atPath: fuzzModelPath, contents: Data(bytes))
    _ = try? TrainedModel.read(from: fuzzModelPath)
    return 0
}
