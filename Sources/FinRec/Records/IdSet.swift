/// The ids seen so far, to refuse duplicates. Credit codes (18 ASCII characters of a 31-letter
/// alphabet) are packed into 16 bytes and kept in an open-addressing table with a multiplicative
/// hash, which is several times faster than a `Set` (SipHash) and takes a third of the memory of
/// Strings; other ids are kept as Strings.
struct IdSet {
    struct Packed: Hashable { let high: UInt64, low: UInt64 }
    private var packed = PackedTable()
    private var others = Set<String>()

    /// Inserts `id`; false when it was already there.
    mutating func insert(_ id: String) -> Bool {
        if let key = Self.pack(id) { return packed.insert(key) }
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

/// A set of packed ids: linear probing in a power-of-two table filled at most to three quarters.
/// A packed half uses 45 bits, so all ones marks an empty slot.
private struct PackedTable {
    private var keys = [IdSet.Packed](repeating: PackedTable.empty, count: 1024)
    private var count = 0
    private var shift = 64 - 10
    private static let empty = IdSet.Packed(high: .max, low: .max)

    /// Inserts `key`; false when it was already there.
    mutating func insert(_ key: IdSet.Packed) -> Bool {
        if (count + 1) * 4 > keys.count * 3 { grow() }
        if place(key) {
            count += 1
            return true
        }
        return false
    }

    private mutating func place(_ key: IdSet.Packed) -> Bool {
        let mask = keys.count - 1
        let mixed = ((key.high &* 0x9E37_79B9_7F4A_7C15) ^ key.low) &* 0xFF51_AFD7_ED55_8CCD
        var slot = Int(truncatingIfNeeded: mixed >> UInt64(shift))
        return keys.withUnsafeMutableBufferPointer { table in
            while true {
                let k = table[slot]
                if k.high == Self.empty.high { table[slot] = key; return true }
                if k == key { return false }
                slot = (slot + 1) & mask
            }
        }
    }

    private mutating func grow() {
        let old = keys
        keys = [IdSet.Packed](repeating: Self.empty, count: old.count * 2)
        shift -= 1
        for key in old where key.high != Self.empty.high { _ = place(key) }
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
