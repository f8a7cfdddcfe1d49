import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FoundationEssentials

/// How uncertain each product's logit is, by the Laplace approximation: near the fit the
/// coefficients θ = (w, b) are Gaussian with precision P = H / C, where H is the Hessian of the
/// training objective ½‖w‖² + C·Σ logloss (P is the Hessian of Σ logloss + ‖w‖²/2C, the negative
/// log posterior under a N(0, C·I) prior on the weights). For an input x̃ = (x, 1) the logit's
/// variance is x̃ᵀP⁻¹x̃ = ‖L⁻¹x̃‖², with L the Cholesky factor of P.
///
/// Stored per product as L's lower triangle, row by row, in Float32 little-endian, base64: about
/// 20 KB per product at d = 86, enough precision for an interval.
package struct LogitUncertainty: Sendable, Equatable {
    /// d + 1.
    package let dimension: Int
    /// L, packed lower triangle, row-major: row i holds i + 1 values.
    let packed: [Float]

    /// From a product's Hessian at the fit and its C; nil when P is not positive definite.
    package init?(hessian: [Double], c: Double, dimension n: Int) {
        guard let factor = Cholesky(hessian.map { $0 / c }, n: n) else { return nil }
        var packed: [Float] = []
        packed.reserveCapacity(n * (n + 1) / 2)
        for i in 0..<n { for j in 0...i { packed.append(Float(factor.lower[i * n + j])) } }
        self.init(dimension: n, packed: packed)
    }

    /// `packed` in Double, converted once for the substitutions.
    let lower: [Double]

    init(dimension: Int, packed: [Float]) {
        self.dimension = dimension
        self.packed = packed
        lower = packed.map(Double.init)
    }

    /// The standard error of the logit at input `x` (the d features, without the intercept's 1).
    package func standardError(_ x: some Collection<Double>) -> Double {
        precondition(x.count == dimension - 1, "one value per feature")
        // Forward substitution L·y = x̃; the variance is ‖y‖².
        var y = [Double](repeating: 0, count: dimension)
        var sum = 0.0
        var row = 0
        for (i, value) in (Array(x) + [1]).enumerated() {
            var s = value
            for j in 0..<i { s -= Double(packed[row + j]) * y[j] }
            y[i] = s / Double(packed[row + i])
            sum += y[i] * y[i]
            row += i + 1
        }
        return sum.squareRoot()
    }

    /// The standard errors of the logit of `factors` (same dimension) for the given (factor, row)
    /// pairs of `x` (rows × (dimension − 1), row-major), in their order, as ``standardError(_:)``
    /// gives them one at a time, with the same operations in the same order (so the same bits):
    /// sixteen pairs a block in four vectors, four independent chains of subtractions (pairs of one
    /// factor next to each other share a vector's factor loads).
    package static func standardErrors(_ factors: [LogitUncertainty], _ x: UnsafeBufferPointer<Double>, rows: Int,
                                       pairs list: [(factor: Int, row: Int)]) -> [Double] {
        guard let d = factors.first?.dimension else { return [] }
        let columns = d - 1
        precondition(factors.allSatisfy { $0.dimension == d } && x.count >= rows * columns, "one value per feature")
        let lowers = factors.map(\.lower)
        var out = [Double](repeating: 0, count: list.count)
        let pairs = list.count
        // Sixteen pairs a block: four vectors of four lanes, four independent chains of
        // subtractions, so that one chain's latency hides behind the others'.
        let width = 16
        let y = UnsafeMutablePointer<SIMD4<Double>>.allocate(capacity: 4 * d)
        defer { y.deallocate() }
        let bases = UnsafeMutablePointer<UnsafePointer<Double>>.allocate(capacity: factors.count)
        defer { bases.deallocate() }
        let lane = UnsafeMutablePointer<UnsafePointer<Double>>.allocate(capacity: width)
        defer { lane.deallocate() }
        let laneRow = UnsafeMutablePointer<Int>.allocate(capacity: width)
        defer { laneRow.deallocate() }
        withExtendedLifetime(lowers) {
            // The factors' storage stays alive in `lowers` for the whole loop.
            for (p, lower) in lowers.enumerated() { bases[p] = lower.withUnsafeBufferPointer { $0.baseAddress! } }
            var start = 0
            while start < pairs {
                let used = min(width, pairs - start)
                for v in 0..<width {
                    // Lanes past the last pair repeat the block's first pair; their results are dropped.
                    let t = start + (v < used ? v : 0)
                    lane[v] = bases[list[t].factor]
                    laneRow[v] = list[t].row
                }
                var shared = true
                for v in 1..<width where lane[v] != lane[0] { shared = false }
                @inline(__always) func gather(_ g: Int, _ at: Int) -> SIMD4<Double> {
                    SIMD4(lane[4 * g][at], lane[4 * g + 1][at], lane[4 * g + 2][at], lane[4 * g + 3][at])
                }
                @inline(__always) func inputs(_ g: Int, _ i: Int) -> SIMD4<Double> {
                    guard i < columns else { return SIMD4(repeating: 1) }
                    return SIMD4(x[laneRow[4 * g] * columns + i], x[laneRow[4 * g + 1] * columns + i],
                                 x[laneRow[4 * g + 2] * columns + i], x[laneRow[4 * g + 3] * columns + i])
                }
                let y0 = y, y1 = y + d, y2 = y + 2 * d, y3 = y + 3 * d
                var sum0 = SIMD4<Double>.zero, sum1 = sum0, sum2 = sum0, sum3 = sum0
                var row = 0
                for i in 0..<d {
                    var s0 = inputs(0, i), s1 = inputs(1, i), s2 = inputs(2, i), s3 = inputs(3, i)
                    if shared {
                        let l = lane[0] + row
                        for j in 0..<i {
                            let c = SIMD4(repeating: l[j])
                            s0 -= c * y0[j]; s1 -= c * y1[j]; s2 -= c * y2[j]; s3 -= c * y3[j]
                        }
                    } else {
                        for j in 0..<i {
                            s0 -= gather(0, row + j) * y0[j]; s1 -= gather(1, row + j) * y1[j]
                            s2 -= gather(2, row + j) * y2[j]; s3 -= gather(3, row + j) * y3[j]
                        }
                    }
                    s0 /= gather(0, row + i); s1 /= gather(1, row + i); s2 /= gather(2, row + i); s3 /= gather(3, row + i)
                    y0[i] = s0; y1[i] = s1; y2[i] = s2; y3[i] = s3
                    sum0 += s0 * s0; sum1 += s1 * s1; sum2 += s2 * s2; sum3 += s3 * s3
                    row += i + 1
                }
                let sums = [sum0, sum1, sum2, sum3]
                for v in 0..<used { out[start + v] = sums[v / 4][v % 4].squareRoot() }
                start += used
            }
        }
        return out
    }

    /// Several factors of one dimension stored four to a vector (lane l of quad q is factor
    /// 4q + l), for one input row: each step of the substitution loads one vector for four
    /// factors instead of gathering four scalars. The same operations in the same order per
    /// factor as ``standardError(_:)``: the same bits.
    package struct Interleaved: Sendable {
        let dimension: Int
        let count: Int
        /// Per quad, the packed lower triangles' entries, four lanes each (the last quad repeats
        /// its last factor in the lanes it lacks).
        let quads: [[SIMD4<Double>]]

        package init?(_ factors: [LogitUncertainty]) {
            guard let d = factors.first?.dimension, factors.allSatisfy({ $0.dimension == d }) else { return nil }
            dimension = d
            count = factors.count
            quads = stride(from: 0, to: factors.count, by: 4).map { q in
                let lanes = (0..<4).map { factors[min(q + $0, factors.count - 1)].lower }
                return (0..<lanes[0].count).map { SIMD4(lanes[0][$0], lanes[1][$0], lanes[2][$0], lanes[3][$0]) }
            }
        }

        /// The standard error of every factor's logit at the input `x` (dimension − 1 values).
        package func standardErrors(_ x: UnsafeBufferPointer<Double>) -> [Double] {
            let d = dimension, columns = d - 1
            precondition(x.count >= columns, "one value per feature")
            var out = [Double](repeating: 0, count: count)
            let y = UnsafeMutablePointer<SIMD4<Double>>.allocate(capacity: 4 * d)
            defer { y.deallocate() }
            // Four quads a block: four independent chains of subtractions.
            var q = 0
            while q < quads.count {
                let used = min(4, quads.count - q)
                quads[q].withUnsafeBufferPointer { l0 in
                quads[q + min(1, used - 1)].withUnsafeBufferPointer { l1 in
                quads[q + min(2, used - 1)].withUnsafeBufferPointer { l2 in
                quads[q + min(3, used - 1)].withUnsafeBufferPointer { l3 in
                    let y0 = y, y1 = y + d, y2 = y + 2 * d, y3 = y + 3 * d
                    var sum0 = SIMD4<Double>.zero, sum1 = sum0, sum2 = sum0, sum3 = sum0
                    var row = 0
                    for i in 0..<d {
                        let input = SIMD4<Double>(repeating: i < columns ? x[i] : 1)
                        var s0 = input, s1 = input, s2 = input, s3 = input
                        for j in 0..<i {
                            s0 -= l0[row + j] * y0[j]; s1 -= l1[row + j] * y1[j]
                            s2 -= l2[row + j] * y2[j]; s3 -= l3[row + j] * y3[j]
                        }
                        s0 /= l0[row + i]; s1 /= l1[row + i]; s2 /= l2[row + i]; s3 /= l3[row + i]
                        y0[i] = s0; y1[i] = s1; y2[i] = s2; y3[i] = s3
                        sum0 += s0 * s0; sum1 += s1 * s1; sum2 += s2 * s2; sum3 += s3 * s3
                        row += i + 1
                    }
                    let sums = [sum0, sum1, sum2, sum3]
                    for g in 0..<used {
                        for lane in 0..<4 where 4 * (q + g) + lane < count {
                            out[4 * (q + g) + lane] = sums[g][lane].squareRoot()
                        }
                    }
                }}}}
                q += used
            }
            return out
        }
    }

    /// The packed factor as stored in a model file.
    var base64: String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(packed.count * 4)
        for v in packed { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return Data(bytes).base64EncodedString()
    }

    /// Reads a stored factor of dimension `n`; nil when the text is not base64 of the right length
    /// or a diagonal entry is not positive.
    init?(base64 text: String, dimension n: Int) {
        guard let data = Data(base64Encoded: text), data.count == n * (n + 1) / 2 * 4 else { return nil }
        // Little-endian Float32s, as `base64` writes them.
        let packed = data.withUnsafeBytes { raw in
            (0..<(n * (n + 1) / 2)).map { i in Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        }
        var row = 0
        for i in 0..<n {
            guard packed[row + i] > 0, packed[row...(row + i)].allSatisfy(\.isFinite) else { return nil }
            row += i + 1
        }
        self.init(dimension: n, packed: packed)
    }
}

extension LogitUncertainty {
    /// The two-sided normal quantile of a 95% interval.
    package static let z95 = 1.959963984540054

    /// The 95% interval of the probability at logit `z` with standard error `se`.
    package static func probabilityInterval(logit z: Double, standardError se: Double) -> ClosedRange<Double> {
        Sigmoid.probability(z - z95 * se)...Sigmoid.probability(z + z95 * se)
    }

    /// MacKay's moderated probability E[σ(z)] ≈ σ(z / √(1 + π·se²/8)): the probability shrunk
    /// toward ½ by the logit's uncertainty, used to rank offers learnt from few successes.
    package static func moderatedProbability(logit z: Double, standardError se: Double) -> Double {
        Sigmoid.probability(z / (1 + Double.pi * se * se / 8).squareRoot())
    }
}
