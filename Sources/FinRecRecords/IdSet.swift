import FinRecBase
/// The ids seen so far, to refuse duplicates. Credit codes (18 ASCII characters of a 31-letter
/// alphabet) are packed into 16 bytes and kept in an open-addressing table with a multiplicative
/// hash, which is several times faster than a `Set` (SipHash) and takes a third of the memory of
/// Strings; other ids are kept as Strings.
package struct IdSet {
    package struct Packed: Hashable { let high: UInt64, low: UInt64 }
    private var packed = PackedTable()
    private var others = Set<String>()

    package init() {}

    /// Inserts `id`; false when it was already there.
    package mutating func insert(_ id: String) -> Bool {
        if let key = Self.pack(id) { return packed.insert(key) }
        return others.insert(id).inserted
    }

    /// Inserts the ids of rows `0..<count` in row order (nil: the row has none) and calls
    /// `duplicate` with each row whose id was already there. The same as ``insert(_:)`` row by
    /// row, but the credit codes are packed first and each one's table slot is loaded a few rows
    /// ahead of its insertion, so the table's cache misses (a million ids fill 32 MB) overlap
    /// instead of following one another.
    package mutating func insertAll(count: Int, id: (Int) -> String?, duplicate: (Int) -> Void) {
        var keys = [Packed?](repeating: nil, count: count)
        var packable = 0
        for r in 0..<count {
            guard let text = id(r) else { continue }
            if let key = Self.pack(text) {
                keys[r] = key
                packable += 1
            } else if !others.insert(text).inserted {
                duplicate(r)
            }
        }
        packed.insertAll(keys, reserving: packable, duplicate)
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
        reserve(1)
        if place(key) {
            count += 1
            return true
        }
        return false
    }

    /// Rows ahead whose slot ``insertAll(_:reserving:_:)`` loads early.
    private static let lookahead = 16
    /// Where a look-ahead load goes, so that it is not optimised away.
    private var touched: UInt64 = 0

    /// Inserts the non-nil keys in order, calling `duplicate` with the index of each that was
    /// already there; `reserving` is how many there are (the table grows once, before).
    mutating func insertAll(_ batch: [IdSet.Packed?], reserving extra: Int, _ duplicate: (Int) -> Void) {
        reserve(extra)
        let shift = self.shift
        var touched = self.touched, added = 0
        keys.withUnsafeMutableBufferPointer { table in
            for r in batch.indices {
                if r + Self.lookahead < batch.count, let ahead = batch[r + Self.lookahead] {
                    touched &+= table[Self.home(ahead, shift: shift)].low
                }
                guard let key = batch[r] else { continue }
                if Self.place(key, in: table, shift: shift) { added += 1 } else { duplicate(r) }
            }
        }
        count += added
        self.touched = touched
    }

    @inline(__always)
    private static func home(_ key: IdSet.Packed, shift: Int) -> Int {
        let mixed = ((key.high &* 0x9E37_79B9_7F4A_7C15) ^ key.low) &* 0xFF51_AFD7_ED55_8CCD
        return Int(truncatingIfNeeded: mixed >> UInt64(shift))
    }

    /// Linear probing from the key's home slot; false when the key is there already.
    @inline(__always)
    private static func place(_ key: IdSet.Packed, in table: UnsafeMutableBufferPointer<IdSet.Packed>, shift: Int) -> Bool {
        let mask = table.count - 1
        var slot = home(key, shift: shift)
        while true {
            let k = table[slot]
            if k.high == empty.high { table[slot] = key; return true }
            if k == key { return false }
            slot = (slot + 1) & mask
        }
    }

    private mutating func place(_ key: IdSet.Packed) -> Bool {
        let shift = self.shift
        return keys.withUnsafeMutableBufferPointer { Self.place(key, in: $0, shift: shift) }
    }

    /// Grows the table until `extra` more keys keep it at most three quarters full.
    private mutating func reserve(_ extra: Int) {
        while (count + extra) * 4 > keys.count * 3 { grow() }
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
