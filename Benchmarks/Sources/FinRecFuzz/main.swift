// A seeded random-mutation fuzzer for FinRec's input parsers (used where libFuzzer cannot link a
// SwiftPM library build). Each iteration takes a seed input from the corpus, mutates it (bit and
// byte flips, inserts of CSV/JSON/expression tokens, deletions, duplicated or spliced ranges) and
// runs one target on it. A target may refuse the input with an error; it must never crash or
// hang. Before each run the input sits in a buffer that a signal handler writes to CRASH_FILE on
// SIGSEGV, SIGILL, SIGTRAP, SIGBUS, SIGFPE or SIGABRT, so a crash leaves its reproducer behind.
//
// usage: finrec-fuzz TARGET CORPUS_DIR SECONDS SEED CRASH_FILE
//   TARGET: csv | json | expression | model

import FinRec
import Foundation

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 6, let seconds = Double(arguments[3]), let seed = UInt64(arguments[4]) else {
    FileHandle.standardError.write(Data("usage: finrec-fuzz csv|json|expression|model CORPUS_DIR SECONDS SEED CRASH_FILE\n".utf8))
    exit(2)
}
let target = arguments[1], corpusFolder = arguments[2], crashPath = arguments[5]

// MARK: Crash capture (async-signal-safe: raw buffer, pre-opened descriptor, write and _exit).

nonisolated(unsafe) let crashBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 24)
nonisolated(unsafe) var crashLength = 0
nonisolated(unsafe) let crashDescriptor = open(crashPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

func installCrashHandler() {
    for number in [SIGSEGV, SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGABRT] {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            var written = 0
            while written < crashLength {
                let n = write(crashDescriptor, crashBuffer + written, crashLength - written)
                if n <= 0 { break }
                written += n
            }
            _exit(70)
        }
        sigaction(number, &action, nil)
    }
}

// MARK: Targets

let schema = EnterpriseSchema.schema
let modelFile = NSTemporaryDirectory() + "finrec-fuzz-model-\(getpid()).json"
let sampleRow: RecordChunk = {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path + "/Datasets/applicants/little-giant.json"
    return try! EnterpriseFileReader(path: path).nextChunk()!
}()
let environment = ExpressionEnvironment(schema: schema)

/// Runs the target; true when it accepted the input (for the accepted share in the summary).
@discardableResult
func run(_ input: [UInt8], chunkRows: Int) -> Bool {
    switch target {
    case "csv":
        var options = ReaderOptions()
        options.chunkRows = chunkRows
        guard let reader = try? CSVRecordReader(bytes: input, name: "fuzz.csv", schema: schema, options: options) else { return false }
        return (try? reader.readAll()) != nil
    case "json":
        return (try? JSONRecordReader.parse(input, path: "fuzz.json", schema: schema)) != nil
    case "expression":
        let text = String(decoding: input, as: UTF8.self)
        guard let parsed = try? ExpressionParser.parse(text) else { return false }
        var accepted = false
        for boolean in [true, false] {
            if let compiled = try? CompiledExpression(parsed, in: environment, boolean: boolean) {
                _ = compiled.evaluate(sampleRow, parameters: ["as_of_date": 20_000])
                accepted = true
            }
        }
        return accepted
    case "model":
        FileManager.default.createFile(atPath: modelFile, contents: Data(input))
        let full = (try? TrainedModel.read(from: modelFile)) != nil
        let weights = (try? ModelFile.decode(input, path: "fuzz.json")) != nil
        return full || weights
    default:
        FileHandle.standardError.write(Data("unknown target \(target)\n".utf8))
        exit(2)
    }
}

// MARK: Mutation

let tokens: [[UInt8]] = [",", "\"", "\"\"", "\n", "\r\n", "\u{0}", "{", "}", "[", "]", ":", "-", ".", "e309", "1e-400", "NaN",
                         "9999999999999999999999", "-0", "&&", "||", "!", "(", ")", "'", "万", "—", "，", "（", "null", "true",
                         "\\u0000", "\\ud800", "format_version", "label_", "certification_tier", "log1p(", "if(", "/0"]
    .map { Array($0.utf8) } + [[0xFF], [0xC3], [0xE6, 0xB5], [0xBC, 0xC3]]

nonisolated(unsafe) var rng = SplitMix64(seed: seed)
func randomInt(_ n: Int) -> Int { n <= 1 ? 0 : Int(rng.next() % UInt64(n)) }

func mutate(_ input: [UInt8], _ other: [UInt8]) -> [UInt8] {
    var bytes = input
    for _ in 0..<(1 + randomInt(6)) {
        let at = randomInt(bytes.count + 1)
        switch randomInt(8) {
        case 0 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] ^= UInt8(1 << randomInt(8))
        case 1 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] = UInt8(randomInt(256))
        case 2: bytes.insert(contentsOf: tokens[randomInt(tokens.count)], at: at)
        case 3 where !bytes.isEmpty:
            let end = min(bytes.count, at + 1 + randomInt(32))
            bytes.removeSubrange(min(at, bytes.count)..<end)
        case 4 where !bytes.isEmpty:
            let start = randomInt(bytes.count), end = min(bytes.count, start + 1 + randomInt(256))
            bytes.insert(contentsOf: Array(bytes[start..<end]), at: at)
        case 5 where !other.isEmpty:
            let start = randomInt(other.count), end = min(other.count, start + 1 + randomInt(512))
            bytes.insert(contentsOf: Array(other[start..<end]), at: at)
        case 6 where !bytes.isEmpty:
            bytes.removeSubrange(min(at, bytes.count)...)  // truncate
        default:
            bytes.insert(contentsOf: Array(String(randomInt(100_000) - 50_000).utf8), at: at)
        }
    }
    return Array(bytes.prefix(1 << 24))
}

// MARK: Loop

let corpus: [[UInt8]] = ((try? FileManager.default.contentsOfDirectory(atPath: corpusFolder)) ?? []).sorted().compactMap {
    FileManager.default.contents(atPath: corpusFolder + "/" + $0).map(Array.init)
}
guard !corpus.isEmpty else {
    FileHandle.standardError.write(Data("no seed inputs in \(corpusFolder)\n".utf8))
    exit(2)
}
installCrashHandler()
let start = Date()
var executions = 0, accepted = 0
var pool = corpus
while Date().timeIntervalSince(start) < seconds {
    let input = mutate(pool[randomInt(pool.count)], pool[randomInt(pool.count)])
    input.withUnsafeBufferPointer { crashBuffer.update(from: $0.baseAddress!, count: $0.count) }
    crashLength = input.count
    let ok = run(input, chunkRows: 1 + randomInt(64))
    executions += 1
    // Keep some accepted mutants as further seeds, so mutations compound inside valid structure
    // (bounded pool); refused ones mostly fail early and teach little.
    if ok { accepted += 1 }
    if ok && randomInt(8) == 0 {
        if pool.count < 512 { pool.append(input) } else { pool[corpus.count + randomInt(pool.count - corpus.count)] = input }
    }
}
try? FileManager.default.removeItem(atPath: modelFile)
unlink(crashPath)
print("{\"target\": \"\(target)\", \"seconds\": \(Date().timeIntervalSince(start)), \"executions\": \(executions), \"accepted\": \(accepted), \"seeds\": \(corpus.count), \"crashes\": 0}")
