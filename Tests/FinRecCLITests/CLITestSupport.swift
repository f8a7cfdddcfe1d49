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
    // Standard error goes to a file, not a pipe: a chatty engine (Spark) could fill a pipe nobody
    // reads. Standard output too, read once the process has exited: a pipe read that a signal
    // interrupts (EINTR) makes Foundation's readDataToEndOfFile() trap.
    let log = NSTemporaryDirectory() + "finrec-python-" + UUID().uuidString + ".log"
    let output = NSTemporaryDirectory() + "finrec-python-" + UUID().uuidString + ".json"
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    _ = FileManager.default.createFile(atPath: output, contents: nil)
    defer {
        try? FileManager.default.removeItem(atPath: log)
        try? FileManager.default.removeItem(atPath: output)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [root + "/" + script] + arguments
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    try process.run()
    process.waitUntilExit()
    let data = (try? Data(contentsOf: URL(fileURLWithPath: output))) ?? Data()
    guard process.terminationStatus == 0, let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        let errors = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(script) failed (\(process.terminationStatus)): \(String(errors.suffix(3_000)))"])
    }
    return json
}
