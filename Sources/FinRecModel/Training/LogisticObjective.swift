package import FinRecBase
import FinRecRecords
package import FinRecLinear
import FinRecFeatures
import FinRecCatalog
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The K L2-regularised logistic losses of a ``TrainingSet``, computed together: per block of
/// rows, one fused pass for the logits, losses and gradients of all K products
/// (``blockSums(x:weights:labels:rows:d:k:theta:)``); per product and block, one syrk for the
/// Hessian. Parameters of each product: d weights, then the intercept (not penalised).
///
/// Every block's partial sums are kept and added in block order, so values, gradients and
/// Hessians are bit-for-bit the same for any number of workers.
package struct LogisticObjective<Kernel: LinearAlgebraKernel>: JointObjective {
    let data: TrainingSet
    /// n × K: sample × class weight, 0 where a row says nothing about a product.
    let rowWeights: Matrix<Double>
    /// C per product.
    let c: [Double]
    let threads: ThreadPolicy
    let kernel: Kernel
    /// Per block, per product: the rows the product used in the blocks before (for the sample).
    private let usedBefore: [[Int]]
    /// Per product: the Hessian's row stride s (1: exact).
    let hessianStride: [Int]
    /// Rows per block.
    package static var blockRows: Int { 8_192 }

    /// - Parameter hessianSampleRows: a product that uses more rows than this gets its Hessian
    ///   from every s-th of its rows (s = rows ÷ this), scaled by s: a sub-sampled Newton
    ///   method. The gradient stays exact, so the solver still converges to the exact optimum,
    ///   linearly at a rate of about √(d / sample) (≈ 0.03 for d = 64) instead of
    ///   quadratically, while a Hessian costs O(sample · d²) instead of O(n · d²). 0 means
    ///   always exact.
    package init(data: TrainingSet, rowWeights: Matrix<Double>, c: [Double], threads: ThreadPolicy, kernel: Kernel,
         hessianSampleRows: Int = 65_536) {
        self.data = data
        self.rowWeights = rowWeights
        self.c = c
        self.threads = threads
        self.kernel = kernel
        let n = data.features.rows, k = data.labels.columns
        let blocks = (n + Self.blockRows - 1) / Self.blockRows
        var before = [[Int]](repeating: [Int](repeating: 0, count: k), count: blocks)
        var used = [Int](repeating: 0, count: k)
        rowWeights.withUnsafeBufferPointer { ws in
            for block in 0..<blocks {
                before[block] = used
                used.withUnsafeMutableBufferPointer { counts in  // not the boxed array per row
                    for i in (block * Self.blockRows)..<min(n, (block + 1) * Self.blockRows) {
                        for p in 0..<k where ws[i * k + p] != 0 { counts[p] += 1 }
                    }
                }
            }
        }
        usedBefore = before
        hessianStride = used.map { hessianSampleRows > 0 ? max(1, $0 / hessianSampleRows) : 1 }
    }

    package var problems: Int { data.labels.columns }
    package var dimension: Int { data.features.columns + 1 }
    /// Blocks of ``blockRows`` rows (the last may be shorter).
    private var blocks: Int { usedBefore.count }

    /// xᵀw over `count` elements, in four partial sums (two SIMD pairs) added in a fixed order,
    /// so the result is the same on every CPU.
    @inline(__always)
    static func dot(_ x: UnsafePointer<Double>, _ w: UnsafePointer<Double>, count: Int) -> Double {
        var s0 = Lanes.zero, s1 = Lanes.zero
        var j = 0
        while j &+ 4 <= count {
            s0 += load(x + j) * load(w + j)
            s1 += load(x + j + 2) * load(w + j + 2)
            j &+= 4
        }
        var sum = (s0 + s1).sum()
        while j < count { sum += x[j] * w[j]; j += 1 }
        return sum
    }

    /// Two values side by side: the SIMD lanes of the fused evaluation (pairs of features).
    typealias Lanes = SIMD2<Double>

    /// Objective values and gradients (coefficients then intercept) of every product at `theta`.
    package func evaluate(_ theta: [[Double]]) -> (values: [Double], gradients: [[Double]]) {
        let n = data.features.rows, d = data.features.columns, k = theta.count, blocks = self.blocks
        let parameters = theta.flatMap { $0 }  // K rows of d weights and the intercept
        let partial = ParallelResults<BlockSums>(count: blocks)
        threads.forEachRange(count: blocks, alignment: 1) { range in
            data.features.withUnsafeBufferPointer { xs in
                rowWeights.withUnsafeBufferPointer { ws in
                    data.labels.withUnsafeBufferPointer { ys in
                        parameters.withUnsafeBufferPointer { tp in
                            for block in range {
                                let start = block * Self.blockRows, rows = min(Self.blockRows, n - start)
                                partial.set(block, Self.blockSums(
                                    x: xs.baseAddress! + start * d, weights: ws.baseAddress! + start * k,
                                    labels: ys.baseAddress! + start * k, rows: rows, d: d, k: k, theta: tp.baseAddress!))
                            }
                        }
                    }
                }
            }
        }
        var loss = [Double](repeating: 0, count: k), intercept = [Double](repeating: 0, count: k)
        var gradient = [Double](repeating: 0, count: k * d)
        for sums in partial.values {
            for p in 0..<k { loss[p] += sums.loss[p]; intercept[p] += sums.intercept[p] }
            for j in 0..<(k * d) { gradient[j] += sums.gradient[j] }
        }
        var values = [Double](repeating: 0, count: k)
        var gradients = [[Double]](repeating: [], count: k)
        for p in 0..<k {
            values[p] = 0.5 * theta[p].prefix(d).reduce(0) { $0 + $1 * $1 } + c[p] * loss[p]
            gradients[p] = (0..<d).map { j in theta[p][j] + c[p] * gradient[p * d + j] } + [c[p] * intercept[p]]
        }
        return (values, gradients)
    }

    /// One block's part of the objective: per product, Σ vᵢ·log(1 + e^(−ȳᵢzᵢ)), Σ rᵢ and
    /// Σ rᵢ·xᵢ (K × d, row-major) with rᵢ = vᵢ(pᵢ − yᵢ).
    struct BlockSums: Sendable {
        var loss: [Double]
        var intercept: [Double]
        var gradient: [Double]
    }

    /// The block's logits, residuals, losses and gradients in one pass over its rows (the
    /// fused small-K kernel): per tile of four rows, the logits of two products at a time
    /// (``tileLogits``), the residuals and losses, then the tile's Rᵀ·X added while its rows
    /// are still in L1; SIMD lanes run over pairs of features, so nothing is broadcast in the
    /// inner loops. X is read from memory once per evaluation, where a gemm for the logits and
    /// another for the gradient read and packed it twice.
    ///
    /// Every sum has a fixed order and Swift does not contract a·b + c into a fused multiply-
    /// add, so the result is the same on every CPU and for any number of workers.
    /// - Parameter theta: K rows of d weights and the intercept.
    static func blockSums(x: UnsafePointer<Double>, weights: UnsafePointer<Double>, labels: UnsafePointer<Double>,
                          rows: Int, d: Int, k: Int, theta: UnsafePointer<Double>) -> BlockSums {
        let tile = 4, stride = d + 1
        var loss = [Double](repeating: 0, count: k), intercept = [Double](repeating: 0, count: k)
        let gradient = UnsafeMutablePointer<Double>.allocate(capacity: k * d)
        gradient.initialize(repeating: 0, count: k * d)
        // The tile's logits, then in place its residuals: z[r·K + p].
        let z = UnsafeMutablePointer<Double>.allocate(capacity: tile * k)
        // Stands in for the rows past the block's end in its last tile (their residuals are 0).
        let zeroRow = UnsafeMutablePointer<Double>.allocate(capacity: d)
        zeroRow.initialize(repeating: 0, count: d)
        defer { gradient.deallocate(); z.deallocate(); zeroRow.deallocate() }
        loss.withUnsafeMutableBufferPointer { lossSum in
            intercept.withUnsafeMutableBufferPointer { interceptSum in
                var first = 0
                while first < rows {
                    let live = min(tile, rows - first)
                    let x0 = x + first * d
                    let x1 = live > 1 ? x0 + d : UnsafePointer(zeroRow)
                    let x2 = live > 2 ? x0 + 2 * d : UnsafePointer(zeroRow)
                    let x3 = live > 3 ? x0 + 3 * d : UnsafePointer(zeroRow)
                    var p = 0
                    while p < k {
                        let q = min(p + 1, k - 1)  // an odd K's last product is computed twice
                        let (a, b) = tileLogits(x0, x1, x2, x3, theta + p * stride, theta + q * stride, d: d)
                        for r in 0..<tile {
                            z[r * k + p] = theta[p * stride + d] + a[r]
                            z[r * k + q] = theta[q * stride + d] + b[r]
                        }
                        p += 2
                    }
                    // Logits to residuals in place, summing each product's losses over the rows
                    // in order. log(1 + e^m), m = −z for y = 1 and z for y = 0, is max(m, 0) +
                    // log(1 + e^(−|z|)) without overflow; the same e^(−|z|) gives the sigmoid.
                    for p in 0..<k {
                        let w0 = weights[first * k + p]
                        var uniform = live == tile && w0 != 0
                        for r in 1..<tile where uniform && weights[(first + r) * k + p] != w0 { uniform = false }
                        if uniform {
                            // Four rows of one weight: one log of Π(1 + eᵣ) ∈ [1, 16] for the four
                            // (seven roundings: ≤ 1e-15 absolute per tile), three logs fewer.
                            var margins = 0.0, product = 1.0
                            for r in 0..<tile {
                                let logit = z[r * k + p], y = labels[(first + r) * k + p]
                                let e = exp(-abs(logit))
                                margins += max(y == 1 ? -logit : logit, 0)
                                product *= 1 + e
                                let residual = w0 * (Sigmoid.probability(logit, e: e) - y)
                                z[r * k + p] = residual
                                interceptSum[p] += residual
                            }
                            lossSum[p] += w0 * (margins + log(product))
                            continue
                        }
                        for r in 0..<tile {
                            let index = (first + r) * k + p
                            let weight = r < live ? weights[index] : 0
                            if weight == 0 { z[r * k + p] = 0; continue }
                            let logit = z[r * k + p], y = labels[index]
                            let e = exp(-abs(logit))
                            lossSum[p] += weight * (max(y == 1 ? -logit : logit, 0) + Sigmoid.logOnePlus(small: e))
                            let residual = weight * (Sigmoid.probability(logit, e: e) - y)
                            z[r * k + p] = residual
                            interceptSum[p] += residual
                        }
                    }
                    // The tile's Rᵀ·X: per product, g += r₀x₀ + r₁x₁ + r₂x₂ + r₃x₃.
                    for p in 0..<k {
                        let r0 = z[p], r1 = z[k + p], r2 = z[2 * k + p], r3 = z[3 * k + p]
                        let v0 = Lanes(repeating: r0), v1 = Lanes(repeating: r1), v2 = Lanes(repeating: r2), v3 = Lanes(repeating: r3)
                        let g = gradient + p * d
                        var j = 0
                        while j &+ 2 <= d {
                            let s = (v0 * load(x0 + j) + v1 * load(x1 + j)) + (v2 * load(x2 + j) + v3 * load(x3 + j))
                            UnsafeMutableRawPointer(g + j).storeBytes(of: load(g + j) + s, as: Lanes.self)
                            j &+= 2
                        }
                        if j < d { g[j] += (r0 * x0[j] + r1 * x1[j]) + (r2 * x2[j] + r3 * x3[j]) }
                    }
                    first += tile
                }
            }
        }
        return BlockSums(loss: loss, intercept: intercept, gradient: Array(UnsafeBufferPointer(start: gradient, count: k * d)))
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Double>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }

    /// x·w for four rows and two weight vectors `wa`, `wb` (each d long): eight sums in
    /// lanes over pairs of features, each finished by adding its two lanes.
    @inline(__always)
    static func tileLogits(_ x0: UnsafePointer<Double>, _ x1: UnsafePointer<Double>, _ x2: UnsafePointer<Double>,
                           _ x3: UnsafePointer<Double>, _ wa: UnsafePointer<Double>, _ wb: UnsafePointer<Double>,
                           d: Int) -> (SIMD4<Double>, SIMD4<Double>) {
        var a0 = Lanes.zero, a1 = Lanes.zero, a2 = Lanes.zero, a3 = Lanes.zero
        var b0 = Lanes.zero, b1 = Lanes.zero, b2 = Lanes.zero, b3 = Lanes.zero
        var j = 0
        while j &+ 2 <= d {
            let u = load(wa + j), v = load(wb + j)
            let y0 = load(x0 + j), y1 = load(x1 + j), y2 = load(x2 + j), y3 = load(x3 + j)
            a0 += y0 * u; a1 += y1 * u; a2 += y2 * u; a3 += y3 * u
            b0 += y0 * v; b1 += y1 * v; b2 += y2 * v; b3 += y3 * v
            j &+= 2
        }
        var a = SIMD4(a0.sum(), a1.sum(), a2.sum(), a3.sum()), b = SIMD4(b0.sum(), b1.sum(), b2.sum(), b3.sum())
        if j < d {
            let column = SIMD4(x0[j], x1[j], x2[j], x3[j])
            a += column * wa[j]
            b += column * wb[j]
        }
        return (a, b)
    }

    /// The Hessians of `problems` at `theta`: I (on the weights) + C · [X 1]ᵀ D [X 1], with
    /// D = diag(vᵢ pᵢ (1 − pᵢ)) over the product's rows. Per block and product, the rows with
    /// D > 0 are gathered scaled by √D (so products that cover few rows cost little) and one
    /// syrk adds the upper triangle of SᵀS. A product with more rows than ``hessianSampleRows``
    /// uses every s-th of its rows (``hessianStride``), each counted s times; only those rows'
    /// logits are computed, so a sampled Hessian reads about 1/s of X.
    ///
    /// Blocks are processed in waves of a few per worker, so memory stays at a few Hessians per
    /// worker whatever n; partial sums are still added in block order.
    /// - Complexity: O(Σₚ nₚ · (d + 1)² / 2) flops, nₚ the rows product p uses (sampled).
    package func hessians(_ theta: [[Double]], problems selected: [Int]) -> [[Double]] {
        _ = ThreadPolicy.libraryThreadsPinned
        let n = data.features.rows, d = data.features.columns, k = theta.count, dim = d + 1, blocks = self.blocks
        var total = [[Double]](repeating: [Double](repeating: 0, count: dim * dim), count: selected.count)
        let wave = 2 * threads.workers
        var first = 0
        while first < blocks {
            let count = min(wave, blocks - first), firstBlock = first
            let partial = ParallelResults<[[Double]]>(count: count)
            threads.forEachRange(count: count, alignment: 1) { range in
                // The gathered rows S; syrk reads only the rows written for it (no zeroing needed).
                let scaled = UnsafeMutablePointer<Double>.allocate(capacity: Self.blockRows * dim)
                defer { scaled.deallocate() }
                for j in range {
                    let start = (firstBlock + j) * Self.blockRows, rows = min(Self.blockRows, n - start)
                    var hessians: [[Double]] = []
                    data.features.withUnsafeBufferPointer { xs in
                        rowWeights.withUnsafeBufferPointer { ws in
                            for p in selected {
                                var used = 0
                                let stride = hessianStride[p]
                                // Rows the product uses before its next sampled one (ordinals 0, s, 2s, …).
                                var skip = (stride - usedBefore[firstBlock + j][p] % stride) % stride
                                theta[p].withUnsafeBufferPointer { wp in
                                    for i in start..<(start + rows) {
                                        let weight = ws[i * k + p]
                                        if weight == 0 { continue }
                                        if skip > 0 { skip -= 1; continue }
                                        skip = stride - 1
                                        let source = xs.baseAddress! + i * d, target = scaled + used * dim
                                        let logit = wp[d] + Self.dot(source, wp.baseAddress!, count: d)
                                        let e = exp(-abs(logit))
                                        let root = (Double(stride) * weight * e).squareRoot() / (1 + e)  // √(s·v·p(1−p))
                                        for jj in 0..<d { target[jj] = root * source[jj] }
                                        target[d] = root
                                        used += 1
                                    }
                                }
                                var h = [Double](repeating: 0, count: dim * dim)
                                if used > 0 {
                                    h.withUnsafeMutableBufferPointer { hp in
                                        kernel.syrk(.transposed, n: dim, k: used, alpha: 1, a: scaled, lda: dim,
                                                    beta: 0, c: hp.baseAddress!, ldc: dim)
                                    }
                                }
                                hessians.append(h)
                            }
                        }
                    }
                    partial.set(j, hessians)
                }
            }
            for block in partial.values {
                for q in selected.indices { for e in 0..<(dim * dim) { total[q][e] += block[q][e] } }
            }
            first += count
        }
        for (q, p) in selected.enumerated() {
            for e in 0..<(dim * dim) { total[q][e] *= c[p] }
            for j in 0..<d { total[q][j * dim + j] += 1 }
            // syrk wrote the upper triangle; mirror it.
            for i in 0..<dim { for j in 0..<i { total[q][i * dim + j] = total[q][j * dim + i] } }
        }
        return total
    }
}
