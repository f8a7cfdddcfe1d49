import FinRec
import FinRecCLISupport
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// A progress line on standard error when it is a terminal: done, rate, time left. Silent when
/// standard error is piped or redirected.
final class Progress {
    let total: Int
    let label: String
    let enabled: Bool
    let start = Date()
    private var lastDraw = Date.distantPast

    init(total: Int, label: String, quiet: Bool = false) {
        self.total = total
        self.label = label
        self.enabled = !quiet && isatty(2) != 0
    }

    func update(_ done: Int) {
        guard enabled, Date().timeIntervalSince(lastDraw) > 0.2 || done == total else { return }
        lastDraw = Date()
        let elapsed = max(Date().timeIntervalSince(start), 1e-6)
        let rate = Double(done) / elapsed
        let left = rate > 0 ? Double(total - done) / rate : 0
        let percent = total > 0 ? 100 * Double(done) / Double(total) : 100
        FileHandleWriter.writeStandardError("\r\(label): \(done)/\(total) (\(Fixed.format(percent, digits: 1))%), \(Int(rate)) rows/s, \(Int(left.rounded())) s left   ")
    }

    /// Progress through a file of `total` bytes, showing rows and rows/s.
    func update(bytes: Int, rows: Int) {
        guard enabled, Date().timeIntervalSince(lastDraw) > 0.2 else { return }
        lastDraw = Date()
        let elapsed = max(Date().timeIntervalSince(start), 1e-6)
        let fraction = total > 0 ? min(1, Double(bytes) / Double(total)) : 1
        let left = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        FileHandleWriter.writeStandardError("\r\(label): \(rows) rows (\(Fixed.format(fraction * 100, digits: 1))%), \(Int(Double(rows) / elapsed)) rows/s, \(Int(left.rounded())) s left   ")
    }

    func finish() {
        if enabled { FileHandleWriter.writeStandardError("\n") }
    }
}
