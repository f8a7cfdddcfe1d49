/// Text layout for the terminal tables: display widths (CJK characters take two columns) and
/// padding.
extension String {
    /// Terminal columns: CJK characters take two.
    package var displayWidth: Int {
        unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 && $1.properties.isIdeographic || (0xFF00...0xFFEF).contains($1.value) ? 2 : 1) }
    }

    /// This string followed by spaces up to `width` terminal columns.
    package func padded(to width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - displayWidth))
    }
}

extension Fixed {
    /// `x` with exactly `digits` decimals, e.g. 0.500 (no locale, no exponent); a non-finite
    /// `x` is written as Swift writes it.
    package static func exact(_ x: Double, digits: Int) -> String {
        guard x.isFinite else { return "\(x)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        let whole = Int64(scaled / scale)
        let frac = Int64(scaled - Double(whole) * scale)
        let sign = x < 0 && scaled != 0 ? "-" : ""
        if digits == 0 { return sign + String(whole) }
        let f = String(frac)
        return sign + String(whole) + "." + String(repeating: "0", count: digits - f.count) + f
    }
}
