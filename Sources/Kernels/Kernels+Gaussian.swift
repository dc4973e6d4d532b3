import TensorCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loops for diagonal-Gaussian latent variables: sampling, KL, splitting the encoder output.
extension Kernels {
    /// z = μ + exp(½·logσ²) ⊙ ε (the reparameterisation trick, Kingma & Welling 2014).
    public static func reparameterize(mean: Matrix, logVariance: Matrix, noise: Matrix) -> Matrix {
        precondition(mean.rows == logVariance.rows && mean.columns == logVariance.columns && noise.count == mean.count,
                     "reparameterize: mean \(mean.shapeDescription), logVariance \(logVariance.shapeDescription), noise \(noise.shapeDescription)")
        var z = mean
        for i in 0..<z.count { z.storage[i] += expf(0.5 * logVariance.storage[i]) * noise.storage[i] }
        return z
    }

    /// (dμ, dlogσ²) from dz for z = μ + exp(½·logσ²)·ε.
    public static func reparameterizeBackward(sampleGradient dz: Matrix, logVariance: Matrix,
                                              noise: Matrix) -> (mean: Matrix, logVariance: Matrix) {
        precondition(dz.rows == logVariance.rows && dz.columns == logVariance.columns && noise.count == dz.count,
                     "reparameterizeBackward: dz \(dz.shapeDescription), logVariance \(logVariance.shapeDescription), noise \(noise.shapeDescription)")
        var dLogVariance = dz
        for i in 0..<dz.count {
            // ∂z/∂logσ² = ½·exp(½·logσ²)·ε
            dLogVariance.storage[i] = dz.storage[i] * 0.5 * expf(0.5 * logVariance.storage[i]) * noise.storage[i]
        }
        return (dz, dLogVariance)                                        // ∂z/∂μ = 1
    }

    /// KL(N(μ, σ²) ‖ N(0, I)) summed over all entries, ½Σ(μ² + σ² − 1 − logσ²), with the
    /// gradients of `gradientScale × KL`: dμ = scale·μ, dlogσ² = scale·½(σ² − 1).
    public static func standardNormalDivergence(mean: Matrix, logVariance: Matrix, gradientScale: Float)
        -> (value: Double, mean: Matrix, logVariance: Matrix) {
        precondition(mean.rows == logVariance.rows && mean.columns == logVariance.columns,
                     "standardNormalDivergence: mean \(mean.shapeDescription), logVariance \(logVariance.shapeDescription)")
        var dMean = mean, dLogVariance = logVariance
        var total: Double = 0
        for i in 0..<mean.count {
            let mu = Double(mean.storage[i]), logVar = Double(logVariance.storage[i])
            let variance = exp(logVar)
            total += 0.5 * (mu * mu + variance - 1 - logVar)
            dMean.storage[i] = gradientScale * Float(mu)                           // ∂KL/∂μ = μ
            dLogVariance.storage[i] = gradientScale * Float(0.5 * (variance - 1))  // ∂KL/∂logσ² = ½(σ² − 1)
        }
        return (total, dMean, dLogVariance)
    }

    /// Per-row log N(z; μ, diag σ²) = −½Σ_j (log 2π + logσ²_j + (z_j − μ_j)²/σ²_j), in Double
    /// (the pieces of a Monte-Carlo KL such as VampPrior's).
    public static func diagonalGaussianLogDensity(sample z: Matrix, mean: Matrix, logVariance: Matrix) -> [Double] {
        precondition(z.rows == mean.rows && z.columns == mean.columns && logVariance.count == z.count,
                     "diagonalGaussianLogDensity: z \(z.shapeDescription), mean \(mean.shapeDescription), logVariance \(logVariance.shapeDescription)")
        let logTwoPi = log(2 * Double.pi)
        var result = [Double](repeating: 0, count: z.rows)
        for r in 0..<z.rows {
            var total: Double = 0
            for c in 0..<z.columns {
                let i = r * z.columns + c
                let logVar = Double(logVariance.storage[i])
                let difference = Double(z.storage[i]) - Double(mean.storage[i])
                total += logTwoPi + logVar + difference * difference * exp(-logVar)
            }
            result[r] = -0.5 * total
        }
        return result
    }

    /// Columns `range` of `x` as their own matrix (e.g. μ = h[:, 0..<Z], logσ² = h[:, Z..<2Z]).
    public static func columns(_ range: Range<Int>, of x: Matrix) -> Matrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= x.columns,
                     "columns: range \(range) outside matrix \(x.shapeDescription)")
        var y = Matrix(rows: x.rows, columns: range.count)
        for r in 0..<x.rows {
            for c in 0..<range.count { y.storage[r * range.count + c] = x.storage[r * x.columns + range.lowerBound + c] }
        }
        return y
    }

    /// xᵀ: [R, C] → [C, R], in 32 × 32 tiles so both sides are read and written a cache line at a time.
    public static func transpose(_ x: Matrix) -> Matrix {
        var y = Matrix(rows: x.columns, columns: x.rows)
        let tile = 32
        for rowStart in stride(from: 0, to: x.rows, by: tile) {
            for columnStart in stride(from: 0, to: x.columns, by: tile) {
                for r in rowStart..<min(x.rows, rowStart + tile) {
                    for c in columnStart..<min(x.columns, columnStart + tile) {
                        y.storage[c * x.rows + r] = x.storage[r * x.columns + c]
                    }
                }
            }
        }
        return y
    }

    /// [a | b]: the columns of `a` followed by those of `b` (same row count).
    public static func concatenateColumns(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.rows == b.rows, "concatenateColumns: \(a.shapeDescription) and \(b.shapeDescription) differ in rows")
        let columns = a.columns + b.columns
        var y = Matrix(rows: a.rows, columns: columns)
        for r in 0..<a.rows {
            for c in 0..<a.columns { y.storage[r * columns + c] = a.storage[r * a.columns + c] }
            for c in 0..<b.columns { y.storage[r * columns + a.columns + c] = b.storage[r * b.columns + c] }
        }
        return y
    }

    /// N(0, std²) draws re-drawn until within two standard deviations, like TensorFlow's
    /// `truncated_normal_initializer` (Mult-VAE's bias initialiser, std 0.001).
    public static func randomTruncatedNormal(rows: Int, columns: Int, standardDeviation: Float,
                                             using rng: inout RandomGenerator) -> Matrix {
        var y = Matrix(rows: rows, columns: columns)
        for i in 0..<y.count {
            var draw = rng.nextNormal()
            while abs(draw) > 2 { draw = rng.nextNormal() }
            y.storage[i] = standardDeviation * draw
        }
        return y
    }

    /// An inverted-dropout mask: each entry is 1/keep with probability `keepProbability`, else 0.
    public static func dropoutMask(rows: Int, columns: Int, keepProbability: Float,
                                   using rng: inout RandomGenerator) -> Matrix {
        precondition(keepProbability > 0 && keepProbability <= 1, "dropoutMask: keep probability \(keepProbability) outside (0, 1]")
        let kept = 1 / keepProbability
        return Matrix(rows: rows, columns: columns) { buffer in                      // serial: one stream, in order
            for i in buffer.indices { buffer[i] = rng.nextUniform() < keepProbability ? kept : 0 }
        }
    }

    /// Inverted dropout on the stored entries of a CSR batch: each entry is kept with probability
    /// `keepProbability` (scaled by 1/keep) or removed; one uniform draw per stored entry, in order.
    public static func dropout(_ s: SparseMatrix, keepProbability: Float,
                               using rng: inout RandomGenerator) -> SparseMatrix {
        precondition(keepProbability > 0 && keepProbability <= 1, "dropout: keep probability \(keepProbability) outside (0, 1]")
        let kept = 1 / keepProbability
        var pointers = [0]
        pointers.reserveCapacity(s.rows + 1)
        var indices = [Int32](), values = [Float]()
        for r in 0..<s.rows {
            for e in s.range(ofRow: r) where rng.nextUniform() < keepProbability {
                indices.append(s.columnIndices[e])
                values.append(s.values[e] * kept)
            }
            pointers.append(indices.count)
        }
        return SparseMatrix(rows: s.rows, columns: s.columns, rowPointers: pointers, columnIndices: indices, values: values)
    }

    /// Advances `rng` past `count` uniform draws (what `dropout` takes for `count` stored entries),
    /// so a part of a batch can draw the numbers the whole batch would (data-parallel shards).
    public static func discardUniforms(_ count: Int, using rng: inout RandomGenerator) {
        for _ in 0..<max(0, count) { _ = rng.nextUniform() }
    }
}
