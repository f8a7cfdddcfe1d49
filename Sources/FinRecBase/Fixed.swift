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
        var n = Int64(scaled)
        if n == 0 { return "0" }
        var frac = ""
        var d = digits
        while d > 0 {
            let digit = n % 10
            n /= 10
            if !(frac.isEmpty && digit == 0) { frac = String(digit) + frac }
            else if !frac.isEmpty { frac = "0" + frac }
            d -= 1
        }
        let whole = String(n)
        return (x < 0 ? "-" : "") + whole + (frac.isEmpty ? "" : "." + frac)
    }

    /// `x` with its sign always written ("+12.3", "-0.4", "0").
    package static func signed(_ x: Double, digits: Int) -> String {
        let text = format(x, digits: digits)
        return text == "0" || text.hasPrefix("-") ? text : "+" + text
    }
}
