import TensorCore

extension Kernels {
    /// C = α·op(A)·op(B) (+ β·C when accumulating), where op transposes when asked.
    ///
    /// Shapes: op(A) is [M, K], op(B) is [K, N], C is [M, N]. With `accumulate == false` C is
    /// overwritten (β ignored, C never read); with `accumulate == true`, C ← α·op(A)·op(B) + β·C.
    /// `backend` defaults to the process's active backend; tests pass each one explicitly.
    /// `precision` defaults to this thread's (`Kernels.productPrecision`: fp32 unless
    /// `AUTOENCODERZOO_PRECISION` or `withProductPrecision` says bf16); bf16 goes to `gemmBFloat16`
    /// on the fastest path, so every dense product of every model follows one switch.
    public static func gemm(_ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false,
                            alpha: Float = 1, beta: Float = 1, into c: inout Matrix, accumulate: Bool,
                            precision: ProductPrecision = Kernels.productPrecision,
                            backend: KernelBackend = Kernels.activeBackend) {
        if precision == .bfloat16 {
            gemmBFloat16(a, b, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta, into: &c,
                         accumulate: accumulate, backend: backend)
            return
        }
        let (m, n, k) = productShape("gemm", a, b, transposeA: transposeA, transposeB: transposeB, c: c)
        let effectiveBeta: Float = accumulate ? beta : 0
        let lda = max(1, a.columns), ldb = max(1, b.columns), ldc = max(1, n)
        a.withUnsafeBufferPointer { aBuffer in
            b.withUnsafeBufferPointer { bBuffer in
                c.withUnsafeMutableBufferPointer { cBuffer in
                    guard m > 0, n > 0, let cBase = cBuffer.baseAddress else { return }
                    if case .blas(let library) = backend, k > 0 {
                        if let parts = library.partitionParts,
                           case let partition = GEMMPartition.plan(m: m, n: n, k: k, parts: parts), partition != .whole,
                           let aBase = aBuffer.baseAddress, let bBase = bBuffer.baseAddress,
                           partitionedSgemm(library: library, partition: partition, transposeA: transposeA,
                                            transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                            a: aBase, lda: lda, b: bBase, ldb: ldb,
                                            beta: effectiveBeta, c: cBase, ldc: ldc) {
                            return
                        }
                        if library.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                         alpha: alpha, a: aBuffer.baseAddress, lda: lda,
                                         b: bBuffer.baseAddress, ldb: ldb,
                                         beta: effectiveBeta, c: cBase, ldc: ldc) {
                            return
                        }
                    }
                    guard k > 0, alpha != 0, let aBase = aBuffer.baseAddress, let bBase = bBuffer.baseAddress else {
                        scaleInPlace(cBase, count: m * n, by: effectiveBeta)
                        return
                    }
                    gemmBuiltin(m: m, n: n, k: k,
                                a: GEMMOperand(base: aBase, leadingDimension: lda, transposed: transposeA),
                                b: GEMMOperand(base: bBase, leadingDimension: ldb, transposed: transposeB),
                                alpha: alpha, beta: effectiveBeta, c: cBase, ldc: ldc)
                }
            }
        }
    }

    /// The rows of op(A), the columns of op(B) and their shared depth for C ← op(A)·op(B); a depth
    /// or a C that does not fit stops with the shapes, naming `caller`.
    static func productShape(_ caller: String, _ a: Matrix, _ b: Matrix, transposeA: Bool, transposeB: Bool,
                             c: Matrix) -> (m: Int, n: Int, k: Int) {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(k == kb, "\(caller): op(A) is \(m)×\(k) but op(B) is \(kb)×\(n) (A \(a.shapeDescription), B \(b.shapeDescription), transposeA \(transposeA), transposeB \(transposeB))")
        precondition(c.rows == m && c.columns == n, "\(caller): C is \(c.shapeDescription), expected \(m)×\(n)")
        return (m, n, k)
    }

    /// op(A)·op(B) as a new matrix.
    public static func gemm(_ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false,
                            precision: ProductPrecision = Kernels.productPrecision,
                            backend: KernelBackend = Kernels.activeBackend) -> Matrix {
        let m = transposeA ? a.columns : a.rows
        let n = transposeB ? b.rows : b.columns
        var c = Matrix(rows: m, columns: n)
        gemm(a, b, transposeA: transposeA, transposeB: transposeB, into: &c, accumulate: false, precision: precision,
             backend: backend)
        return c
    }

    /// C += α·op(A)·op(B): the weight-gradient accumulation of a dense layer's backward pass.
    public static func gemm(_ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false,
                            alpha: Float = 1, accumulatingInto c: inout Matrix,
                            precision: ProductPrecision = Kernels.productPrecision,
                            backend: KernelBackend = Kernels.activeBackend) {
        gemm(a, b, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: 1, into: &c,
             accumulate: true, precision: precision, backend: backend)
    }

    /// x[0..<count] ← β·x, writing zeros (not β·x) when β == 0 so NaNs in unread output vanish.
    static func scaleInPlace(_ x: UnsafeMutablePointer<Float>, count: Int, by beta: Float) {
        if beta == 0 {
            x.update(repeating: 0, count: count)
        } else if beta != 1 {
            for i in 0..<count { x[i] *= beta }
        }
    }
}
