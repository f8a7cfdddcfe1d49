import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A read stopped on request (Ctrl-C).
package struct Interrupted: Error, Sendable, CustomStringConvertible {
    package init() {}
    package var description: String { "interrupted" }
}

/// Set once SIGINT or SIGTERM arrives, after ``install()``; the signals no longer kill the
/// process, so a command can stop cleanly and remove its temporary files.
package final class InterruptFlag: @unchecked Sendable {
    private let raised = Atomic<Bool>(false)
    private var sources: [any DispatchSourceSignal] = []

    package var isSet: Bool { raised.load(ordering: .acquiring) }

    package static func install() -> InterruptFlag {
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
