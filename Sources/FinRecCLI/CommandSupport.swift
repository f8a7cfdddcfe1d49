import ArgumentParser
import FinRec
import Foundation

// What the subcommands share: option groups, the default model's location, standard error.

/// Flags every computing subcommand shares.
struct RuntimeOptions: ParsableArguments {
    @Option(name: .long, help: "Worker threads (default: all available cores). OpenBLAS itself runs one thread per worker.")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("Please give --threads a whole number of at least 1, or leave it out to use every core.")
        }
    }

    var policy: ThreadPolicy {
        threads.map { ThreadPolicy(workers: $0) } ?? .allCores
    }
}

/// The assessment date of the eligibility rules, shared by the commands that evaluate them.
struct AssessmentDateOption: ParsableArguments {
    @Option(name: .long, help: "Assessment date for the eligibility rules, YYYY-MM-DD (default: 30 June after the data's fiscal year 2025).")
    var asOf = "2026-06-30"

    func validate() throws {
        guard daysSinceEpoch(isoDate: asOf) != nil else { throw ValidationError("Please write --as-of as YYYY-MM-DD, e.g. 2026-06-30.") }
    }

    /// Days since 1970-01-01; valid after `validate()`.
    var day: Int { daysSinceEpoch(isoDate: asOf)! }
}

/// Days since 1970-01-01 of a YYYY-MM-DD date, or nil when it is not a calendar date.
func daysSinceEpoch(isoDate text: String) -> Int? {
    CivilDate(isoDate: text)?.daysSinceEpoch
}

/// Flags for commands that read enterprise files.
struct ReadingOptions: ParsableArguments {
    enum Policy: String, ExpressibleByArgument, CaseIterable { case fail, skip }

    @Option(name: .long, help: "On a bad row: fail (stop with its file, line and column) or skip (write it to --rejects and go on).")
    var onError: Policy = .fail

    @Option(name: .long, help: "Where --on-error skip writes rejected rows with their reasons (default: INPUT.rejects.csv).")
    var rejects: String?

    @Option(name: .long, help: "Rows per chunk (default 32768; 1024 for score --format csv, whose rows cost more).")
    var chunkRows: Int?

    @Flag(name: .long, help: "Do not check that each enterprise id appears once (the check keeps about 27 bytes per row in memory).")
    var noDuplicateCheck = false

    func validate() throws {
        if let chunkRows, chunkRows < 1 { throw ValidationError("Please give --chunk-rows a whole number of at least 1.") }
        if rejects != nil && onError == .fail {
            throw ValidationError("--rejects goes with --on-error skip.")
        }
    }

    /// - Parameter defaultChunkRows: rows per chunk unless --chunk-rows says otherwise (nil: the
    ///   reader's default).
    func readerOptions(for input: String, defaultChunkRows: Int? = nil) -> ReaderOptions {
        var options = ReaderOptions()
        if let rows = chunkRows ?? defaultChunkRows { options.chunkRows = rows }
        options.detectDuplicateIds = !noDuplicateCheck
        if onError == .skip { options.policy = .skip(rejectsPath: rejects ?? input + ".rejects.csv") }
        return options
    }
}

/// `--lang zh|en`, shared by score and rank.
enum LanguageOption: String, ExpressibleByArgument, CaseIterable {
    case zh, en
    var language: Language { self == .zh ? .zh : .en }
}

/// Where the shipped model is found when `--model` is left out.
enum DefaultModel {
    static let relativePath = "Models/default-model.json"

    static func resolve(_ given: String?) throws -> String {
        if let given { return given }
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["FINREC_MODEL"], !env.isEmpty { return env }
        candidates.append(relativePath)
        // .build/<config>/finrec → the package root is three folders up.
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(folder.appendingPathComponent(relativePath).path)
            folder = folder.deletingLastPathComponent()
        }
        if let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) { return found }
        throw ValidationError("No model given and none found at \(relativePath); pass --model PATH or set FINREC_MODEL.")
    }
}

/// Writes `message` and a line break to standard error.
func printToStandardError(_ message: String) {
    var stderr = StandardError()
    print(message, to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleWriter.writeStandardError(string)
    }
}

/// `--bands N`: score bands of about equal population (evaluate --gains, monitor, report).
struct BandsOption: ParsableArguments {
    @Option(name: .long, help: "Score bands (about equal population).")
    var bands = 10

    func validate() throws {
        guard (2...100).contains(bands) else { throw ValidationError("Please give --bands a whole number from 2 to 100.") }
    }
}

/// A report's text, written atomically to `output`, or to standard output without one.
func deliver(_ text: String, to output: String?) throws {
    if let output {
        try AtomicFileWriter.write(Array(text.utf8), to: output)
    } else {
        print(text, terminator: "")
    }
}

/// Whether an output file's name asks for JSON (when no --format is given).
func namesJSON(_ output: String?) -> Bool { output?.hasSuffix(".json") == true }
