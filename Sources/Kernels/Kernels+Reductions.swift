import TensorCore

extension Kernels {
    /// Σ x, accumulated in Double.
    public static func sum(_ x: Matrix) -> Double {
        var total: Double = 0
        for value in x.storage { total += Double(value) }
        return total
    }

    /// Σ x², accumulated in Double.
    public static func sumOfSquares(_ x: Matrix) -> Double {
        var total: Double = 0
        for value in x.storage { total += Double(value) * Double(value) }
        return total
    }

    /// Σ a ⊙ b, accumulated in Double.
    public static func dot(_ a: Matrix, _ b: Matrix) -> Double {
        precondition(a.count == b.count, "dot: \(a.shapeDescription) vs \(b.shapeDescription)")
        var total: Double = 0
        for i in 0..<a.count { total += Double(a.storage[i]) * Double(b.storage[i]) }
        return total
    }

    /// The sum of each row.
    public static func rowSums(_ x: Matrix) -> [Float] {
        var sums = [Float](repeating: 0, count: x.rows)
        for r in 0..<x.rows {
            var total: Float = 0
            for c in 0..<x.columns { total += x.storage[r * x.columns + c] }
            sums[r] = total
        }
        return sums
    }

    /// True when no element is NaN or infinite.
    public static func allFinite(_ x: Matrix) -> Bool {
        for value in x.storage where !value.isFinite { return false }
        return true
    }

    /// Each row of a CSR matrix divided by its L2 norm (rows of norm 0 are left as they are).
    /// Mult-VAE normalises its input this way (Liang et al. 2018, reference code).
    public static func l2NormalizeRows(_ s: SparseMatrix) -> SparseMatrix {
        var values = s.values
        for r in 0..<s.rows {
            let span = s.range(ofRow: r)
            var norm: Float = 0
            for e in span { norm += values[e] * values[e] }
            norm = norm.squareRoot()
            if norm > 0 { for e in span { values[e] /= norm } }
        }
        return s.withValues(values)
    }

    /// Each row of a dense matrix divided by its L2 norm (rows of norm 0 are left as they are).
    public static func l2NormalizeRows(_ x: Matrix) -> Matrix {
        var y = x
        for r in 0..<x.rows {
            var norm: Float = 0
            for c in 0..<x.columns { norm += x.storage[r * x.columns + c] * x.storage[r * x.columns + c] }
            norm = norm.squareRoot()
            if norm > 0 { for c in 0..<x.columns { y.storage[r * x.columns + c] /= norm } }
        }
        return y
    }
}
