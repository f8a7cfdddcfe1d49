/// Fixed-decimal formatting without locale or exponent, e.g. 1234.50 → "1234.5" with digits 2
/// keeps trailing zeros trimmed.
package enum Fixed {
    /// `x` rounded to `digits` decimals, trailing zeros removed ("12.5", "3", "-0.0042").
    package static func format(_ x: Double, digits: Int) -> String {
        precondition(x.isFinite, "cannot format \(x)")
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        guard scaled < 9e15 else { return x.description }
        var n = UInt64(scaled)
        if n == 0 { return "0" }
        // Written backwards into a stack buffer: the decimals without trailing zeros, the point,
        // the whole part, the sign (under 9e15: at most 16 digits, plus `digits` leading zeros).
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: digits + 24) { buffer in
            var at = buffer.count
            func put(_ byte: UInt8) { at -= 1; buffer[at] = byte }
            var decimals = false
            for _ in 0..<digits {
                let digit = UInt8(n % 10)
                n /= 10
                if decimals || digit != 0 { put(0x30 + digit); decimals = true }
            }
            if decimals { put(UInt8(ascii: ".")) }
            repeat { put(0x30 + UInt8(n % 10)); n /= 10 } while n > 0
            if x < 0 { put(UInt8(ascii: "-")) }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[at...]), as: UTF8.self)
        }
    }

    /// `x` with its sign always written ("+12.3", "-0.4", "0").
    package static func signed(_ x: Double, digits: Int) -> String {
        let text = format(x, digits: digits)
        return text == "0" || text.hasPrefix("-") ? text : "+" + text
    }
}
