import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The logistic function, computed without overflow for any finite logit.
package enum Sigmoid {
    /// 1 / (1 + e^(−z)), in [0, 1].
    package static func probability(_ z: Double) -> Double {
        probability(z, e: exp(-abs(z)))
    }

    /// 1 / (1 + e^(−z)) from e = e^(−|z|), which the caller has already computed (e.g. for the
    /// log-loss): 1 / (1 + e) for z ≥ 0, e / (1 + e) below; neither overflows.
    @inline(__always)
    package static func probability(_ z: Double, e: Double) -> Double {
        z >= 0 ? 1 / (1 + e) : e / (1 + e)
    }

    /// log(1 + e) for 0 ≤ e ≤ 1 (e.g. e^(−|z|)), from `log` with Goldberg's correction
    /// log(u)·e/(u − 1), u = 1 + e rounded: within 2 ulp of `log1p` (4e-16 relative, tested)
    /// and a third faster with glibc, whose `log1p` is the slow one of the two.
    @inline(__always)
    package static func logOnePlus(small e: Double) -> Double {
        let u = 1 + e
        return u == 1 ? e : log(u) * (e / (u - 1))
    }

    /// log(1 + e^z) without overflow: max(z, 0) + log1p(e^(−|z|)).
    package static func softplus(_ z: Double) -> Double {
        max(z, 0) + log1p(exp(-abs(z)))
    }
}
