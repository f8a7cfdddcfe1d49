import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A read stopped on request (Ctrl-C).
public struct Interrupted: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "interrupted" }
}

/// Set once SIGINT or SIGTERM arrives, after ``install()``; the signals no longer kill the
/// process, so a command can stop cleanly and remove its temporary files.
package final class InterruptFlag: @unchecked Sendable {
    private let raised = Atomic<Bool>(false)
    private var sources: [any DispatchSourceSignal] = []

    public var isSet: Bool { raised.load(ordering: .acquiring) }

    public static func install() -> InterruptFlag {
        let flag = InterruptFlag()
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [flag] in flag.raised.store(true, ordering: .releasing) }
            source.resume()
            flag.sources.append(source)
        }
        return flag
    }
}
