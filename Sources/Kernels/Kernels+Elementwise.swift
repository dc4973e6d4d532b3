import TensorCore

extension Kernels {
    /// y[r, :] += v for every row r (bias addition); v has `y.columns` entries.
    public static func addRowVector(_ v: Matrix, to y: inout Matrix) {
        precondition(v.count == y.columns, "addRowVector: vector has \(v.count) values, matrix is \(y.shapeDescription)")
        for r in 0..<y.rows {
            for c in 0..<y.columns { y.storage[r * y.columns + c] += v.storage[c] }
        }
    }

    /// g[c] += Σ_r x[r, c] (bias gradient); g has `x.columns` entries.
    public static func addColumnSums(of x: Matrix, to g: inout Matrix) {
        precondition(g.count == x.columns, "addColumnSums: target has \(g.count) values, matrix is \(x.shapeDescription)")
        for r in 0..<x.rows {
            for c in 0..<x.columns { g.storage[c] += x.storage[r * x.columns + c] }
        }
    }

    /// y += α·x (same shape).
    public static func axpy(_ alpha: Float, _ x: Matrix, _ y: inout Matrix) {
        precondition(x.count == y.count, "axpy: x is \(x.shapeDescription), y is \(y.shapeDescription)")
        for i in 0..<y.count { y.storage[i] += alpha * x.storage[i] }
    }

    /// x ← α·x.
    public static func scale(_ x: inout Matrix, by alpha: Float) {
        for i in 0..<x.count { x.storage[i] *= alpha }
    }

    /// a + b (same shape).
    public static func add(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "add: \(a.shapeDescription) vs \(b.shapeDescription)")
        var y = a
        for i in 0..<y.count { y.storage[i] += b.storage[i] }
        return y
    }

    /// a − b (same shape).
    public static func subtract(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "subtract: \(a.shapeDescription) vs \(b.shapeDescription)")
        var y = a
        for i in 0..<y.count { y.storage[i] -= b.storage[i] }
        return y
    }

    /// a ⊙ b, the element-wise (Hadamard) product.
    public static func multiply(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "multiply: \(a.shapeDescription) vs \(b.shapeDescription)")
        var y = a
        for i in 0..<y.count { y.storage[i] *= b.storage[i] }
        return y
    }

    /// A matrix of independent N(mean, std²) draws from `rng`, in row-major order.
    public static func randomNormal(rows: Int, columns: Int, mean: Float = 0, standardDeviation: Float = 1,
                                    using rng: inout RandomGenerator) -> Matrix {
        var y = Matrix(rows: rows, columns: columns)
        for i in 0..<y.count { y.storage[i] = mean + standardDeviation * rng.nextNormal() }
        return y
    }

    /// A matrix of independent U(low, high) draws from `rng`, in row-major order.
    public static func randomUniform(rows: Int, columns: Int, low: Float = 0, high: Float = 1,
                                     using rng: inout RandomGenerator) -> Matrix {
        var y = Matrix(rows: rows, columns: columns)
        for i in 0..<y.count { y.storage[i] = low + (high - low) * rng.nextUniform() }
        return y
    }
}
