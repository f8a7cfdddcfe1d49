import FinRecBase
import FinRecRecords
internal import CBLAS

/// ``LinearAlgebraKernel`` backed by OpenBLAS. This is the only file that imports CBLAS.
///
/// OpenBLAS keeps one process-wide thread count. FinRec sets it explicitly through
/// ``setLibraryThreads(_:)`` (see ``ThreadPolicy``) instead of leaving it to the
/// `OPENBLAS_NUM_THREADS` environment variable or the library default.
package struct BLASKernel: LinearAlgebraKernel {
    package init() {}

    /// Sets the number of threads OpenBLAS uses inside one call.
    ///
    /// FinRec's scorers and trainers split rows across their own workers and call
    /// OpenBLAS with one thread each; for the skinny shapes of scoring, that ran
    /// faster than OpenBLAS's own threading (see Benchmarks/README.md).
    package static func setLibraryThreads(_ count: Int) {
        precondition(count >= 1, "OpenBLAS needs at least one thread, got \(count)")
        openblas_set_num_threads(Int32(clamping: count))
    }

    /// The number of threads OpenBLAS currently uses inside one call.
    package static var libraryThreads: Int { Int(openblas_get_num_threads()) }

    /// OpenBLAS's build configuration and the CPU kernel it picked at run time.
    package static var libraryDescription: String {
        let config = openblas_get_config().map { String(cString: $0) } ?? "unknown"
        let core = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        return "OpenBLAS \(config) (core: \(core))"
    }

    private static func cblas(_ t: Transpose) -> CBLAS_TRANSPOSE {
        t == .none ? CblasNoTrans : CblasTrans
    }

    package func gemm<T: KernelScalar>(
        _ transA: Transpose, _ transB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: T, a: UnsafePointer<T>, lda: Int,
        b: UnsafePointer<T>, ldb: Int,
        beta: T, c: UnsafeMutablePointer<T>, ldc: Int
    ) {
        checkGemmShape(transA, transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        if m == 0 || n == 0 { return }
        let ta = Self.cblas(transA), tb = Self.cblas(transB)
        switch T.precision {
        case .float32:
            cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k),
                        Float(alpha), UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), Int32(lda),
                        UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), Int32(ldb),
                        Float(beta), UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), Int32(ldc))
        case .float64:
            cblas_dgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k),
                        Double(alpha), UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), Int32(lda),
                        UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), Int32(ldb),
                        Double(beta), UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), Int32(ldc))
        }
    }

    package func syrk<T: KernelScalar>(
        _ trans: Transpose, n: Int, k: Int,
        alpha: T, a: UnsafePointer<T>, lda: Int,
        beta: T, c: UnsafeMutablePointer<T>, ldc: Int
    ) {
        checkSyrkShape(trans, n: n, k: k, lda: lda, ldc: ldc)
        if n == 0 { return }
        let t = Self.cblas(trans)
        switch T.precision {
        case .float32:
            cblas_ssyrk(CblasRowMajor, CblasUpper, t, Int32(n), Int32(k),
                        Float(alpha), UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), Int32(lda),
                        Float(beta), UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), Int32(ldc))
        case .float64:
            cblas_dsyrk(CblasRowMajor, CblasUpper, t, Int32(n), Int32(k),
                        Double(alpha), UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), Int32(lda),
                        Double(beta), UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), Int32(ldc))
        }
    }

    package func gemv<T: KernelScalar>(
        _ trans: Transpose, m: Int, n: Int,
        alpha: T, a: UnsafePointer<T>, lda: Int,
        x: UnsafePointer<T>, beta: T, y: UnsafeMutablePointer<T>
    ) {
        checkGemvShape(m: m, n: n, lda: lda)
        let yCount = trans == .none ? m : n
        if yCount == 0 { return }
        switch T.precision {
        case .float32:
            cblas_sgemv(CblasRowMajor, Self.cblas(trans), Int32(m), Int32(n),
                        Float(alpha), UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), Int32(lda),
                        UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), 1,
                        Float(beta), UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), 1)
        case .float64:
            cblas_dgemv(CblasRowMajor, Self.cblas(trans), Int32(m), Int32(n),
                        Double(alpha), UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), Int32(lda),
                        UnsafeRawPointer(x).assumingMemoryBound(to: Double.self), 1,
                        Double(beta), UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self), 1)
        }
    }

    package func dot<T: KernelScalar>(_ x: UnsafeBufferPointer<T>, _ y: UnsafeBufferPointer<T>) -> T {
        precondition(x.count == y.count, "dot: lengths differ (\(x.count) and \(y.count))")
        guard let xp = x.baseAddress, let yp = y.baseAddress, x.count > 0 else { return 0 }
        switch T.precision {
        case .float32:
            return T(cblas_sdot(Int32(x.count), UnsafeRawPointer(xp).assumingMemoryBound(to: Float.self), 1,
                                UnsafeRawPointer(yp).assumingMemoryBound(to: Float.self), 1))
        case .float64:
            return T(cblas_ddot(Int32(x.count), UnsafeRawPointer(xp).assumingMemoryBound(to: Double.self), 1,
                                UnsafeRawPointer(yp).assumingMemoryBound(to: Double.self), 1))
        }
    }

    package func axpy<T: KernelScalar>(_ alpha: T, _ x: UnsafeBufferPointer<T>, _ y: UnsafeMutableBufferPointer<T>) {
        precondition(x.count == y.count, "axpy: lengths differ (\(x.count) and \(y.count))")
        guard let xp = x.baseAddress, let yp = y.baseAddress, x.count > 0 else { return }
        switch T.precision {
        case .float32:
            cblas_saxpy(Int32(x.count), Float(alpha), UnsafeRawPointer(xp).assumingMemoryBound(to: Float.self), 1,
                        UnsafeMutableRawPointer(yp).assumingMemoryBound(to: Float.self), 1)
        case .float64:
            cblas_daxpy(Int32(x.count), Double(alpha), UnsafeRawPointer(xp).assumingMemoryBound(to: Double.self), 1,
                        UnsafeMutableRawPointer(yp).assumingMemoryBound(to: Double.self), 1)
        }
    }

    package func scal<T: KernelScalar>(_ alpha: T, _ x: UnsafeMutableBufferPointer<T>) {
        guard let xp = x.baseAddress, x.count > 0 else { return }
        switch T.precision {
        case .float32:
            cblas_sscal(Int32(x.count), Float(alpha), UnsafeMutableRawPointer(xp).assumingMemoryBound(to: Float.self), 1)
        case .float64:
            cblas_dscal(Int32(x.count), Double(alpha), UnsafeMutableRawPointer(xp).assumingMemoryBound(to: Double.self), 1)
        }
    }

    package func nrm2<T: KernelScalar>(_ x: UnsafeBufferPointer<T>) -> T {
        guard let xp = x.baseAddress, x.count > 0 else { return 0 }
        switch T.precision {
        case .float32:
            return T(cblas_snrm2(Int32(x.count), UnsafeRawPointer(xp).assumingMemoryBound(to: Float.self), 1))
        case .float64:
            return T(cblas_dnrm2(Int32(x.count), UnsafeRawPointer(xp).assumingMemoryBound(to: Double.self), 1))
        }
    }
}

extension ThreadPolicy {
    /// Pins OpenBLAS to one thread per call, once per process. Every FinRec path that
    /// calls BLAS goes through here first, so the library never oversubscribes the
    /// cores by running its own threads inside FinRec's workers.
    package static let libraryThreadsPinned: Bool = {
        BLASKernel.setLibraryThreads(1)
        return true
    }()
}
