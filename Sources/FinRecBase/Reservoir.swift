/// A uniform sample of at most ``capacity`` values of a stream (Vitter's algorithm R), in the
/// order the values come: exact while the stream is shorter than the capacity, and the same
/// sample whatever the chunks the stream arrives in. The random draws come from the caller's
/// generator, so several reservoirs can share one seeded stream.
package struct Reservoir {
    /// How the slot of the n-th value is drawn from a 64-bit random number.
    package enum Draw {
        /// `random % n`: what trained models' ranges and pre-bins were sampled with (keep it
        /// there, or retrained models change).
        case remainder
        /// The high half of `random × n` (Lemire): no 64-bit division.
        case multiplyHigh
    }

    /// Values kept to place ranges, pre-bins and deciles (exact below this many).
    package static let defaultCapacity = 100_000

    let capacity: Int
    let draw: Draw
    package private(set) var values: [Double] = []
    /// Values offered so far.
    private(set) var seen = 0

    package init(capacity: Int = defaultCapacity, draw: Draw = .remainder) {
        self.capacity = capacity
        self.draw = draw
    }

    package mutating func add(_ value: Double, using rng: inout SplitMix64) {
        seen += 1
        if values.count < capacity {
            values.append(value)
            return
        }
        let random = rng.next()
        let slot = switch draw {
        case .remainder: Int(random % UInt64(seen))
        case .multiplyHigh: Int(random.multipliedFullWidth(by: UInt64(seen)).high)
        }
        if slot < capacity { values[slot] = value }
    }
}
