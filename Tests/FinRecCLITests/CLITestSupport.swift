import ArgumentParser

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
