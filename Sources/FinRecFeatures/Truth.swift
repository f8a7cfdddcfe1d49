import FinRecBase
package import FinRecRecords
import FinRecLinear

/// Truth values of three-valued (Kleene) logic, one byte per row.
public enum Truth: UInt8, Sendable, CaseIterable {
    case fail = 0, pass = 1, unknown = 2

    /// Kleene AND: fail if either fails, pass if both pass, else unknown. Branch-free (the
    /// minimum in the order fail < unknown < pass), so loops over columns vectorise.
    // Inlinable: the eligibility rules (another module) run these in their column loops.
    @inlinable @inline(__always)
    package static func && (a: Truth, b: Truth) -> Truth {
        fromOrder(Swift.min(order(a), order(b)))
    }

    /// Kleene OR: pass if either passes, fail if both fail, else unknown (the maximum).
    @inlinable @inline(__always)
    package static func || (a: Truth, b: Truth) -> Truth {
        fromOrder(Swift.max(order(a), order(b)))
    }

    /// The rank in fail < unknown < pass: the raw value's two bits swapped (0 → 0, 2 → 1, 1 → 2).
    @usableFromInline @inline(__always)
    static func order(_ t: Truth) -> UInt8 { (t.rawValue & 1) << 1 | t.rawValue >> 1 }

    @usableFromInline @inline(__always)
    static func fromOrder(_ o: UInt8) -> Truth { unsafeBitCast((o & 1) << 1 | o >> 1, to: Truth.self) }

    /// `.unknown` where `missing`, else `.pass` or `.fail` as `holds` says; branch-free.
    @inlinable @inline(__always)
    package static func of(_ holds: Bool, missing: Bool) -> Truth {
        let m = unsafeBitCast(missing, to: UInt8.self), h = unsafeBitCast(holds, to: UInt8.self)
        return unsafeBitCast(m << 1 | h & (m ^ 1), to: Truth.self)
    }

    /// Kleene NOT: unknown stays unknown.
    @inlinable
    package static prefix func ! (a: Truth) -> Truth { a == .pass ? .fail : a == .fail ? .pass : .unknown }

    /// Row-wise `op` of two truth columns of equal length.
    static func combine(_ a: inout [Truth], _ b: [Truth], _ op: (Truth, Truth) -> Truth) {
        for r in a.indices { a[r] = op(a[r], b[r]) }
    }
}

extension Truth {
    /// The status as the JSON and CSV contracts write it: `pass`, `unknown` or `fail`.
    public var code: String {
        switch self {
        case .pass: "pass"
        case .unknown: "unknown"
        case .fail: "fail"
        }
    }
}
