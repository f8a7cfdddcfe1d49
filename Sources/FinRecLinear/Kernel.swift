import FinRecBase
import FinRecRecords
/// The scalar types FinRec's kernels compute in: `Float` and `Double`.
///
/// Training is always `Double`; batch scoring may use `Float` (see ``LinearScorer``
/// for the measured loss of precision).
package protocol KernelScalar: BinaryFloatingPoint, Sendable {
    /// Which BLAS routine family (`s…` or `d…`) serves this type.
    static var precision: KernelPrecision { get }
}

extension Float: KernelScalar {
    package static var precision: KernelPrecision { .float32 }
}

extension Double: KernelScalar {
    package static var precision: KernelPrecision { .float64 }
}

extension UnsafeMutableBufferPointer where Element: KernelScalar {
    /// Sets every element (initialised or not) to +0 with one fill of bytes: all-zero bits are +0
    /// in `Float` and `Double`. Generic code that runs unspecialised (a call across modules, a
    /// large function) would otherwise set each element through the type's value witnesses.
    @inlinable
    package func initializeToZero() {
        UnsafeMutableRawBufferPointer(self).initializeMemory(as: UInt8.self, repeating: 0)
    }
}

/// The floating-point precision of a kernel call.
package enum KernelPrecision: String, Sendable, CaseIterable {
    case float32 = "f32"
    case float64 = "f64"
}

/// Whether a matrix operand is used as stored or transposed.
package enum Transpose: Sendable {
    case none
    case transposed
}

/// The small linear-algebra surface FinRec needs, on row-major data.
///
/// Two conformances exist: ``BLASKernel`` calls OpenBLAS and is the one every
/// product path uses; ``ReferenceKernel`` is plain Swift and exists so tests can
/// check the BLAS path against an independent implementation.
///
/// All matrices are row-major. Leading dimensions (`lda`, `ldb`, `ldc`) are the
/// distance in elements between the starts of consecutive rows, as in CBLAS with
/// `CblasRowMajor`. Callers check shapes; kernels trap on inconsistent ones.
package protocol LinearAlgebraKernel: Sendable {
    /// C ← α·op(A)·op(B) + β·C, where op(A) is m×k, op(B) is k×n and C is m×n.
    func gemm<T: KernelScalar>(
        _ transA: Transpose, _ transB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: T, a: UnsafePointer<T>, lda: Int,
        b: UnsafePointer<T>, ldb: Int,
        beta: T, c: UnsafeMutablePointer<T>, ldc: Int)

    /// The upper triangle (i ≤ j) of C ← α·op(A)·op(A)ᵀ + β·C, where op(A) is n×k and C is n×n;
    /// the strict lower triangle of C is neither read nor written. With `.transposed`, A is
    /// stored k×n and C = α·AᵀA + β·C: the Gram matrix of A's columns, half the flops of gemm.
    func syrk<T: KernelScalar>(
        _ trans: Transpose, n: Int, k: Int,
        alpha: T, a: UnsafePointer<T>, lda: Int,
        beta: T, c: UnsafeMutablePointer<T>, ldc: Int)

    /// y ← α·op(A)·x + β·y, where A is m×n as stored.
    func gemv<T: KernelScalar>(
        _ trans: Transpose, m: Int, n: Int,
        alpha: T, a: UnsafePointer<T>, lda: Int,
        x: UnsafePointer<T>, beta: T, y: UnsafeMutablePointer<T>)

    /// xᵀy.
    func dot<T: KernelScalar>(_ x: UnsafeBufferPointer<T>, _ y: UnsafeBufferPointer<T>) -> T

    /// y ← α·x + y.
    func axpy<T: KernelScalar>(_ alpha: T, _ x: UnsafeBufferPointer<T>, _ y: UnsafeMutableBufferPointer<T>)

    /// x ← α·x.
    func scal<T: KernelScalar>(_ alpha: T, _ x: UnsafeMutableBufferPointer<T>)

    /// ‖x‖₂, computed without undue overflow or underflow.
    func nrm2<T: KernelScalar>(_ x: UnsafeBufferPointer<T>) -> T
}

extension LinearAlgebraKernel {
    /// Checks the operand shapes of a ``gemm(_:_:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` call.
    @inline(__always)
    func checkGemmShape(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int) {
        precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative dimension m=\(m) n=\(n) k=\(k)")
        let aCols = transA == .none ? k : m
        let bCols = transB == .none ? n : k
        precondition(lda >= max(1, aCols), "gemm: lda \(lda) is smaller than A's row length \(aCols)")
        precondition(ldb >= max(1, bCols), "gemm: ldb \(ldb) is smaller than B's row length \(bCols)")
        precondition(ldc >= max(1, n), "gemm: ldc \(ldc) is smaller than C's row length \(n)")
    }

    /// Checks the operand shapes of a ``syrk(_:n:k:alpha:a:lda:beta:c:ldc:)`` call.
    @inline(__always)
    func checkSyrkShape(_ trans: Transpose, n: Int, k: Int, lda: Int, ldc: Int) {
        precondition(n >= 0 && k >= 0, "syrk: negative dimension n=\(n) k=\(k)")
        let aCols = trans == .none ? k : n
        precondition(lda >= max(1, aCols), "syrk: lda \(lda) is smaller than A's row length \(aCols)")
        precondition(ldc >= max(1, n), "syrk: ldc \(ldc) is smaller than C's row length \(n)")
    }

    @inline(__always)
    func checkGemvShape(m: Int, n: Int, lda: Int) {
        precondition(m >= 0 && n >= 0, "gemv: negative dimension m=\(m) n=\(n)")
        precondition(lda >= max(1, n), "gemv: lda \(lda) is smaller than A's row length \(n)")
    }
}
