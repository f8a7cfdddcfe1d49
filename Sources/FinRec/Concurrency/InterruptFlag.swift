import Dispatch
import Foundation

/// A read stopped on request (Ctrl-C).
public struct Interrupted: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "interrupted" }
}

/// Set once SIGINT or SIGTERM arrives, after ``install()``; the signals no longer kill the
/// process, so a command can stop cleanly and remove its temporary files.
package final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    private var sources: [any DispatchSourceSignal] = []

    public var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }

    public static func install() -> InterruptFlag {
        let flag = InterruptFlag()
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [flag] in
                flag.lock.lock()
                flag.raised = true
                flag.lock.unlock()
            }
            source.resume()
            flag.sources.append(source)
        }
        return flag
    }
}
