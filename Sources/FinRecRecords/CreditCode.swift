import FinRecBase
/// The unified social credit code (统一社会信用代码) of GB 32100-2015: 18 characters from
/// `0-9A-HJ-NPQRTUWXY` (no I, O, S, V, Z): registration authority (1), organisation type (1),
/// administrative region (6 digits, GB/T 2260), subject identifier (9) and a check character.
///
/// The check character is 31 − (Σ cᵢ·wᵢ mod 31), with wᵢ = 3^(i−1) mod 31 over the first 17
/// characters and 31 written as 0. A few codes issued by early pilot regions break this rule;
/// FinRec refuses them like any other invalid code, so such a firm must be entered by hand.
package enum CreditCode {
    /// The 31 characters, in value order (index = value).
    package static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".utf8)
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// Value of each ASCII byte in the alphabet, or −1.
    static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (v, c) in alphabet.enumerated() { table[Int(c)] = Int8(v) }
        return table
    }()

    /// Why a code is not valid.
    package enum Problem: Sendable, Equatable, CustomStringConvertible {
        case length(Int)
        case character(position: Int, found: String)
        case regionNotDigits
        case checkCharacter(expected: Character, found: Character)

        package var description: String {
            switch self {
            case .length(let n):
                "a unified social credit code has 18 characters, this has \(n)"
            case .character(let position, let found):
                "character \(position) is '\(found)', which no credit code uses (allowed: 0-9 and A-Z without I, O, S, V, Z)"
            case .regionNotDigits:
                "characters 3-8 must be the 6-digit region code"
            case .checkCharacter(let expected, let found):
                "the check character is '\(found)' but the first 17 characters give '\(expected)'; check for a typing error"
            }
        }
    }

    /// The check character for the first 17 characters of `code`, or nil if one is not in the alphabet.
    package static func checkCharacter<C: Collection<UInt8>>(for first17: C) -> Character? {
        checkValue(for: first17).map { Character(Unicode.Scalar(alphabet[$0])) }
    }

    /// The check character's value (its index in the alphabet) for the first 17 characters, or
    /// nil if there are not 17 or one is not in the alphabet.
    private static func checkValue<C: Collection<UInt8>>(for first17: C) -> Int? {
        guard first17.count == 17 else { return nil }
        return values.withUnsafeBufferPointer { table in
            var sum = 0
            for (i, b) in first17.enumerated() {
                let v = table[Int(b)]
                guard v >= 0 else { return nil }
                sum += Int(v) * weights[i]
            }
            return (31 - sum % 31) % 31
        }
    }

    /// True when `code` is a valid credit code: `validate(code) == nil` without allocating.
    static func isValid(_ code: UnsafeBufferPointer<UInt8>) -> Bool {
        guard code.count == 18 else { return false }
        for i in 2..<8 where code[i] &- UInt8(ascii: "0") >= 10 { return false }
        // A last character outside the alphabet has value −1, which no check value equals.
        return checkValue(for: code[0..<17]) == Int(values[Int(code[17])])
    }

    /// Nil when `code` is a valid credit code, else the first problem found.
    package static func validate<C: Collection<UInt8>>(_ code: C) -> Problem? {
        if code.withContiguousStorageIfAvailable(isValid) == true { return nil }
        let bytes = Array(code)
        guard bytes.count == 18 else { return .length(String(decoding: bytes, as: UTF8.self).count) }
        for (i, b) in bytes.enumerated() where values[Int(b)] < 0 {
            return .character(position: i + 1, found: String(decoding: [b], as: UTF8.self))
        }
        guard bytes[2..<8].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return .regionNotDigits }
        let expected = checkCharacter(for: bytes[0..<17])!
        let found = Character(Unicode.Scalar(bytes[17]))
        return expected == found ? nil : .checkCharacter(expected: expected, found: found)
    }

    package static func isValid(_ code: String) -> Bool { validate(Array(code.utf8)) == nil }

    /// `first17` completed with its check character.
    package static func complete(_ first17: String) -> String? {
        checkCharacter(for: Array(first17.utf8)).map { first17 + String($0) }
    }
}
