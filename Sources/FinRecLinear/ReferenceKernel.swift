import FinRecBase
import FinRecRecords
/// A plain-Swift ``LinearAlgebraKernel`` with textbook loops.
///
/// It exists so that tests can check ``BLASKernel`` against an implementation
/// that shares no code with OpenBLAS. It is correct but slow: never use it on a
/// product path. Sums run left to right in the kernel's own precision.
package struct ReferenceKernel: LinearAlgebraKernel {
    package init() {}

    package func gemm<T: KernelScalar>(
        _ transA: Transpose, _ transB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: T, a: UnsafePointer<T>, lda: Int,
        b: UnsafePointer<T>, ldb: Int,
        beta: T, c: UnsafeMutablePointer<T>, ldc: Int
    ) {
        checkGemmShape(transA, transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        for i in 0..<m {
            for j in 0..<n {
                var sum: T = 0
                for p in 0..<k {
                    let aip = transA == .none ? a[i * lda + p] : a[p * lda + i]
                    let bpj = transB == .none ? b[p * ldb + j] : b[j * ldb + p]
                    sum += aip * bpj
                }
                // BLAS semantics: with β = 0, C is not read (it may hold NaN).
                let old = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = alpha * sum + old
            }
        }
    }

    package func syrk<T: KernelScalar>(
        _ trans: Transpose, n: Int, k: Int,
        alpha: T, a: UnsafePointer<T>, lda: Int,
        beta: T, c: UnsafeMutablePointer<T>, ldc: Int
    ) {
        checkSyrkShape(trans, n: n, k: k, lda: lda, ldc: ldc)
        for i in 0..<n {
            for j in i..<n {
                var sum: T = 0
                for p in 0..<k {
                    sum += trans == .none ? a[i * lda + p] * a[j * lda + p] : a[p * lda + i] * a[p * lda + j]
                }
                let old = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = alpha * sum + old
            }
        }
    }

    package func gemv<T: KernelScalar>(
        _ trans: Transpose, m: Int, n: Int,
        alpha: T, a: UnsafePointer<T>, lda: Int,
        x: UnsafePointer<T>, beta: T, y: UnsafeMutablePointer<T>
    ) {
        checkGemvShape(m: m, n: n, lda: lda)
        let outCount = trans == .none ? m : n
        let inCount = trans == .none ? n : m
        for i in 0..<outCount {
            var sum: T = 0
            for j in 0..<inCount {
                sum += (trans == .none ? a[i * lda + j] : a[j * lda + i]) * x[j]
            }
            y[i] = alpha * sum + (beta == 0 ? 0 : beta * y[i])
        }
    }

    package func dot<T: KernelScalar>(_ x: UnsafeBufferPointer<T>, _ y: UnsafeBufferPointer<T>) -> T {
        precondition(x.count == y.count, "dot: lengths differ (\(x.count) and \(y.count))")
        var sum: T = 0
        for i in 0..<x.count { sum += x[i] * y[i] }
        return sum
    }

    package func axpy<T: KernelScalar>(_ alpha: T, _ x: UnsafeBufferPointer<T>, _ y: UnsafeMutableBufferPointer<T>) {
        precondition(x.count == y.count, "axpy: lengths differ (\(x.count) and \(y.count))")
        for i in 0..<x.count { y[i] += alpha * x[i] }
    }

    package func scal<T: KernelScalar>(_ alpha: T, _ x: UnsafeMutableBufferPointer<T>) {
        for i in 0..<x.count { x[i] *= alpha }
    }

    package func nrm2<T: KernelScalar>(_ x: UnsafeBufferPointer<T>) -> T {
        // Scaled sum of squares (LAPACK's dnrm2 idea) so large and tiny values
        // neither overflow nor underflow.
        var scale: T = 0
        var ssq: T = 1
        for v in x where v != 0 {
            let absV = abs(v)
            if scale < absV {
                ssq = 1 + ssq * (scale / absV) * (scale / absV)
                scale = absV
            } else {
                ssq += (absV / scale) * (absV / scale)
            }
        }
        return scale * ssq.squareRoot()
    }
}
