extension Kernels {
    /// The register-blocked 6×8 micro-kernel: C[0..<6, 0..<8] ← α·Ã·B̃ + β·C over `depth` steps.
    ///
    /// `a` is a packed sliver (6 values per step), `b` a packed sliver (one SIMD8 per step). The
    /// tile lives in six SIMD8 accumulators (twelve SSE registers at the default x86-64 target),
    /// each step is one B load, six broadcasts and six multiply-adds. Edge tiles (fewer valid rows
    /// or columns) are computed in full on zero padding and only their valid part is written.
    /// β == 0 never reads C.
    @inline(__always)
    static func gemmMicroKernel(depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                c: UnsafeMutablePointer<Float>, ldc: Int, validRows: Int, validColumns: Int,
                                alpha: Float, beta: Float) {
        var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>()
        var c3 = SIMD8<Float>(), c4 = SIMD8<Float>(), c5 = SIMD8<Float>()
        var ap = a
        var bp = UnsafeRawPointer(b)
        for _ in 0..<depth {
            let bv = bp.loadUnaligned(as: SIMD8<Float>.self)
            c0 += bv * ap[0]    // C[r, :] += Ã[r, p] · B̃[p, :]
            c1 += bv * ap[1]
            c2 += bv * ap[2]
            c3 += bv * ap[3]
            c4 += bv * ap[4]
            c5 += bv * ap[5]
            ap += 6
            bp += 8 * MemoryLayout<Float>.stride
        }
        if validColumns == 8 && validRows == 6 {
            storeTileRow(c0, c, alpha: alpha, beta: beta)
            storeTileRow(c1, c + ldc, alpha: alpha, beta: beta)
            storeTileRow(c2, c + 2 * ldc, alpha: alpha, beta: beta)
            storeTileRow(c3, c + 3 * ldc, alpha: alpha, beta: beta)
            storeTileRow(c4, c + 4 * ldc, alpha: alpha, beta: beta)
            storeTileRow(c5, c + 5 * ldc, alpha: alpha, beta: beta)
            return
        }
        let tile = [c0, c1, c2, c3, c4, c5]
        for r in 0..<validRows {
            let row = c + r * ldc
            let values = tile[r]
            for j in 0..<validColumns {
                row[j] = beta == 0 ? alpha * values[j] : alpha * values[j] + beta * row[j]
            }
        }
    }

    /// Writes one full tile row: row ← α·v (β == 0) or α·v + β·row.
    @inline(__always)
    static func storeTileRow(_ v: SIMD8<Float>, _ row: UnsafeMutablePointer<Float>, alpha: Float, beta: Float) {
        let raw = UnsafeMutableRawPointer(row)
        if beta == 0 {
            raw.storeBytes(of: v * alpha, as: SIMD8<Float>.self)
        } else if beta == 1 {
            raw.storeBytes(of: v * alpha + raw.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
        } else {
            raw.storeBytes(of: v * alpha + raw.loadUnaligned(as: SIMD8<Float>.self) * beta, as: SIMD8<Float>.self)
        }
    }
}
