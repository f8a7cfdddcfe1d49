import FinRec
import Foundation
import Testing

@Suite("BLAS kernel surface against the reference kernel")
struct KernelTests {
    let blas = BLASKernel()
    let reference = ReferenceKernel()

    /// |a − b| ≤ tol·scale, elementwise.
    func close(_ a: [Double], _ b: [Double], tolerance: Double, scale: Double = 1) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(scale, 1) }
    }

    @Test("gemm agrees for every transpose combination",
          arguments: [Transpose.none, .transposed], [Transpose.none, .transposed])
    func gemmTransposes(transA: Transpose, transB: Transpose) {
        var rng = SplitMix64(seed: 3)
        let m = 13, n = 7, k = 29
        let a: Matrix<Double> = transA == .none ? rng.matrix(rows: m, columns: k) : rng.matrix(rows: k, columns: m)
        let b: Matrix<Double> = transB == .none ? rng.matrix(rows: k, columns: n) : rng.matrix(rows: n, columns: k)
        let c0: Matrix<Double> = rng.matrix(rows: m, columns: n)
        func run(_ kernel: some LinearAlgebraKernel) -> [Double] {
            var c = c0
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { cp in
                        kernel.gemm(transA, transB, m: m, n: n, k: k, alpha: 0.5, a: ap.baseAddress!, lda: a.columns,
                                    b: bp.baseAddress!, ldb: b.columns, beta: -2, c: cp.baseAddress!, ldc: n)
                    }
                }
            }
            return c.storage
        }
        #expect(close(run(blas), run(reference), tolerance: 1e-12, scale: Double(k)))
    }

    @Test("syrk's upper triangle is α·op(A)·op(A)ᵀ + β·C as gemm defines it, the lower triangle untouched",
          arguments: [Transpose.none, .transposed], [0.0, -2.0])
    func syrkAgainstGemm(trans: Transpose, beta: Double) {
        var rng = SplitMix64(seed: 5)
        let n = 11, k = 37
        let a: Matrix<Double> = trans == .none ? rng.matrix(rows: n, columns: k) : rng.matrix(rows: k, columns: n)
        let c0: Matrix<Double> = rng.matrix(rows: n, columns: n)
        // The definition: the full product through the reference gemm.
        var expected = c0
        a.withUnsafeBufferPointer { ap in
            expected.withUnsafeMutableBufferPointer { cp in
                reference.gemm(trans, trans == .none ? .transposed : .none, m: n, n: n, k: k, alpha: 0.5,
                               a: ap.baseAddress!, lda: a.columns, b: ap.baseAddress!, ldb: a.columns,
                               beta: beta, c: cp.baseAddress!, ldc: n)
            }
        }
        for kernel in [any LinearAlgebraKernel](arrayLiteral: blas, reference) {
            var c = c0
            if beta == 0 { for i in 0..<n { for j in i..<n { c[i, j] = .nan } } }  // β = 0: C not read
            a.withUnsafeBufferPointer { ap in
                c.withUnsafeMutableBufferPointer { cp in
                    kernel.syrk(trans, n: n, k: k, alpha: 0.5, a: ap.baseAddress!, lda: a.columns,
                                beta: beta, c: cp.baseAddress!, ldc: n)
                }
            }
            for i in 0..<n {
                for j in 0..<n {
                    if j >= i {
                        #expect(abs(c[i, j] - expected[i, j]) <= 1e-12 * Double(k), "(\(i), \(j)) with \(type(of: kernel))")
                    } else {
                        #expect(c[i, j] == c0[i, j], "lower (\(i), \(j)) written by \(type(of: kernel))")
                    }
                }
            }
        }
    }

    @Test("gemm with β = 0 ignores NaN already in C, as BLAS specifies")
    func gemmBetaZeroIgnoresC() {
        let a = Matrix<Float>(rows: 2, columns: 2, elements: [1, 2, 3, 4])
        for kernel in [any LinearAlgebraKernel](arrayLiteral: blas, reference) {
            var c = Matrix<Float>(rows: 2, columns: 2, repeating: .nan)
            a.withUnsafeBufferPointer { ap in
                c.withUnsafeMutableBufferPointer { cp in
                    kernel.gemm(.none, .none, m: 2, n: 2, k: 2, alpha: 1, a: ap.baseAddress!, lda: 2,
                                b: ap.baseAddress!, ldb: 2, beta: 0, c: cp.baseAddress!, ldc: 2)
                }
            }
            #expect(c.storage == [7, 10, 15, 22])
        }
    }

    @Test("gemv agrees in both orientations", arguments: [Transpose.none, .transposed])
    func gemv(trans: Transpose) {
        var rng = SplitMix64(seed: 5)
        let m = 37, n = 19
        let a: Matrix<Double> = rng.matrix(rows: m, columns: n)
        let x: [Double] = (0..<(trans == .none ? n : m)).map { _ in rng.normal() }
        let y0: [Double] = (0..<(trans == .none ? m : n)).map { _ in rng.normal() }
        func run(_ kernel: some LinearAlgebraKernel) -> [Double] {
            var y = y0
            a.withUnsafeBufferPointer { ap in
                x.withUnsafeBufferPointer { xp in
                    y.withUnsafeMutableBufferPointer { yp in
                        kernel.gemv(trans, m: m, n: n, alpha: 1.5, a: ap.baseAddress!, lda: n,
                                    x: xp.baseAddress!, beta: 0.25, y: yp.baseAddress!)
                    }
                }
            }
            return y
        }
        #expect(close(run(blas), run(reference), tolerance: 1e-12, scale: Double(m)))
    }

    @Test("dot, axpy, scal and nrm2 agree", arguments: [0, 1, 7, 8, 1000, 4097])
    func level1(count: Int) {
        var rng = SplitMix64(seed: UInt64(count))
        let x: [Double] = (0..<count).map { _ in rng.normal() }
        let y: [Double] = (0..<count).map { _ in rng.normal() }
        let tol = 1e-13 * Double(max(count, 1))
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                #expect(abs(blas.dot(xp, yp) - reference.dot(xp, yp)) <= tol)
                #expect(abs(blas.nrm2(xp) - reference.nrm2(xp)) <= tol)
            }
        }
        var y1 = y, y2 = y
        x.withUnsafeBufferPointer { xp in
            y1.withUnsafeMutableBufferPointer { blas.axpy(-0.75, xp, $0) }
            y2.withUnsafeMutableBufferPointer { reference.axpy(-0.75, xp, $0) }
        }
        #expect(close(y1, y2, tolerance: 1e-15))
        var s1 = x, s2 = x
        s1.withUnsafeMutableBufferPointer { blas.scal(3.5, $0) }
        s2.withUnsafeMutableBufferPointer { reference.scal(3.5, $0) }
        #expect(close(s1, s2, tolerance: 0))
    }

    @Test("nrm2 neither overflows nor underflows")
    func nrm2Range() {
        let big: [Double] = [3e200, 4e200]
        let tiny: [Float] = [3e-30, 4e-30]
        for kernel in [any LinearAlgebraKernel](arrayLiteral: blas, reference) {
            big.withUnsafeBufferPointer { #expect(abs(kernel.nrm2($0) / 5e200 - 1) < 1e-15) }
            tiny.withUnsafeBufferPointer { #expect(abs(kernel.nrm2($0) / 5e-30 - 1) < 1e-6) }
        }
    }

    @Test("OpenBLAS reports its configuration and the thread count FinRec sets (in a process of its own)")
    func threadControl() async {
        // OpenBLAS's thread count is process-wide and the other tests run beside this one, so
        // the change is made in a child process (an exit test), never in the test runner's.
        await #expect(processExitsWith: .success) {
            BLASKernel.setLibraryThreads(2)
            guard BLASKernel.libraryThreads == 2 else { exit(1) }
            BLASKernel.setLibraryThreads(1)
            guard BLASKernel.libraryThreads == 1, BLASKernel.libraryDescription.contains("OpenBLAS") else { exit(2) }
        }
    }
}
