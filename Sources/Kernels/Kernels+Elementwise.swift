import TensorCore

extension Kernels {
    /// A new matrix of x's shape; `body(x, y, range)` fills y[range], chunks run in parallel.
    @inline(__always)
    static func elementwise(_ x: Matrix, minimumPerChunk: Int = 65_536,
                            _ body: @Sendable (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Range<Int>) -> Void) -> Matrix {
        Matrix(rows: x.rows, columns: x.columns) { out in
            x.withUnsafeBufferPointer { source in
                guard let s = source.baseAddress, let d = out.baseAddress else { return }
                let sp = SharedPointer(s), dp = SharedMutablePointer(d)
                parallelRanges(x.count, minimumPerChunk: minimumPerChunk) { range in body(sp.base, dp.base, range) }
            }
        }
    }

    /// A new matrix of a's shape; `body(a, b, y, range)` fills y[range], chunks run in parallel.
    @inline(__always)
    static func elementwise(_ a: Matrix, _ b: Matrix, minimumPerChunk: Int = 65_536,
                            _ body: @Sendable (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
                                               Range<Int>) -> Void) -> Matrix {
        Matrix(rows: a.rows, columns: a.columns) { out in
            a.withUnsafeBufferPointer { aBuffer in
                b.withUnsafeBufferPointer { bBuffer in
                    guard let ab = aBuffer.baseAddress, let bb = bBuffer.baseAddress, let d = out.baseAddress else { return }
                    let ap = SharedPointer(ab), bp = SharedPointer(bb), dp = SharedMutablePointer(d)
                    parallelRanges(a.count, minimumPerChunk: minimumPerChunk) { range in
                        body(ap.base, bp.base, dp.base, range)
                    }
                }
            }
        }
    }

    /// Runs `body(x, range)` over chunks of x's elements in parallel, mutating in place.
    @inline(__always)
    static func updateInPlace(_ x: inout Matrix, minimumPerChunk: Int = 65_536,
                              _ body: @Sendable (UnsafeMutablePointer<Float>, Range<Int>) -> Void) {
        let count = x.count
        x.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let p = SharedMutablePointer(base)
            parallelRanges(count, minimumPerChunk: minimumPerChunk) { range in body(p.base, range) }
        }
    }

    /// y[r, :] += v for every row r (bias addition); v has `y.columns` entries.
    public static func addRowVector(_ v: Matrix, to y: inout Matrix) {
        precondition(v.count == y.columns, "addRowVector: vector has \(v.count) values, matrix is \(y.shapeDescription)")
        let columns = y.columns
        guard columns > 0 else { return }
        v.withUnsafeBufferPointer { vBuffer in
            guard let vb = vBuffer.baseAddress else { return }
            let vp = SharedPointer(vb)
            updateInPlace(&y, minimumPerChunk: 65_536) { base, range in
                // Chunks are element ranges; walk them row segment by row segment.
                var i = range.lowerBound
                while i < range.upperBound {
                    let column = i % columns
                    let end = min(range.upperBound, i - column + columns)
                    let row = base + i, bias = vp.base + column
                    for j in 0..<(end - i) { row[j] += bias[j] }
                    i = end
                }
            }
        }
    }

    /// y[r, :] = v for every row r (a bias written as the starting value of an accumulating GEMM,
    /// so y = b + x·W costs one pass fewer than x·W followed by `addRowVector`).
    public static func fillRows(_ y: inout Matrix, with v: Matrix) {
        precondition(v.count == y.columns, "fillRows: vector has \(v.count) values, matrix is \(y.shapeDescription)")
        let columns = y.columns
        guard columns > 0 else { return }
        v.withUnsafeBufferPointer { vBuffer in
            guard let vb = vBuffer.baseAddress else { return }
            let vp = SharedPointer(vb)
            let rows = y.rows
            y.withUnsafeMutableBufferPointer { yBuffer in
                guard let yb = yBuffer.baseAddress else { return }
                let yp = SharedMutablePointer(yb)
                parallelRanges(rows, minimumPerChunk: max(1, 65_536 / columns)) { range in
                    for r in range { (yp.base + r * columns).update(from: vp.base, count: columns) }
                }
            }
        }
    }

    /// g[c] += Σ_r x[r, c] (bias gradient); g has `x.columns` entries. Columns are split across
    /// threads, so each sum is accumulated by one thread in row order (deterministic).
    public static func addColumnSums(of x: Matrix, to g: inout Matrix) {
        precondition(g.count == x.columns, "addColumnSums: target has \(g.count) values, matrix is \(x.shapeDescription)")
        let rows = x.rows, columns = x.columns
        guard rows > 0, columns > 0 else { return }
        x.withUnsafeBufferPointer { xBuffer in
            guard let xb = xBuffer.baseAddress else { return }
            let xp = SharedPointer(xb)
            updateInPlace(&g, minimumPerChunk: max(8, 65_536 / rows)) { gBase, range in
                let out = gBase + range.lowerBound
                for r in 0..<rows {
                    let row = xp.base + r * columns + range.lowerBound
                    for j in 0..<range.count { out[j] += row[j] }
                }
            }
        }
    }

    /// y += α·x (same shape).
    public static func axpy(_ alpha: Float, _ x: Matrix, _ y: inout Matrix) {
        precondition(x.count == y.count, "axpy: x is \(x.shapeDescription), y is \(y.shapeDescription)")
        x.withUnsafeBufferPointer { xBuffer in
            guard let xb = xBuffer.baseAddress else { return }
            let xp = SharedPointer(xb)
            updateInPlace(&y) { base, range in
                for i in range { base[i] += alpha * xp.base[i] }
            }
        }
    }

    /// x ← α·x.
    public static func scale(_ x: inout Matrix, by alpha: Float) {
        updateInPlace(&x) { base, range in
            for i in range { base[i] *= alpha }
        }
    }

    /// x[b, :] *= factors[b] for every row b.
    public static func scaleRows(_ x: inout Matrix, by factors: [Float]) {
        precondition(factors.count == x.rows, "scaleRows: \(factors.count) factors for \(x.shapeDescription)")
        let columns = x.columns
        for r in 0..<x.rows {
            let factor = factors[r]
            for c in 0..<columns { x.storage[r * columns + c] *= factor }
        }
    }

    /// x[:, block b] *= factors[b] for each of the `factors.count` equal blocks of columns (block b:
    /// columns b·C/n ..< (b+1)·C/n), one Float product per entry.
    public static func scaleColumnBlocks(_ x: inout Matrix, by factors: [Float]) {
        precondition(!factors.isEmpty && x.columns % factors.count == 0,
                     "scaleColumnBlocks: \(factors.count) blocks do not divide the columns of \(x.shapeDescription)")
        let columns = x.columns, width = columns / max(1, factors.count)
        for r in 0..<x.rows {
            for (b, factor) in factors.enumerated() {
                let start = r * columns + b * width
                for c in start..<(start + width) { x.storage[c] *= factor }
            }
        }
    }

    /// Σx² of each of `blocks` equal blocks of columns (as `scaleColumnBlocks`), in Double. Each is
    /// `dot(part, part)` of the block copied out as its own matrix (`columns(_:of:)`), so the same
    /// bits as the sum of squares of a tensor holding just that block; one block is `dot(x, x)`.
    public static func columnBlockSumsOfSquares(_ x: Matrix, blocks: Int) -> [Double] {
        precondition(blocks >= 1 && x.columns % blocks == 0,
                     "columnBlockSumsOfSquares: \(blocks) blocks do not divide the columns of \(x.shapeDescription)")
        guard blocks > 1 else { return [dot(x, x)] }
        let width = x.columns / blocks
        return (0..<blocks).map { b in
            let part = columns((b * width)..<((b + 1) * width), of: x)
            return dot(part, part)
        }
    }

    /// a + b (same shape).
    public static func add(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "add: \(a.shapeDescription) vs \(b.shapeDescription)")
        return elementwise(a, b) { x, y, out, range in for i in range { out[i] = x[i] + y[i] } }
    }

    /// a − b (same shape).
    public static func subtract(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "subtract: \(a.shapeDescription) vs \(b.shapeDescription)")
        return elementwise(a, b) { x, y, out, range in for i in range { out[i] = x[i] - y[i] } }
    }

    /// a ⊙ b, the element-wise (Hadamard) product.
    public static func multiply(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "multiply: \(a.shapeDescription) vs \(b.shapeDescription)")
        return elementwise(a, b) { x, y, out, range in for i in range { out[i] = x[i] * y[i] } }
    }

    /// A matrix of independent N(mean, std²) draws from `rng`, in row-major order (serial, so the
    /// same seed gives the same numbers whatever the thread count).
    public static func randomNormal(rows: Int, columns: Int, mean: Float = 0, standardDeviation: Float = 1,
                                    using rng: inout RandomGenerator) -> Matrix {
        Matrix(rows: rows, columns: columns) { buffer in
            for i in buffer.indices { buffer[i] = mean + standardDeviation * rng.nextNormal() }
        }
    }

    /// A matrix of independent U(low, high) draws from `rng`, in row-major order (serial).
    public static func randomUniform(rows: Int, columns: Int, low: Float = 0, high: Float = 1,
                                     using rng: inout RandomGenerator) -> Matrix {
        Matrix(rows: rows, columns: columns) { buffer in
            for i in buffer.indices { buffer[i] = low + (high - low) * rng.nextUniform() }
        }
    }
}

extension Kernels {
    /// Sets every element of `x` to `value` in place, in parallel chunks (no reallocation, so a
    /// large gradient is cleared without returning its pages to the system and faulting them back).
    public static func fill(_ x: inout Matrix, with value: Float) {
        let count = x.count
        x.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let pointer = SharedMutablePointer(base)
            parallelRanges(count, minimumPerChunk: 262_144) { range in
                (pointer.base + range.lowerBound).update(repeating: value, count: range.count)
            }
        }
    }
}
