import FinRec
import Testing

/// Shapes (rows n, features d, products K) from 1×1 to 100,000×256, with K from 1 to 16 and
/// sizes that are not multiples of the 4- and 8-wide SIMD kernels.
let scorerShapes: [(n: Int, d: Int, k: Int)] = [
    (1, 1, 1), (1, 5, 3), (2, 1, 16), (3, 7, 1), (17, 9, 6), (64, 32, 10), (129, 33, 7),
    (1_000, 128, 16), (4_099, 63, 11), (10_007, 255, 1), (100_000, 256, 16),
]

@Suite("LinearScorer against an accurate reference")
struct LinearScorerTests {
    /// Checks every logit of `kernel`'s result against an accurate (Dot2) value computed from
    /// the very same rounded inputs: |ẑ − z| ≤ γ₍d+2₎·(Σ|xⱼwⱼ| + |b|). Large shapes are checked
    /// on a seeded sample of rows to keep the Dot2 reference affordable in debug builds.
    func check<T: KernelScalar, K: LinearAlgebraKernel>(
        _ type: T.Type, kernel: K, n: Int, d: Int, k: Int, threads: ThreadPolicy = .allCores
    ) -> (worst: Double, checked: Int) {
        var rng = SplitMix64(seed: UInt64(n * 1_000_003 + d * 1009 + k))
        let x: Matrix<T> = rng.matrix(rows: n, columns: d)
        let w: Matrix<T> = rng.matrix(rows: k, columns: d, scale: 0.3)
        let b: [T] = (0..<k).map { _ in T(rng.normal()) }
        let z = LinearScorer(weights: w, intercepts: b).logits(for: x, kernel: kernel, threads: threads)
        #expect(z.rows == n && z.columns == k)
        let rows = n <= 5_000 ? Array(0..<n) : (0..<2_000).map { _ in Int.random(in: 0..<n, using: &rng) } + [0, n - 1]
        let g = gamma(d + 2, for: T.self)
        var worst = 0.0
        for i in rows {
            let xi = x.row(i).map(Double.init)
            for p in 0..<k {
                let wp = w.row(p).map(Double.init)
                let exact = Accurate.affine(xi, wp, plus: Double(b[p]))
                let magnitude = zip(xi, wp).reduce(abs(Double(b[p]))) { $0 + abs($1.0 * $1.1) }
                let error = abs(Double(z[i, p]) - exact)
                #expect(error <= g * magnitude, "row \(i) product \(p): error \(error) > bound \(g * magnitude)")
                worst = max(worst, magnitude > 0 ? error / magnitude : 0)
            }
        }
        return (worst, rows.count)
    }

    @Test("BLAS Float64 logits are within the γ(d+2) bound", arguments: scorerShapes)
    func blasFloat64(shape: (n: Int, d: Int, k: Int)) {
        _ = check(Double.self, kernel: BLASKernel(), n: shape.n, d: shape.d, k: shape.k)
    }

    @Test("BLAS Float32 logits are within the γ(d+2) bound", arguments: scorerShapes)
    func blasFloat32(shape: (n: Int, d: Int, k: Int)) {
        _ = check(Float.self, kernel: BLASKernel(), n: shape.n, d: shape.d, k: shape.k)
    }

    @Test("The reference kernel is within the same bound", arguments: scorerShapes.filter { $0.n * $0.d * $0.k <= 20_000_000 })
    func reference(shape: (n: Int, d: Int, k: Int)) {
        _ = check(Double.self, kernel: ReferenceKernel(), n: shape.n, d: shape.d, k: shape.k)
        _ = check(Float.self, kernel: ReferenceKernel(), n: shape.n, d: shape.d, k: shape.k)
    }

    @Test("BLAS and reference kernels agree element by element", arguments: scorerShapes.filter { $0.n * $0.d * $0.k <= 20_000_000 })
    func blasAgreesWithReference(shape: (n: Int, d: Int, k: Int)) {
        var rng = SplitMix64(seed: 42)
        let x: Matrix<Double> = rng.matrix(rows: shape.n, columns: shape.d)
        let w: Matrix<Double> = rng.matrix(rows: shape.k, columns: shape.d, scale: 0.3)
        let scorer = LinearScorer(weights: w, intercepts: [Double](repeating: 0.25, count: shape.k))
        let blas = scorer.logits(for: x, kernel: BLASKernel())
        let reference = scorer.logits(for: x, kernel: ReferenceKernel())
        // Both are within γ(d+2)·m of the exact value, so within twice that of each other.
        let g = gamma(shape.d + 2, for: Double.self)
        for i in 0..<shape.n {
            for p in 0..<shape.k {
                let m = zip(x.row(i), w.row(p)).reduce(0.25) { $0 + abs($1.0 * $1.1) }
                #expect(abs(blas[i, p] - reference[i, p]) <= 2 * g * m)
            }
        }
    }

    @Test("The worker count does not change a single bit of the logits", arguments: [2, 3, 4, 7])
    func threadInvariance(workers: Int) {
        var rng = SplitMix64(seed: 7)
        let x: Matrix<Float> = rng.matrix(rows: 9_001, columns: 128)
        let w: Matrix<Float> = rng.matrix(rows: 10, columns: 128, scale: 0.2)
        let b: [Float] = (0..<10).map { Float($0) / 10 }
        var scorer = LinearScorer(weights: w, intercepts: b)
        scorer.blockRows = 1000
        let baseline = scorer.logits(for: x, threads: .singleThreaded)
        let z = scorer.logits(for: x, threads: ThreadPolicy(workers: workers))
        let firstDifference = z.storage.indices.first { z.storage[$0].bitPattern != baseline.storage[$0].bitPattern }
        #expect(firstDifference == nil, "logit \(firstDifference ?? -1) differs from the single-threaded run")
    }

    /// The logits of `x` scored in chunks that start at the given row offsets, put back together.
    static func chunked<T: KernelScalar>(_ scorer: LinearScorer<T>, _ x: Matrix<T>, starts: [Int], threads: ThreadPolicy) -> [T] {
        var out: [T] = []
        for (a, b) in zip(starts, starts.dropFirst() + [x.rows]) where a < b {
            let part = Matrix(rows: b - a, columns: x.columns, elements: Array(x.storage[(a * x.columns)..<(b * x.columns)]))
            out += scorer.logits(for: part, firstRow: a, threads: threads).storage
        }
        return out
    }

    static func firstBitDifference<T: KernelScalar>(_ a: [T], _ b: [T]) -> Int? {
        a.count != b.count ? -1 : a.indices.first { a[$0] != b[$0] || a[$0].sign != b[$0].sign }
    }

    @Test("A row's logits do not depend on the chunk it is scored in (any chunking, BLAS, both precisions)",
          arguments: [[0], [0, 1], [0, 7, 300, 301], [0, 255, 256, 257, 1_000], Array(stride(from: 0, to: 1_500, by: 97))])
    func chunkingInvariance(starts: [Int]) {
        var rng = SplitMix64(seed: 11)
        let x64: Matrix<Double> = rng.matrix(rows: 1_500, columns: 71)
        let w64: Matrix<Double> = rng.matrix(rows: 10, columns: 71, scale: 0.3)
        let b64 = (0..<10).map { _ in rng.normal() }
        let scorer64 = LinearScorer(weights: w64, intercepts: b64)
        let whole64 = scorer64.logits(for: x64).storage
        #expect(Self.firstBitDifference(Self.chunked(scorer64, x64, starts: starts, threads: .singleThreaded), whole64) == nil)
        #expect(Self.firstBitDifference(Self.chunked(scorer64, x64, starts: starts, threads: ThreadPolicy(workers: 3)), whole64) == nil)
        let x32 = x64.converted(to: Float.self)
        let scorer32 = LinearScorer(weights: w64.converted(to: Float.self), intercepts: b64.map { Float($0) })
        let whole32 = scorer32.logits(for: x32).storage
        #expect(Self.firstBitDifference(Self.chunked(scorer32, x32, starts: starts, threads: .singleThreaded), whole32) == nil)
    }

    @Test("Equal rows get equal logits wherever they sit in a chunk")
    func positionInvariance() {
        var rng = SplitMix64(seed: 12)
        let d = 71, k = 10
        var x: Matrix<Double> = rng.matrix(rows: 700, columns: d)
        let row = (0..<d).map { _ in rng.normal() * 3 }
        // The same row at every position of the first block, across the block border and in the tail.
        let positions = Array(0..<260) + [511, 512, 600, 699]
        for i in positions { for j in 0..<d { x[i, j] = row[j] } }
        let scorer = LinearScorer(weights: rng.matrix(rows: k, columns: d, scale: 0.3), intercepts: (0..<k).map { _ in rng.normal() })
        let z = scorer.logits(for: x)
        let alone = scorer.logits(for: Matrix(rows: 1, columns: d, elements: row)).storage
        for i in positions {
            #expect(Array(z.row(i)) == alone, "row \(i) differs from the row scored alone")
        }
    }

    @Test("Other block sizes change logits by rounding only", arguments: [1, 77, 1000, 100_000])
    func blockSizeChangesOnlyRounding(block: Int) {
        var rng = SplitMix64(seed: 8)
        let x: Matrix<Double> = rng.matrix(rows: 3_001, columns: 64)
        let w: Matrix<Double> = rng.matrix(rows: 6, columns: 64, scale: 0.2)
        let reference = LinearScorer(weights: w, intercepts: [Double](repeating: 0, count: 6)).logits(for: x)
        var scorer = LinearScorer(weights: w, intercepts: [Double](repeating: 0, count: 6))
        scorer.blockRows = block
        let z = scorer.logits(for: x, threads: ThreadPolicy(workers: 2))
        let worst = zip(z.storage, reference.storage).map { abs($0 - $1) }.max() ?? 0
        // Each logit sums 64 products of magnitude ~0.2·|N(0,1)|: 2·γ(66)·64·0.2 ≈ 4e-13.
        #expect(worst <= 2 * gamma(66, for: Double.self) * 64 * 0.2 * 4)
    }

    @Test("Float32 logits stay within 1e-4 of Float64 on standardised features")
    func float32AgainstFloat64() {
        var rng = SplitMix64(seed: 11)
        let x: Matrix<Double> = rng.matrix(rows: 20_000, columns: 128)
        let w: Matrix<Double> = rng.matrix(rows: 16, columns: 128, scale: 0.1)
        let b = (0..<16).map { Double($0) / 8 - 1 }
        let z64 = LinearScorer(weights: w, intercepts: b).logits(for: x)
        let z32 = LinearScorer(weights: w.converted(to: Float.self), intercepts: b.map(Float.init))
            .logits(for: x.converted(to: Float.self))
        let worst = zip(z64.storage, z32.storage).map { abs($0 - Double($1)) }.max()!
        // Inputs rounded to Float32 (relative 6e-8 each) plus Float32 accumulation over 128 terms
        // of magnitude ~0.1: the documented figure is ~1e-5; 1e-4 leaves headroom and still
        // catches a path that silently truncated or skipped terms.
        #expect(worst < 1e-4)
        #expect(worst > 0, "Float32 path should differ from Float64 at all; did it compute in Float64?")
    }

    @Test("An empty chunk and a model with no features score to intercepts only")
    func degenerateShapes() {
        let scorer = LinearScorer<Double>(weights: Matrix(rows: 3, columns: 0), intercepts: [1, -2, 0.5])
        let z = scorer.logits(for: Matrix(rows: 4, columns: 0))
        #expect(z.storage == Array(repeating: [1.0, -2, 0.5], count: 4).flatMap { $0 })
        let empty = LinearScorer<Double>(weights: Matrix(rows: 2, columns: 3), intercepts: [0, 0])
            .logits(for: Matrix(rows: 0, columns: 3))
        #expect(empty.rows == 0 && empty.columns == 2)
    }

    @Test("A scorer built from a model keeps the model's product order and values")
    func scorerFromModel() {
        let model = LinearModel(featureNames: ["a", "b"], products: [
            .init(id: "p1", chineseName: "甲", englishName: "P1", intercept: 0.5, weights: [1, 2]),
            .init(id: "p2", chineseName: "乙", englishName: "P2", intercept: -1, weights: [-3, 0.25]),
        ])
        let z = LinearScorer<Double>(model: model).logits(for: Matrix(rows: 1, columns: 2, elements: [2, 4]))
        #expect(abs(z[0, 0] - 10.5) <= 1e-12 && abs(z[0, 1] + 6) <= 1e-12)
    }
}
