/// The ids seen so far, to refuse duplicates. Credit codes (18 ASCII characters of a 31-letter
/// alphabet) are packed into 16 bytes, which hash and compare faster than Strings and take a
/// third of the memory; other ids are kept as Strings.
struct IdSet {
    struct Packed: Hashable { let high: UInt64, low: UInt64 }
    private var packed = Set<Packed>()
    private var others = Set<String>()

    /// Inserts `id`; false when it was already there.
    mutating func insert(_ id: String) -> Bool {
        if let key = Self.pack(id) { return packed.insert(key).inserted }
        return others.insert(id).inserted
    }

    static func pack(_ id: String) -> Packed? {
        guard id.utf8.count == 18 else { return nil }
        let result: Packed?? = id.utf8.withContiguousStorageIfAvailable { bytes -> Packed? in
            var high: UInt64 = 0, low: UInt64 = 0
            for i in 0..<18 {
                let v = CreditCode.values[Int(bytes[i])]
                guard v >= 0 else { return nil }
                if i < 9 { high = high << 5 | UInt64(v) } else { low = low << 5 | UInt64(v) }
            }
            return Packed(high: high, low: low)
        }
        return result ?? nil
    }
}

extension String {
    package var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\u{3000}" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\u{3000}" { s.removeLast() }
        return String(s)
    }
}
