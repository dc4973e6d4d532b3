import TensorCore

extension Kernels {
    /// G = Sᵀ·S for a CSR matrix S [R, C], written over G [C, C] (its old values are never read, so
    /// a caller can reuse the storage of a matrix it no longer needs; nothing [C, C] is allocated).
    ///
    /// Row i of G is Σ over the rows u with an entry in column i of s_ui · S[u, :]: each thread owns
    /// whole rows of G (ranges balanced by their work, Σ_u nnz(u) over column i's rows) and adds the
    /// selected CSR rows in ascending u, so every entry is summed in one order whatever the thread
    /// count and the result is reproducible. Work is Σ_u nnz(u)² multiply-adds; a 0/1 matrix gives
    /// exact counts up to 2²⁴.
    public static func sparseGram(_ s: SparseMatrix, into g: inout Matrix) {
        let n = s.columns
        precondition(g.rows == n && g.columns == n, "sparseGram: S is \(s.rows)×\(n), G is \(g.shapeDescription), expected \(n)×\(n)")
        guard n > 0 else { return }
        let t = s.transposed()                                  // [C, R]: row i lists the rows with an entry in column i
        let ranges = balancedRowRanges(cost: columnWork(s, transposed: t), pieces: threadCount * 4)
        withCSR(s) { rp, ip, vp in
            withCSR(t) { tp, tip, tvp in
                g.withUnsafeMutableBufferPointer { gBuffer in
                    guard let gBase = gBuffer.baseAddress else { return }
                    let gp = SharedMutablePointer(gBase)
                    parallelFor(chunks: ranges.count) { chunk in
                        for i in ranges[chunk] {
                            let row = gp.base + i * n
                            row.update(repeating: 0, count: n)
                            for e in tp.base[i]..<tp.base[i + 1] {
                                let u = Int(tip.base[e]), weight = tvp.base[e]
                                for f in rp.base[u]..<rp.base[u + 1] {
                                    row[Int(ip.base[f])] += weight * vp.base[f]
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The multiply-adds of each row of Sᵀ·S: Σ over the rows u with an entry in column i of nnz(u).
    static func columnWork(_ s: SparseMatrix, transposed t: SparseMatrix) -> [Int] {
        (0..<t.rows).map { i in t.columns(inRow: i).reduce(1) { $0 + s.count(inRow: Int($1)) } }
    }

    /// Contiguous ranges covering `cost.indices`, at most `pieces`, each about the same total cost
    /// (a piece closes once it reaches its share), so threads taking pieces as they free up finish together.
    static func balancedRowRanges(cost: [Int], pieces: Int) -> [Range<Int>] {
        let total = cost.reduce(0, +), share = max(1, total / max(1, pieces))
        var ranges: [Range<Int>] = [], start = 0, sum = 0
        for (index, value) in cost.enumerated() {
            sum += value
            if sum >= share {
                ranges.append(start..<(index + 1))
                (start, sum) = (index + 1, 0)
            }
        }
        if start < cost.count { ranges.append(start..<cost.count) }
        return ranges
    }

    /// A[i, i] += value for every i of a square matrix (a ridge λ·I added in place).
    public static func addToDiagonal(_ a: inout Matrix, _ value: Float) {
        precondition(a.rows == a.columns, "addToDiagonal: \(a.shapeDescription) is not square")
        let n = a.rows
        a.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for i in 0..<n { base[i * n + i] += value }
        }
    }

    /// A[:, j] ← multiplier · A[:, j] / A[j, j] for every column j of a square matrix, then every
    /// diagonal entry set to `diagonal` (EASE's B = I − P·diag(1/diag P) is multiplier −1, diagonal 0).
    /// Rows are split across threads. A zero diagonal entry gives ±∞/NaN in its column, as the formula does.
    public static func scaleColumnsByReciprocalDiagonal(_ a: inout Matrix, multiplier: Float, diagonal: Float) {
        precondition(a.rows == a.columns, "scaleColumnsByReciprocalDiagonal: \(a.shapeDescription) is not square")
        let n = a.rows
        a.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let factors = (0..<n).map { multiplier / base[$0 * n + $0] }
            let ap = SharedMutablePointer(base)
            factors.withUnsafeBufferPointer { factorBuffer in
                guard let fBase = factorBuffer.baseAddress else { return }
                let fp = SharedPointer(fBase)
                parallelRanges(n, minimumPerChunk: max(1, 65_536 / max(1, n))) { rows in
                    for r in rows {
                        let row = ap.base + r * n
                        var j = 0
                        while j + 8 <= n {
                            let x = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self)
                            let f = UnsafeRawPointer(fp.base + j).loadUnaligned(as: SIMD8<Float>.self)
                            UnsafeMutableRawPointer(row + j).storeBytes(of: x * f, as: SIMD8<Float>.self)
                            j += 8
                        }
                        while j < n { row[j] *= fp.base[j]; j += 1 }
                        row[r] = diagonal
                    }
                }
            }
        }
    }
}
