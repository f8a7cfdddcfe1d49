import ArgumentParser
import FinRecCLISupport
#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials

/// The officer's desk's commands run in `finrec-desk`, built beside `finrec`: the HTTP server,
/// SQLite and the page's templates stay out of this executable, which then starts in less time
/// for the one-applicant `finrec score` (fewer libraries to relocate, fewer protocol conformances
/// for the Swift runtime to search).
enum DeskHandOff {
    /// Replaces this process by `finrec-desk` with the same arguments when they name one of its
    /// commands (first, or after `help`); returns otherwise.
    static func execIfDeskCommand(_ arguments: [String]) {
        let named = arguments.first == "help" ? arguments.dropFirst().first : arguments.first
        guard let named, let command = DeskCommand(rawValue: named) else { return }
        exec(command, arguments)
    }

    /// Replaces this process by `finrec-desk ARGUMENTS`; on failure says why and exits with 1.
    static func exec(_ command: DeskCommand, _ arguments: [String]) -> Never {
        let path = executablePath
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        execv(path, argv)
        let reason = String(cString: strerror(errno))
        printToStandardError("""
            Error: finrec \(command.rawValue) runs in \(DeskCommand.executableName), which could not be started at \(path) (\(reason)). \
            `swift build -c release` builds it beside finrec (`swift run finrec` does not); copy both executables together.
            """)
        exit(1)
    }

    /// `finrec-desk` in the folder of the running executable (symbolic links resolved).
    static var executablePath: String {
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: running).deletingLastPathComponent().appendingPathComponent(DeskCommand.executableName).path
    }
}

// The desk's commands as `finrec --help` lists them. `FinRecCommand.main` hands them over before
// parsing; these run only when the root command is parsed by other means (as the tests do).

struct ServeHandOff: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: DeskCommand.serve.rawValue, abstract: DeskCommand.serve.abstract)
    @Argument(parsing: .captureForPassthrough, help: "The options of `finrec serve --help`.") var arguments: [String] = []
    func run() throws { DeskHandOff.exec(.serve, [DeskCommand.serve.rawValue] + arguments) }
}

struct TokenHandOff: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: DeskCommand.token.rawValue, abstract: DeskCommand.token.abstract)
    @Argument(parsing: .captureForPassthrough, help: "The arguments of `finrec token --help`.") var arguments: [String] = []
    func run() throws { DeskHandOff.exec(.token, [DeskCommand.token.rawValue] + arguments) }
}

struct AuditHandOff: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: DeskCommand.audit.rawValue, abstract: DeskCommand.audit.abstract)
    @Argument(parsing: .captureForPassthrough, help: "The options of `finrec audit --help`.") var arguments: [String] = []
    func run() throws { DeskHandOff.exec(.audit, [DeskCommand.audit.rawValue] + arguments) }
}
