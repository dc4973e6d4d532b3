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
        withProductOperands("gemm", a, b, transposeA: transposeA, transposeB: transposeB, beta: beta, into: &c,
                            accumulate: accumulate) { p in
            if case .blas(let library) = backend, p.k > 0 {
                if let parts = library.partitionParts,
                   case let partition = GEMMPartition.plan(m: p.m, n: p.n, k: p.k, parts: parts), partition != .whole,
                   let aBase = p.a, let bBase = p.b,
                   partitionedSgemm(library: library, partition: partition, transposeA: transposeA,
                                    transposeB: transposeB, m: p.m, n: p.n, k: p.k, alpha: alpha,
                                    a: aBase, lda: p.lda, b: bBase, ldb: p.ldb, beta: p.beta, c: p.c, ldc: p.ldc) {
                    return
                }
                if library.sgemm(transposeA: transposeA, transposeB: transposeB, m: p.m, n: p.n, k: p.k,
                                 alpha: alpha, a: p.a, lda: p.lda, b: p.b, ldb: p.ldb, beta: p.beta, c: p.c, ldc: p.ldc) {
                    return
                }
            }
            guard let (aBase, bBase) = p.factorsElseScaleC(alpha: alpha) else { return }
            gemmBuiltin(m: p.m, n: p.n, k: p.k,
                        a: GEMMOperand(base: aBase, leadingDimension: p.lda, transposed: transposeA),
                        b: GEMMOperand(base: bBase, leadingDimension: p.ldb, transposed: transposeB),
                        alpha: alpha, beta: p.beta, c: p.c, ldc: p.ldc)
        }
    }

    /// C ← α·op(A)·op(B) + β·C as raw operands: the shapes (`productShape`), the leading
    /// dimensions of the row-major storage, β as applied (0 unless accumulating) and the buffers.
    struct ProductOperands {
        let m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int
        let beta: Float
        let a: UnsafePointer<Float>?, b: UnsafePointer<Float>?
        let c: UnsafeMutablePointer<Float>

        /// A's and B's storage when the product adds something to C; else (no depth, α = 0 or an
        /// empty operand) C scaled by β and nil.
        func factorsElseScaleC(alpha: Float) -> (UnsafePointer<Float>, UnsafePointer<Float>)? {
            guard k > 0, alpha != 0, let a, let b else {
                scaleInPlace(c, count: m * n, by: beta)
                return nil
            }
            return (a, b)
        }
    }

    /// Runs `body` on the operands of C ← α·op(A)·op(B) + β·C (shapes checked naming `caller`);
    /// nothing runs when C is empty. The one set-up of both product entry points, `gemm` and
    /// `gemmBFloat16`.
    static func withProductOperands(_ caller: String, _ a: Matrix, _ b: Matrix, transposeA: Bool, transposeB: Bool,
                                    beta: Float, into c: inout Matrix, accumulate: Bool,
                                    _ body: (ProductOperands) -> Void) {
        let (m, n, k) = productShape(caller, a, b, transposeA: transposeA, transposeB: transposeB, c: c)
        a.withUnsafeBufferPointer { aBuffer in
            b.withUnsafeBufferPointer { bBuffer in
                c.withUnsafeMutableBufferPointer { cBuffer in
                    guard m > 0, n > 0, let cBase = cBuffer.baseAddress else { return }
                    body(ProductOperands(m: m, n: n, k: k, lda: max(1, a.columns), ldb: max(1, b.columns), ldc: max(1, n),
                                         beta: accumulate ? beta : 0, a: aBuffer.baseAddress, b: bBuffer.baseAddress, c: cBase))
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
