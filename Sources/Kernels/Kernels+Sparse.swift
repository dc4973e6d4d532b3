import TensorCore

extension Kernels {
    /// Calls `body` with raw pointers to a CSR matrix's arrays (valid even when it has no entries).
    @inline(__always)
    static func withCSR<R>(_ s: SparseMatrix,
                           _ body: (SharedPointer<Int>, SharedPointer<Int32>, SharedPointer<Float>) -> R) -> R {
        let empty: [Int32] = [0], emptyValues: [Float] = [0]
        return s.rowPointers.withUnsafeBufferPointer { pointers in
            (s.columnIndices.isEmpty ? empty : s.columnIndices).withUnsafeBufferPointer { indices in
                (s.values.isEmpty ? emptyValues : s.values).withUnsafeBufferPointer { values in
                    // rowPointers always has rows + 1 ≥ 1 entries; the others were made non-empty above.
                    guard let rp = pointers.baseAddress, let ip = indices.baseAddress, let vp = values.baseAddress
                    else { preconditionFailure("CSR arrays without storage") }
                    return body(SharedPointer(rp), SharedPointer(ip), SharedPointer(vp))
                }
            }
        }
    }

    /// y[0..<h] += v · x[0..<h], eight lanes at a time.
    @inline(__always)
    static func scaledAdd(_ v: Float, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count h: Int) {
        var j = 0
        while j + 8 <= h {
            let xv = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self)
            let yv = UnsafeRawPointer(y + j).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(y + j).storeBytes(of: yv + xv * v, as: SIMD8<Float>.self)
            j += 8
        }
        while j < h { y[j] += v * x[j]; j += 1 }
    }

    /// Bytes of G's column block that `sparseTransposeDenseProduct` tries to keep in cache (below a
    /// 2 MiB-class L2, leaving room for the rows being read).
    static let cacheBlockBytes = 1_536 * 1_024

    /// Columns per block of a randomly updated dense operand with `rows` rows and `h` columns: `h`
    /// when the whole operand is within `cacheBlockBytes`, else the widest multiple of 8 (at least 16)
    /// whose `rows × width` block is. E.g. ML-1M's I-AutoRec: [6040, 500] → blocks of 64 columns.
    static func columnBlockWidth(rows: Int, columns h: Int) -> Int {
        guard rows * h * MemoryLayout<Float>.stride > cacheBlockBytes else { return max(1, h) }
        return min(h, max(16, cacheBlockBytes / (MemoryLayout<Float>.stride * rows) / 8 * 8))
    }

    /// Y = S·D for CSR S [B, I] and dense D [I, H]: the sparse first encoder layer's forward pass.
    /// Rows of Y are split across threads; each row is a sum of the D rows its entries select.
    /// (The portable loop is not column-blocked: 64-column blocks of D read in place measured ~20%
    /// slower on I-AutoRec's ML-1M shape, their rows 2,000 bytes apart crowding a few L2 sets; the
    /// vector path copies such blocks into a contiguous buffer first, which pays.)
    /// On `path` `.vector` (the default where the CPU has AVX-512) `vectorSparseDenseProduct` does
    /// the same sums with wider vectors and, on large D, column blocks: identical bits.
    public static func sparseDenseProduct(_ s: SparseMatrix, _ d: Matrix, path: SparseProductPath = .fastest) -> Matrix {
        precondition(s.columns == d.rows, "sparseDenseProduct: S is \(s.rows)×\(s.columns), D is \(d.shapeDescription)")
        var y = Matrix(rows: s.rows, columns: d.columns)
        let h = d.columns, averagePerRow = max(1, s.nonZeroCount / max(1, s.rows))
        guard h > 0 else { return y }
        if path == .vector && s.nonZeroCount > 0 {
            vectorSparseDenseProduct(s, d, into: &y)
            return y
        }
        withCSR(s) { rp, ip, vp in
            d.withUnsafeBufferPointer { dBuffer in
                y.withUnsafeMutableBufferPointer { yBuffer in
                    guard let db = dBuffer.baseAddress, let yb = yBuffer.baseAddress else { return }
                    let dp = SharedPointer(db), yp = SharedMutablePointer(yb)
                    parallelRanges(s.rows, minimumPerChunk: max(1, 16_384 / (averagePerRow * h))) { rows in
                        for r in rows {
                            let yRow = yp.base + r * h
                            for e in rp.base[r]..<rp.base[r + 1] {
                                scaledAdd(vp.base[e], dp.base + Int(ip.base[e]) * h, into: yRow, count: h)
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    /// G += α·Sᵀ·D for CSR S [B, I] and dense D [B, H], G [I, H]: the sparse layer's weight gradient.
    /// Threads own disjoint column ranges of G (no races); within a range, entries are added in
    /// CSR order, so the result does not depend on scheduling. A range wider than G's cache block
    /// is done one block of columns at a time, so the G rows being updated stay in L2 (same order per
    /// element, same result). On I-AutoRec's ML-1M shape (G [6040, 500], 850k entries, 2 threads)
    /// 64-column blocks took 319 vs 412 CPU-ms per call (mean of 6 interleaved rounds, loaded machine).
    /// On `path` `.vector` (the default where the CPU has AVX-512) each thread's range goes to
    /// `vectorSparseTransposeDenseProduct`: the same sums, identical bits.
    public static func sparseTransposeDenseProduct(_ s: SparseMatrix, _ d: Matrix, alpha: Float = 1,
                                                   accumulatingInto g: inout Matrix, path: SparseProductPath = .fastest) {
        sparseTransposeDenseProduct(s, d, alpha: alpha, accumulatingInto: &g,
                                    blockWidth: columnBlockWidth(rows: g.rows, columns: g.columns), path: path)
    }

    /// `sparseTransposeDenseProduct` with at most `blockWidth` columns of G per block (portable path).
    static func sparseTransposeDenseProduct(_ s: SparseMatrix, _ d: Matrix, alpha: Float = 1,
                                            accumulatingInto g: inout Matrix, blockWidth: Int,
                                            path: SparseProductPath = .fastest) {
        precondition(blockWidth > 0, "sparseTransposeDenseProduct: block width \(blockWidth)")
        precondition(s.rows == d.rows && g.rows == s.columns && g.columns == d.columns,
                     "sparseTransposeDenseProduct: S is \(s.rows)×\(s.columns), D is \(d.shapeDescription), G is \(g.shapeDescription)")
        let h = d.columns
        guard h > 0, s.nonZeroCount > 0 else { return }
        let rows = s.rows, gRows = g.rows
        let columnChunks = max(1, min(threadCount, h / 16, s.nonZeroCount * h / 32_768))
        withCSR(s) { rp, ip, vp in
            d.withUnsafeBufferPointer { dBuffer in
                g.withUnsafeMutableBufferPointer { gBuffer in
                    guard let db = dBuffer.baseAddress, let gb = gBuffer.baseAddress else { return }
                    let dp = SharedPointer(db), gp = SharedMutablePointer(gb)
                    parallelFor(chunks: columnChunks) { chunk in
                        // Column ranges start on multiples of 8 so SIMD lanes stay whole.
                        let lanes = (h + 7) / 8
                        let start = min(h, chunk * lanes / columnChunks * 8)
                        let end = min(h, (chunk + 1) * lanes / columnChunks * 8)
                        if path == .vector {
                            vectorSparseTransposeDenseProduct(rowPointers: rp.base, columns: ip.base, values: vp.base,
                                                              rows: rows, entries: s.nonZeroCount, alpha: alpha,
                                                              d: dp.base, g: gp.base, gRows: gRows, h: h,
                                                              columns: start..<end)
                            return
                        }
                        var first = start
                        while first < end {
                            let width = min(blockWidth, end - first)
                            for r in 0..<rows {
                                let dRow = dp.base + r * h + first
                                for e in rp.base[r]..<rp.base[r + 1] {
                                    // ∂/∂G[i, :] of Σ_r S[r, i]·D[r, :] is S[r, i]·D[r, :]
                                    scaledAdd(alpha * vp.base[e], dRow, into: gp.base + Int(ip.base[e]) * h + first,
                                              count: width)
                                }
                            }
                            first += width
                        }
                    }
                }
            }
        }
    }
}
