import ArgumentParser
import Foundation

// Helpers shared by the end-to-end tests of the commands.

/// What `command` tells the user when `body` throws (ArgumentParser's text for flag errors, the
/// error's description otherwise); nil when `body` does not throw.
func failureMessage<Command: ParsableCommand>(_ command: Command.Type, _ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return Command.message(for: error)
    }
}

/// Runs a Python script of the repository's tests with the `.venv` that `bash .ci/setup --tests`
/// makes, and decodes the JSON object it prints; throws with its standard error when it fails.
func runPythonJSON(root: String, script: String, _ arguments: [String]) throws -> [String: Any] {
    let python = root + "/.venv/bin/python"
    guard FileManager.default.isExecutableFile(atPath: python) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "\(python) is missing: run `bash .ci/setup --tests`"])
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [root + "/" + script] + arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read standard error on another thread: a chatty engine (Spark) could fill its pipe.
    let errors = ErrorText()
    let reader = Thread { errors.set(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)) }
    reader.start()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errors.done { Thread.sleep(forTimeInterval: 0.01) }
    guard process.terminationStatus == 0, let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(script) failed (\(process.terminationStatus)): \(String(errors.text.suffix(3_000)))"])
    }
    return json
}

/// Standard error of a child process, filled by a reader thread.
final class ErrorText: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ""
    private var finished = false
    func set(_ text: String) { lock.withLock { value = text; finished = true } }
    var text: String { lock.withLock { value } }
    var done: Bool { lock.withLock { finished } }
}
