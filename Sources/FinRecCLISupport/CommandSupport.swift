public import ArgumentParser
package import FinRec
import FoundationEssentials
import Synchronization

// What the subcommands of both executables (`finrec` and `finrec-desk`) share: option groups, the
// default model's location, standard error, the desk's commands as `finrec` lists them.

/// Flags every computing subcommand shares.
package struct RuntimeOptions: ParsableArguments {
    package init() {}

    @Option(name: .long, help: "Worker threads (default: all available cores). OpenBLAS itself runs one thread per worker.")
    package var threads: Int?

    package func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("Please give --threads a whole number of at least 1, or leave it out to use every core.")
        }
    }

    package var policy: ThreadPolicy {
        threads.map { ThreadPolicy(workers: $0) } ?? .allCores
    }
}

/// The assessment date of the eligibility rules, shared by the commands that evaluate them.
package struct AssessmentDateOption: ParsableArguments {
    package init() {}

    @Option(name: .long, help: "Assessment date for the eligibility rules, YYYY-MM-DD (default: 30 June after the data's fiscal year 2025).")
    package var asOf = "2026-06-30"

    package func validate() throws {
        guard daysSinceEpoch(isoDate: asOf) != nil else { throw ValidationError("Please write --as-of as YYYY-MM-DD, e.g. 2026-06-30.") }
    }

    /// Days since 1970-01-01; valid after `validate()`.
    package var day: Int { daysSinceEpoch(isoDate: asOf)! }
}

/// Days since 1970-01-01 of a YYYY-MM-DD date, or nil when it is not a calendar date.
package func daysSinceEpoch(isoDate text: String) -> Int? {
    CivilDate(isoDate: text)?.daysSinceEpoch
}

/// Flags for commands that read enterprise files.
package struct ReadingOptions: ParsableArguments {
    package init() {}

    package enum Policy: String, ExpressibleByArgument, CaseIterable { case fail, skip }

    @Option(name: .long, help: "On a bad row: fail (stop with its file, line and column) or skip (write it to --rejects and go on).")
    package var onError: Policy = .fail

    @Option(name: .long, help: "Where --on-error skip writes rejected rows with their reasons (default: INPUT.rejects.csv).")
    package var rejects: String?

    @Option(name: .long, help: "Rows per chunk (default 32768; 1024 for score --format csv, whose rows cost more).")
    package var chunkRows: Int?

    @Flag(name: .long, help: "Do not check that each enterprise id appears once (the check keeps about 27 bytes per row in memory).")
    package var noDuplicateCheck = false

    package func validate() throws {
        if let chunkRows, chunkRows < 1 { throw ValidationError("Please give --chunk-rows a whole number of at least 1.") }
        if rejects != nil && onError == .fail {
            throw ValidationError("--rejects goes with --on-error skip.")
        }
    }

    /// - Parameter defaultChunkRows: rows per chunk unless --chunk-rows says otherwise (nil: the
    ///   reader's default).
    package func readerOptions(for input: String, defaultChunkRows: Int? = nil) -> ReaderOptions {
        var options = ReaderOptions()
        if let rows = chunkRows ?? defaultChunkRows { options.chunkRows = rows }
        options.detectDuplicateIds = !noDuplicateCheck
        if onError == .skip { options.policy = .skip(rejectsPath: rejects ?? input + ".rejects.csv") }
        options.onEncoding = EncodingNotes.note
        return options
    }
}

/// The note on standard error for an input that was not UTF-8, once per file (a command that
/// reads a file twice, like train, says it once).
package enum EncodingNotes {
    private static let told = Mutex<Set<String>>([])

    package static let note: @Sendable (String, TextEncoding) -> Void = { input, encoding in
        guard let text = encoding.readNote, told.withLock({ $0.insert(input).inserted }) else { return }
        FileHandleWriter.writeStandardError("note: \(input): \(text)\n")
    }
}

/// `--lang zh|en`, shared by score and rank.
package enum LanguageOption: String, ExpressibleByArgument, CaseIterable {
    case zh, en
    package var language: Language { self == .zh ? .zh : .en }
}

/// Where the shipped model is found when `--model` is left out.
package enum DefaultModel {
    package static let relativePath = "Models/default-model.json"

    package static func resolve(_ given: String?) throws -> String {
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
package func printToStandardError(_ message: String) {
    var stderr = StandardError()
    print(message, to: &stderr)
}

package struct StandardError: TextOutputStream {
    package init() {}

    package mutating func write(_ string: String) {
        FileHandleWriter.writeStandardError(string)
    }
}

/// `--bands N`: score bands of about equal population (evaluate --gains, monitor, report).
package struct BandsOption: ParsableArguments {
    package init() {}

    @Option(name: .long, help: "Score bands (about equal population).")
    package var bands = 10

    package func validate() throws {
        guard (2...100).contains(bands) else { throw ValidationError("Please give --bands a whole number from 2 to 100.") }
    }
}

/// A report's text, written atomically to `output`, or to standard output without one.
package func deliver(_ text: String, to output: String?) throws {
    if let output {
        try AtomicFileWriter.write(Array(text.utf8), to: output)
    } else {
        print(text, terminator: "")
    }
}

/// Refuses each output path before the work: a file already there without `--force`, a folder,
/// or a folder that does not exist (a device or a pipe is written in place, not replaced).
package func checkOutputs(_ paths: [String], force: Bool) throws {
    for path in paths {
        if !force && AtomicFileWriter.replacesFile(path) { throw ValidationError("\(path) exists; pass --force to replace it.") }
        try AtomicFileWriter.checkTarget(path)
    }
}

/// Whether an output file's name asks for JSON (when no --format is given).
package func namesJSON(_ output: String?) -> Bool { output?.hasSuffix(".json") == true }

/// The officer's desk's commands. `finrec-desk` runs them (they link the HTTP server, SQLite and
/// the page's templates); `finrec` lists them in its help and hands them to `finrec-desk`, so that
/// the commands an officer runs once per applicant start without loading the service's libraries.
package enum DeskCommand: String, CaseIterable, Sendable {
    case serve, token, audit

    /// The one-line description both executables show.
    package var abstract: String {
        switch self {
        case .serve: "The officer's desk: a JSON API (/v1/score, /v1/rank, …) and a web page in Chinese, every decision in an audit log."
        case .token: "Make a bearer token for a client of `finrec serve`, with its roles: prints it once, stores only its SHA-256 in the token file."
        case .audit: "The decisions `finrec serve` committed, hash-chained: export, verify, head, prune, backup."
        }
    }

    /// The executable that runs these commands, built beside `finrec`.
    package static let executableName = "finrec-desk"
}

/// Runs a use case, with its errors as `finrec` reports them: a bad option, offer or condition as
/// a usage error (exit status 64, with the usage line), the rest as they are (status 1).
package func commandLineErrors<T>(_ work: () throws -> T) throws -> T {
    do {
        return try work()
    } catch let error as UseCaseError {
        switch error {
        case .option, .offer, .condition, .date: throw ValidationError(error.message(.commandLine))
        case .tooManyApplicants, .noApplicant: throw error
        }
    }
}

// The documents' own format types are the `--format` values: one format type per document family.
extension EvaluationDocument.Format: ExpressibleByArgument {}
extension MonitorDocument.Format: ExpressibleByArgument {}
extension BinningDocument.Format: ExpressibleByArgument {}
extension PredictionDocument.Format: ExpressibleByArgument {}
extension ScorecardDocument.Format: ExpressibleByArgument {}
extension RankDocument.Format: ExpressibleByArgument {}

extension ApplicantAssessment.Order: ExpressibleByArgument {}

extension ScoreOptions.LoanPrimeRate: ExpressibleByArgument {
    package init?(argument: String) { self.init(parsing: argument) }
}
