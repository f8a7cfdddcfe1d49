/// Scans of UTF-8 bytes eight at a time (SWAR): whether a text holds any byte of a small set
/// (a quote, a comma, a control character), the test every JSON string and CSV field takes.
package enum ByteScan {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The lanes of `v` equal to `byte`, marked by their high bit. A borrow can mark a lane above
    /// one that truly matches, never one alone, so "any lane marked" is exact.
    @inline(__always)
    static func lanes(_ v: UInt64, equalTo byte: UInt8) -> UInt64 {
        let x = v ^ (ones &* UInt64(byte))
        return (x &- ones) & ~x & highs
    }

    /// The lanes of `v` below `bound` (at most 0x80), marked by their high bit; exact in "any"
    /// for the same reason.
    @inline(__always)
    static func lanes(_ v: UInt64, below bound: UInt8) -> UInt64 {
        (v &- ones &* UInt64(bound)) & ~v & highs
    }

    /// Whether any byte of `bytes` is one `test` accepts: `marked` marks the lanes of eight bytes
    /// that it accepts (as ``lanes(_:equalTo:)`` does), `test` takes the bytes after the last
    /// whole eight.
    @inline(__always)
    static func contains(_ bytes: UnsafeBufferPointer<UInt8>, marked: (UInt64) -> UInt64, test: (UInt8) -> Bool) -> Bool {
        var i = 0
        if let base = bytes.baseAddress {
            while i + 8 <= bytes.count {
                if marked(UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))) != 0 { return true }
                i += 8
            }
        }
        while i < bytes.count {
            if test(bytes[i]) { return true }
            i += 1
        }
        return false
    }
}
