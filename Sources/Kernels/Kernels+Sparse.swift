import TensorCore

extension Kernels {
    /// Y = S·D for CSR S [B, I] and dense D [I, H]: the sparse first encoder layer's forward pass.
    public static func sparseDenseProduct(_ s: SparseMatrix, _ d: Matrix) -> Matrix {
        precondition(s.columns == d.rows, "sparseDenseProduct: S is \(s.rows)×\(s.columns), D is \(d.shapeDescription)")
        var y = Matrix(rows: s.rows, columns: d.columns)
        let h = d.columns
        s.rowPointers.withUnsafeBufferPointer { pointers in
            s.columnIndices.withUnsafeBufferPointer { indices in
                s.values.withUnsafeBufferPointer { values in
                    d.withUnsafeBufferPointer { dBuffer in
                        y.withUnsafeMutableBufferPointer { yBuffer in
                            guard h > 0 else { return }
                            let rp = SharedPointer(pointers.baseAddress!)
                            let ip = SharedPointer(indices.baseAddress ?? UnsafePointer(bitPattern: 8)!)
                            let vp = SharedPointer(values.baseAddress ?? UnsafePointer(bitPattern: 8)!)
                            let dp = SharedPointer(dBuffer.baseAddress!)
                            let yp = SharedMutablePointer(yBuffer.baseAddress!)
                            parallelRanges(s.rows) { rows in
                                for r in rows {
                                    let yRow = yp.base + r * h
                                    for e in rp.base[r]..<rp.base[r + 1] {
                                        let value = vp.base[e]
                                        let dRow = dp.base + Int(ip.base[e]) * h
                                        for j in 0..<h { yRow[j] += value * dRow[j] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    /// G += α·Sᵀ·D for CSR S [B, I] and dense D [B, H], G [I, H]: the sparse layer's weight gradient.
    public static func sparseTransposeDenseProduct(_ s: SparseMatrix, _ d: Matrix, alpha: Float = 1,
                                                   accumulatingInto g: inout Matrix) {
        precondition(s.rows == d.rows && g.rows == s.columns && g.columns == d.columns,
                     "sparseTransposeDenseProduct: S is \(s.rows)×\(s.columns), D is \(d.shapeDescription), G is \(g.shapeDescription)")
        let h = d.columns
        guard h > 0 else { return }
        for r in 0..<s.rows {
            for e in s.range(ofRow: r) {
                let value = alpha * s.values[e]
                let target = Int(s.columnIndices[e]) * h
                for j in 0..<h { g.storage[target + j] += value * d.storage[r * h + j] }
            }
        }
    }
}
