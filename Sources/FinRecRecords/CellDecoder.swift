package import FinRecBase
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A cell that does not hold what its field expects: the message says what was found and what
/// form is expected.
package struct CellError: Error, Sendable, Equatable {
    package let message: String
}

/// The decoded value of one cell.
package enum CellValue: Sendable, Equatable {
    case missing
    case number(Double)
    case text(String)
}

/// Decodes cells of one field from raw UTF-8 bytes, fast: numbers are parsed in place without
/// building a String, categories are matched by a precomputed table.
package final class CellDecoder: Sendable {
    package let field: FieldSpec
    private let categoryIndex: [String: Int]
    /// The exact UTF-8 bytes of each category value's code and Chinese name, tried before the
    /// normalised lookup (which builds a String).
    private let categoryBytes: [([UInt8], Int)]

    package init(field: FieldSpec) {
        self.field = field
        var index: [String: Int] = [:]
        var bytes: [([UInt8], Int)] = []
        if case .category(let values) = field.kind {
            for (i, v) in values.enumerated() {
                for spelling in v.normalisedSpellings { index[spelling] = i }
                bytes.append((Array(v.code.utf8), i))
                bytes.append((Array(v.chinese.utf8), i))
            }
        }
        categoryIndex = index
        categoryBytes = bytes
    }

    /// Decodes `bytes` (the cell without surrounding quotes). Empty or all-blank cells are missing.
    package func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws(CellError) -> CellValue {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        if start == end { return .missing }
        let cell = UnsafeBufferPointer(rebasing: bytes[start..<end])
        switch field.kind {
        case .integer(let range):
            guard let x = Self.parseDecimal(cell) else { throw notA("whole number", cell) }
            guard x == x.rounded() else { throw CellError(message: "\(Self.show(cell)) is not a whole number; \(field.kind.expectedForm)") }
            try checkRange(x, range, cell)
            return .number(x)
        case .number(let range, _):
            guard let x = Self.parseDecimal(cell) else { throw notA("number", cell) }
            try checkRange(x, range, cell)
            return .number(x)
        case .ratio(let range):
            var x: Double
            if cell.last == UInt8(ascii: "%") {
                guard let p = Self.parseDecimal(UnsafeBufferPointer(rebasing: cell.dropLast())) else { throw notA("percentage", cell) }
                x = p / 100
            } else {
                guard let p = Self.parseDecimal(cell) else { throw notA("fraction", cell) }
                x = p
            }
            try checkRange(x, range, cell)
            return .number(x)
        case .flag:
            if cell.count == 1 {
                if cell[0] == UInt8(ascii: "1") { return .number(1) }
                if cell[0] == UInt8(ascii: "0") { return .number(0) }
            }
            switch RecordSchema.normalise(try Self.text(cell)) {
            case "1", "true", "yes", "y", "是", "有": return .number(1)
            case "0", "false", "no", "n", "否", "无": return .number(0)
            default: throw CellError(message: "\(Self.show(cell)) is not a yes/no value; write \(field.kind.expectedForm)")
            }
        case .date:
            guard let days = Self.parseDate(cell) else {
                throw CellError(message: "\(Self.show(cell)) is not a date; write \(field.kind.expectedForm)")
            }
            return .number(Double(days))
        case .category(let values):
            for (bytes, i) in categoryBytes where bytes.count == cell.count && bytes.elementsEqual(cell) {
                return .number(Double(i))
            }
            guard let i = categoryIndex[RecordSchema.normalise(try Self.text(cell))] else {
                throw CellError(message: "\(Self.show(cell)) is not a known value; write " + values.map { "\($0.code) or \($0.chinese)" }.joined(separator: ", "))
            }
            return .number(Double(i))
        case .creditCode:
            if let problem = CreditCode.validate(cell) {
                throw CellError(message: "\(Self.show(cell)) is not a valid unified social credit code: \(problem)")
            }
            return .text(String(decoding: cell, as: UTF8.self))  // a valid code is ASCII
        case .text(let maxLength):
            let s = try Self.text(cell)
            // Counting characters is slow; a text with no more bytes than the limit is within it.
            guard cell.count <= maxLength || s.count <= maxLength else {
                throw CellError(message: "the text has \(s.count) characters, more than the \(maxLength) allowed")
            }
            return .text(s)
        }
    }

    /// Decodes a JSON value for this field: numbers are range-checked, strings are decoded as a
    /// CSV cell would be, booleans are flags, null is missing.
    package func decode(json value: JSONValue) throws(CellError) -> CellValue {
        switch value {
        case .null: return .missing
        case .string(let s):
            var s = s
            let result: Result<CellValue, CellError> = s.withUTF8 { buffer in
                do throws(CellError) { return .success(try decode(buffer)) } catch { return .failure(error) }
            }
            return try result.get()
        case .number(let x):
            switch field.kind {
            case .integer(let range):
                guard x == x.rounded() else { throw CellError(message: "\(x) is not a whole number; \(field.kind.expectedForm)") }
                try checkRange(x, range, nil)
            case .number(let range, _), .ratio(let range):
                try checkRange(x, range, nil)
            case .flag:
                guard x == 0 || x == 1 else { throw CellError(message: "\(x) is not a yes/no value; write \(field.kind.expectedForm)") }
            case .creditCode, .text, .category, .date:
                throw CellError(message: "a number is not \(field.kind.expectedForm); write it as a JSON string")
            }
            return .number(x)
        case .bool(let b):
            guard case .flag = field.kind else { throw CellError(message: "true/false is not \(field.kind.expectedForm)") }
            return .number(b ? 1 : 0)
        case .array, .object:
            throw CellError(message: "\(value.typeName) is not \(field.kind.expectedForm)")
        }
    }

    private func checkRange(_ x: Double, _ range: ClosedRange<Double>, _ cell: UnsafeBufferPointer<UInt8>?) throws(CellError) {
        guard range.contains(x) else {
            let shown = cell.map(Self.show) ?? "\(x)"
            throw CellError(message: "\(shown) is outside the allowed range; \(field.kind.expectedForm)")
        }
    }

    private func notA(_ what: String, _ cell: UnsafeBufferPointer<UInt8>) -> CellError {
        var hint = ""
        let text = String(decoding: cell, as: UTF8.self)
        if text.contains(",") { hint = " (remove the thousands separators)" }
        else if text.contains("万") || text.contains("亿") || text.contains("元") { hint = " (give the amount in 万元 as a plain number, without units)" }
        else if ["-", "—", "–", "--", "/", "n/a", "na", "null", "nan", "none"].contains(text.lowercased()) { hint = " (leave the cell empty for a missing value)" }
        return CellError(message: "\(Self.show(cell)) is not a \(what)\(hint); \(field.kind.expectedForm)")
    }

    /// What a cell that is not text is told (the readers turn GB18030 and UTF-16 into UTF-8
    /// first, so a cell that is not UTF-8 here was not valid in the file's own encoding either).
    static let notTextMessage = "the cell holds bytes that are neither UTF-8 nor GB18030 (FinRec reads UTF-8, and a file whose start is not UTF-8 as GB18030); "
        + "fix the cell, or save the whole file in one encoding (Excel: Save As → CSV UTF-8)"

    /// The cell as text, refusing bytes that are not UTF-8.
    static func text(_ cell: UnsafeBufferPointer<UInt8>) throws(CellError) -> String {
        guard let s = UTF8Validation.validUTF8String(cell) else { throw CellError(message: notTextMessage) }
        return s
    }


    /// The cell quoted for a message, shortened if long.
    static func show(_ cell: UnsafeBufferPointer<UInt8>) -> String {
        let s = String(decoding: cell, as: UTF8.self)
        return "\"" + (s.count > 40 ? String(s.prefix(40)) + "…" : s) + "\""
    }

    /// 10^e for 0 ≤ e ≤ 22, the powers of ten that Double holds exactly (a switch compiles to a
    /// constant table, with no lazy global to check on each call).
    @inline(__always)
    static func exactPowerOfTen(_ e: Int) -> Double {
        switch e {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// Parses a decimal number: optional sign, digits with an optional point, optional exponent.
    /// Returns nil for anything else (thousands separators, units, NaN, infinity) and for values
    /// that overflow Double. Correctly rounded: Clinger's exact fast path (a mantissa of at most
    /// 2^53 and |exponent| ≤ 22: one correctly rounded multiplication or division), `strtod`
    /// otherwise (more than 19 digits, or larger mantissas and exponents).
    @inline(__always)
    package static func parseDecimal(_ s: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        let n = s.count
        guard n > 0 else { return nil }
        var negative = false
        if s[0] == UInt8(ascii: "-") || s[0] == UInt8(ascii: "+") {
            negative = s[0] == UInt8(ascii: "-")
            i = 1
        }
        var mantissa: UInt64 = 0
        let integerStart = i
        while i < n {
            let d = s[i] &- UInt8(ascii: "0")
            if d >= 10 { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            i += 1
        }
        var digits = i - integerStart
        var exponent = 0
        if i < n, s[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < n {
                let d = s[i] &- UInt8(ascii: "0")
                if d >= 10 { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                i += 1
            }
            exponent = fractionStart - i
            digits += i - fractionStart
        }
        guard digits > 0 else { return nil }
        if i < n, s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < n, s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+") {
                expNegative = s[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0, expDigits = 0
            while i < n, s[i] &- UInt8(ascii: "0") < 10 {
                if e < 100_000 { e = e * 10 + Int(s[i] &- UInt8(ascii: "0")) }
                expDigits += 1
                i += 1
            }
            guard expDigits > 0 else { return nil }
            exponent += expNegative ? -e : e
        }
        guard i == n else { return nil }
        // At most 19 digits cannot overflow the 64-bit mantissa (10^19 − 1 < 2^64).
        if digits <= 19 && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            var x = Double(mantissa)
            x = exponent >= 0 ? x * exactPowerOfTen(exponent) : x / exactPowerOfTen(-exponent)
            return negative ? -x : x
        }
        return slowParse(s)
    }

    /// The common short form of a decimal cell, eight bytes at a time: an optional sign, then
    /// digits with at most one point (at least one digit), 8 bytes in all at most. Nil for
    /// anything else, which ``parseDecimal(_:)`` then decides; where both parse, the result is
    /// the same (at most 8 digits and 7 decimals: one exact division, correctly rounded).
    ///
    /// Reads the 8 bytes at `p` whatever `count` is: the caller makes sure they are readable.
    @inline(__always)
    package static func parseShortDecimal(_ p: UnsafeRawPointer, count n: Int) -> Double? {
        guard n > 0, n <= 8 else { return nil }
        var w = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
        var k = n
        let first = UInt8(truncatingIfNeeded: w)
        let negative = first == UInt8(ascii: "-")
        if negative || first == UInt8(ascii: "+") {
            w >>= 8
            k -= 1
        }
        // The cell's k bytes, first byte lowest; the rest cleared.
        let kept: UInt64 = k == 8 ? ~0 : (1 &<< UInt64(8 * k)) &- 1
        w &= kept
        let points = exactZeroBytes(w ^ 0x2E2E_2E2E_2E2E_2E2E) & kept & 0x8080_8080_8080_8080
        var digits = k, decimals = 0
        if points != 0 {
            guard points & (points &- 1) == 0 else { return nil }
            // Close the gap the point leaves.
            let j = points.trailingZeroBitCount >> 3
            let below: UInt64 = (1 &<< UInt64(8 * j)) &- 1
            w = (w & below) | ((w >> UInt64(8 * j + 8)) << UInt64(8 * j))
            digits -= 1
            decimals = digits - j
        }
        guard digits > 0 else { return nil }
        // Right-aligned in eight digits: leading zeros in the low bytes.
        w = (w << UInt64(8 * (8 - digits))) | (0x3030_3030_3030_3030 >> UInt64(8 * digits))
        // All eight bytes digits (Lemire).
        let high: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        let carried: UInt64 = ((w &+ 0x0606_0606_0606_0606) & high) >> 4
        guard (w & high) | carried == 0x3333_3333_3333_3333 else { return nil }
        // Pairs, then fours, then all eight (Lemire's multiplications).
        let low: UInt64 = 0x0000_00FF_0000_00FF, byHundred: UInt64 = 100 + (1_000_000 << 32), byOne: UInt64 = 1 + (10_000 << 32)
        var v: UInt64 = w &- 0x3030_3030_3030_3030
        v = v &* 10 &+ (v >> 8)
        let odd: UInt64 = (v & low) &* byHundred, even: UInt64 = ((v >> 16) & low) &* byOne
        v = (odd &+ even) >> 32
        var x = Double(UInt32(truncatingIfNeeded: v))
        if decimals > 0 { x /= exactPowerOfTen(decimals) }
        return negative ? -x : x
    }

    /// High bit set in exactly the bytes of `w` that are zero.
    @inline(__always)
    static func exactZeroBytes(_ w: UInt64) -> UInt64 {
        ~(((w & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | w | 0x7F7F_7F7F_7F7F_7F7F)
    }

    private static func slowParse(_ s: UnsafeBufferPointer<UInt8>) -> Double? {
        var buffer = [CChar](repeating: 0, count: s.count + 1)
        for i in 0..<s.count { buffer[i] = CChar(bitPattern: s[i]) }
        let x = strtod(buffer, nil)
        return x.isFinite ? x : nil
    }

    /// True when `x` has no fractional part (without a call to the C library's `round`).
    @inline(__always)
    static func isWhole(_ x: Double) -> Bool {
        // Every Double of magnitude 2^52 or more is whole; below it the conversion is exact.
        abs(x) >= 0x1p52 ? x.isFinite : x == Double(Int64(x))
    }

    /// Days since 1970-01-01 for YYYY-MM-DD or YYYY/MM/DD (months and days may have one digit).
    static func parseDate(_ s: UnsafeBufferPointer<UInt8>) -> Int? {
        // Year and month as they are completed, the day in `current`: no allocation per cell.
        var year = 0, month = 0, separators = 0
        var current = 0, digits = 0
        var separator: UInt8 = 0
        for b in s {
            if b &- UInt8(ascii: "0") < 10 {
                current = current * 10 + Int(b &- UInt8(ascii: "0"))
                digits += 1
                guard digits <= 4 else { return nil }
            } else if (b == UInt8(ascii: "-") || b == UInt8(ascii: "/")) && digits > 0 && (separator == 0 || separator == b) && separators < 2 {
                separator = b
                if separators == 0 { year = current } else { month = current }
                separators += 1
                current = 0
                digits = 0
            } else {
                return nil
            }
        }
        guard digits > 0, separators == 2 else { return nil }
        return CivilDate(year: year, month: month, day: current)?.daysSinceEpoch
    }
}
