import TensorCore

/// Products evaluated only at the stored entries of a sparse pattern ("sampled" dense-dense
/// products, SDDMM), and gathers and scatters between CSR patterns.
///
/// Why sampled products: a loss that needs an output only where a rating is observed (~4% of an
/// ML-1M matrix) gets y_e = a[r]·W[c] for the stored entries e = (r, c) at nnz·H instead of the
/// B·C·H of a dense product, and its gradients are CSR × dense products too.
extension Kernels {
    /// y_e = Σ_h left[r, h]·right[c, h] for every stored entry e = (r, c) of `pattern`, in CSR order:
    /// the rows of `left` [R, H] dotted with the rows of `right` [C, H] at the pattern's positions.
    /// On `path` `.vector` (the default where the CPU has AVX-512) the same sums run in
    /// `CSparseKernels` with the next rows prefetched: identical bits.
    public static func sampledProduct(left: Matrix, right: Matrix, at pattern: SparseMatrix,
                                      path: SparseProductPath = .fastest) -> [Float] {
        precondition(left.rows == pattern.rows && right.rows == pattern.columns && left.columns == right.columns,
                     "sampledProduct: left \(left.shapeDescription), right \(right.shapeDescription), pattern \(pattern.rows)×\(pattern.columns)")
        var output = [Float](repeating: 0, count: pattern.nonZeroCount)
        let h = left.columns
        guard h > 0, pattern.nonZeroCount > 0 else { return output }
        pattern.rowPointers.withUnsafeBufferPointer { pointers in
            pattern.columnIndices.withUnsafeBufferPointer { indices in
                left.withUnsafeBufferPointer { leftBuffer in
                    right.withUnsafeBufferPointer { rightBuffer in
                        output.withUnsafeMutableBufferPointer { outputBuffer in
                            let rp = SharedPointer(pointers.baseAddress!)
                            let ip = SharedPointer(indices.baseAddress!)
                            let lp = SharedPointer(leftBuffer.baseAddress!)
                            let qp = SharedPointer(rightBuffer.baseAddress!)
                            let op = SharedMutablePointer(outputBuffer.baseAddress!)
                            if path == .vector {
                                vectorSampledProduct(rowPointers: rp, columns: ip, rows: pattern.rows, left: lp,
                                                     right: qp, h: h, output: op)
                                return
                            }
                            parallelRanges(pattern.rows) { rows in
                                for r in rows {
                                    let leftRow = lp.base + r * h
                                    for e in rp.base[r]..<rp.base[r + 1] {
                                        let rightRow = qp.base + Int(ip.base[e]) * h
                                        op.base[e] = rowDot(leftRow, rightRow, count: h)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// Σ_j a[j]·b[j] over `count` floats: two SIMD8 accumulators (a scalar `total +=` chain is one
    /// dependent add per element, ~8× slower), then the tail.
    @inline(__always)
    static func rowDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var first = SIMD8<Float>(), second = SIMD8<Float>()
        var j = 0
        while j + 16 <= count {
            first += UnsafeRawPointer(a + j).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(b + j).loadUnaligned(as: SIMD8<Float>.self)
            second += UnsafeRawPointer(a + j + 8).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(b + j + 8).loadUnaligned(as: SIMD8<Float>.self)
            j += 16
        }
        if j + 8 <= count {
            first += UnsafeRawPointer(a + j).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(b + j).loadUnaligned(as: SIMD8<Float>.self)
            j += 8
        }
        var total = (first + second).sum()
        while j < count { total += a[j] * b[j]; j += 1 }
        return total
    }

    /// y_e += bias[c] for every stored entry e = (r, c) of `pattern` (the decoder bias at observed outputs).
    public static func addColumnBias(_ bias: Matrix, to values: inout [Float], at pattern: SparseMatrix) {
        precondition(bias.rows == 1 && bias.columns == pattern.columns && values.count == pattern.nonZeroCount,
                     "addColumnBias: bias \(bias.shapeDescription), \(values.count) values, pattern \(pattern.rows)×\(pattern.columns) with \(pattern.nonZeroCount) entries")
        for e in 0..<values.count { values[e] += bias.storage[Int(pattern.columnIndices[e])] }
    }

    /// g[0, c] += Σ_r S[r, c]: column sums of a CSR matrix into a [1, C] row (a sparse output's bias gradient).
    public static func addSparseColumnSums(of s: SparseMatrix, to g: inout Matrix) {
        precondition(g.rows == 1 && g.columns == s.columns,
                     "addSparseColumnSums: S is \(s.rows)×\(s.columns), G is \(g.shapeDescription)")
        for e in 0..<s.nonZeroCount { g.storage[Int(s.columnIndices[e])] += s.values[e] }
    }

    /// x[r, c] for every stored entry (r, c) of `pattern`, in CSR order.
    public static func gather(_ x: Matrix, at pattern: SparseMatrix) -> [Float] {
        precondition(x.rows == pattern.rows && x.columns == pattern.columns,
                     "gather: x \(x.shapeDescription), pattern \(pattern.rows)×\(pattern.columns)")
        var output = [Float](repeating: 0, count: pattern.nonZeroCount)
        for r in 0..<pattern.rows {
            for e in pattern.range(ofRow: r) { output[e] = x.storage[r * x.columns + Int(pattern.columnIndices[e])] }
        }
        return output
    }

    /// For each stored entry of `s.transposed()` (in its CSR order), the index of the same entry in `s`;
    /// with `scatter` this maps values computed on the transpose back to `s`'s order.
    public static func transposeOrder(_ s: SparseMatrix) -> [Int] {
        var pointers = [Int](repeating: 0, count: s.columns + 1)
        for c in s.columnIndices { pointers[Int(c) + 1] += 1 }
        for c in 0..<s.columns { pointers[c + 1] += pointers[c] }
        var order = [Int](repeating: 0, count: s.nonZeroCount)
        for r in 0..<s.rows {
            for e in s.range(ofRow: r) {
                let c = Int(s.columnIndices[e])
                order[pointers[c]] = e
                pointers[c] += 1
            }
        }
        return order
    }

    /// output[indices[k]] = values[k] for an `output` of `count` zeros.
    public static func scatter(_ values: [Float], to indices: [Int], count: Int) -> [Float] {
        precondition(values.count == indices.count, "scatter: \(values.count) values, \(indices.count) indices")
        var output = [Float](repeating: 0, count: count)
        for (value, index) in zip(values, indices) { output[index] = value }
        return output
    }
}
