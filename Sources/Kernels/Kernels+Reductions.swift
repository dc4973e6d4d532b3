import TensorCore

extension Kernels {
    /// Σ f(x[i]) (or Σ f(a[i], b[i])) in Double: SIMD4<Double> lanes per chunk, chunk partials
    /// added in chunk order, so the result depends only on the data and `threadCount` (only on the
    /// data under `withSumsIndependentOfThreads`: see `reductionChunks`).
    @inline(__always)
    static func doubleReduction(count: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                _ lanes: @Sendable (SIMD4<Double>, SIMD4<Double>) -> SIMD4<Double>) -> Double {
        let chunks = reductionChunks(count: count)
        let partials = UnsafeMutablePointer<Double>.allocate(capacity: chunks)
        defer { partials.deallocate() }
        let ap = SharedPointer(a), bp = SharedPointer(b), out = SharedMutablePointer(partials)
        parallelFor(chunks: chunks) { chunk in
            let start = chunk * count / chunks, end = (chunk + 1) * count / chunks
            var accumulator = SIMD4<Double>()
            var i = start
            while i + 4 <= end {
                let x = UnsafeRawPointer(ap.base + i).loadUnaligned(as: SIMD4<Float>.self)
                let y = UnsafeRawPointer(bp.base + i).loadUnaligned(as: SIMD4<Float>.self)
                accumulator += lanes(SIMD4<Double>(x), SIMD4<Double>(y))
                i += 4
            }
            var total = accumulator.sum()
            while i < end {
                total += lanes(SIMD4<Double>(repeating: Double(ap.base[i])),
                               SIMD4<Double>(repeating: Double(bp.base[i])))[0]
                i += 1
            }
            out.base[chunk] = total
        }
        var total: Double = 0
        for chunk in 0..<chunks { total += partials[chunk] }
        return total
    }

    /// Σ x, accumulated in Double.
    public static func sum(_ x: Matrix) -> Double {
        x.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            return doubleReduction(count: buffer.count, base, base) { x, _ in x }
        }
    }

    /// Σ x², accumulated in Double.
    public static func sumOfSquares(_ x: Matrix) -> Double {
        x.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            return doubleReduction(count: buffer.count, base, base) { x, _ in x * x }
        }
    }

    /// Σ a ⊙ b, accumulated in Double.
    public static func dot(_ a: Matrix, _ b: Matrix) -> Double {
        precondition(a.count == b.count, "dot: \(a.shapeDescription) vs \(b.shapeDescription)")
        return a.withUnsafeBufferPointer { aBuffer in
            b.withUnsafeBufferPointer { bBuffer in
                guard let ab = aBuffer.baseAddress, let bb = bBuffer.baseAddress else { return 0 }
                return doubleReduction(count: aBuffer.count, ab, bb) { x, y in x * y }
            }
        }
    }

    /// The sum of each row (accumulated in Double, returned as Float).
    public static func rowSums(_ x: Matrix) -> [Float] {
        let columns = x.columns
        return rowwise(x, minimumRowsPerChunk: max(1, 16_384 / max(1, columns))) { row in
            var total: Double = 0
            for c in 0..<columns { total += Double(row[c]) }
            return Float(total)
        }
    }

    /// The sum of each row's stored values of a CSR matrix, accumulated in Double (0 for an empty row).
    public static func sparseRowSums(_ s: SparseMatrix) -> [Float] {
        (0..<s.rows).map { r in Float(s.range(ofRow: r).reduce(0.0) { $0 + Double(s.values[$1]) }) }
    }

    /// One Float per row of x, computed by `body(rowPointer)` with rows split across threads.
    @inline(__always)
    static func rowwise(_ x: Matrix, minimumRowsPerChunk: Int,
                        _ body: @Sendable (UnsafePointer<Float>) -> Float) -> [Float] {
        let rows = x.rows, columns = x.columns
        return [Float](unsafeUninitializedCapacity: rows) { result, count in
            x.withUnsafeBufferPointer { buffer in
                let base = buffer.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Float>.alignment)
                guard let base, let out = result.baseAddress else { return }
                let xp = SharedPointer(base), op = SharedMutablePointer(out)
                parallelRanges(rows, minimumPerChunk: minimumRowsPerChunk) { range in
                    for r in range { (op.base + r).initialize(to: body(xp.base + r * columns)) }
                }
            }
            count = rows
        }
    }

    /// True when no element is NaN or infinite.
    public static func allFinite(_ x: Matrix) -> Bool {
        x.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return true }
            // x·0 is 0 for finite x and NaN for ±∞ and NaN, so the sum stays 0 iff all are finite.
            var accumulator = SIMD8<Float>()
            var i = 0
            while i + 8 <= buffer.count {
                accumulator += UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<Float>.self) * 0
                i += 8
            }
            var total = accumulator.sum()
            while i < buffer.count { total += base[i] * 0; i += 1 }
            return total == 0
        }
    }

    /// Each row of a CSR matrix divided by its L2 norm (rows of norm 0 are left as they are).
    /// Mult-VAE normalises its input this way (Liang et al. 2018, reference code).
    public static func l2NormalizeRows(_ s: SparseMatrix) -> SparseMatrix {
        var values = s.values
        s.rowPointers.withUnsafeBufferPointer { pointers in
            values.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress, let rowPointers = pointers.baseAddress else { return }
                let vp = SharedMutablePointer(base), rp = SharedPointer(rowPointers)
                parallelRanges(s.rows, minimumPerChunk: 256) { rows in
                    for r in rows {
                        let start = rp.base[r], end = rp.base[r + 1]
                        var norm: Double = 0
                        for e in start..<end { norm += Double(vp.base[e]) * Double(vp.base[e]) }
                        if norm > 0 {
                            let inverse = Float(1 / norm.squareRoot())
                            for e in start..<end { vp.base[e] *= inverse }
                        }
                    }
                }
            }
        }
        return s.withValues(values)
    }

    /// Each row of a dense matrix divided by its L2 norm (rows of norm 0 are left as they are;
    /// the norm is accumulated in Double).
    public static func l2NormalizeRows(_ x: Matrix) -> Matrix {
        let columns = x.columns
        return rowMap(x) { row, target, _ in
            var norm: Double = 0
            for c in 0..<columns { norm += Double(row[c]) * Double(row[c]) }
            let inverse: Float = norm > 0 ? Float(1 / norm.squareRoot()) : 1
            for c in 0..<columns { target[c] = row[c] * inverse }
        }
    }

    /// FNV-1a, 64 bits, of `bytes`: a cheap digest for checking that processes hold the same data
    /// and options (not a cryptographic hash).
    public static func fingerprint(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }
}
