import TensorCore

extension Kernels {
    /// C = α·op(A)·op(B) (+ β·C when accumulating), where op transposes when asked.
    ///
    /// Shapes: op(A) is [M, K], op(B) is [K, N], C is [M, N]. With `accumulate == false` C is
    /// overwritten (β ignored); with `accumulate == true`, C ← α·op(A)·op(B) + β·C.
    public static func gemm(_ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false,
                            alpha: Float = 1, beta: Float = 1, into c: inout Matrix, accumulate: Bool) {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(k == kb, "gemm: op(A) is \(m)×\(k) but op(B) is \(kb)×\(n) (A \(a.shapeDescription), B \(b.shapeDescription), transposeA \(transposeA), transposeB \(transposeB))")
        precondition(c.rows == m && c.columns == n, "gemm: C is \(c.shapeDescription), expected \(m)×\(n)")
        gemmBuiltin(m: m, n: n, k: k, a: a, b: b, transposeA: transposeA, transposeB: transposeB,
                    alpha: alpha, beta: accumulate ? beta : 0, c: &c)
    }

    /// op(A)·op(B) as a new matrix.
    public static func gemm(_ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false) -> Matrix {
        let m = transposeA ? a.columns : a.rows
        let n = transposeB ? b.rows : b.columns
        var c = Matrix(rows: m, columns: n)
        gemm(a, b, transposeA: transposeA, transposeB: transposeB, into: &c, accumulate: false)
        return c
    }

    /// The built-in GEMM: rows of C split across threads; for each row, an axpy over op(B) rows.
    static func gemmBuiltin(m: Int, n: Int, k: Int, a: Matrix, b: Matrix, transposeA: Bool, transposeB: Bool,
                            alpha: Float, beta: Float, c: inout Matrix) {
        let lda = a.columns, ldb = b.columns
        a.withUnsafeBufferPointer { aBuffer in
            b.withUnsafeBufferPointer { bBuffer in
                c.withUnsafeMutableBufferPointer { cBuffer in
                    guard m > 0, n > 0 else { return }
                    let ap = SharedPointer(aBuffer.baseAddress!)
                    let bp = SharedPointer(bBuffer.baseAddress!)
                    let cp = SharedMutablePointer(cBuffer.baseAddress!)
                    parallelRanges(m, minimumPerChunk: max(1, 65_536 / max(1, n * max(1, k)))) { rows in
                        for i in rows {
                            let cRow = cp.base + i * n
                            if beta == 0 {
                                for j in 0..<n { cRow[j] = 0 }
                            } else if beta != 1 {
                                for j in 0..<n { cRow[j] *= beta }
                            }
                            for p in 0..<k {
                                let aValue = alpha * (transposeA ? ap.base[p * lda + i] : ap.base[i * lda + p])
                                if aValue == 0 { continue }
                                if transposeB {
                                    for j in 0..<n { cRow[j] += aValue * bp.base[j * ldb + p] }
                                } else {
                                    let bRow = bp.base + p * ldb
                                    for j in 0..<n { cRow[j] += aValue * bRow[j] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
