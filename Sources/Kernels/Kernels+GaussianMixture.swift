import TensorCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loops of Gaussian mixtures and Monte-Carlo KL terms: the log-density of a sample under a
/// K-component diagonal-Gaussian mixture with equal weights, its gradients, the gradients of a
/// single diagonal-Gaussian log-density, and the mean difference of two log-density lists.
extension Kernels {
    /// log p(z_b) = logsumexp_k a_bk − log K with a_bk = log N(z_b; μ_k, diag σ_k²), for every row b
    /// of `z` [B, Z] against components `means`/`logVariances` [K, Z]; also the responsibilities
    /// r_bk = softmax_k(a_bk) [B, K] that the backward pass needs. log-densities in Double.
    public static func gaussianMixtureLogDensity(sample z: Matrix, means: Matrix,
                                                 logVariances: Matrix) -> (logDensity: [Double], responsibilities: Matrix) {
        precondition(z.columns == means.columns && means.rows == logVariances.rows && means.columns == logVariances.columns,
                     "gaussianMixtureLogDensity: z \(z.shapeDescription), means \(means.shapeDescription), logVariances \(logVariances.shapeDescription)")
        let batch = z.rows, components = means.rows, latent = z.columns
        var responsibilities = Matrix(rows: batch, columns: components)
        var result = [Double](repeating: components == 0 ? -.infinity : 0, count: batch)
        guard batch > 0, components > 0 else { return (result, responsibilities) }
        let precisions = precisionsOf(logVariances)                                    // 1/σ² = exp(−logσ²)
        let logTwoPi = Float(log(2 * Double.pi))
        var constants = [Float](repeating: 0, count: components)                        // Σ_j (log 2π + logσ²_kj)
        for k in 0..<components {
            var total: Float = 0
            for j in 0..<latent { total += logTwoPi + logVariances.storage[k * latent + j] }
            constants[k] = total
        }
        let logK = log(Double(components))
        z.withUnsafeBufferPointer { zb in
        means.withUnsafeBufferPointer { mb in
        precisions.withUnsafeBufferPointer { pb in
        constants.withUnsafeBufferPointer { cb in
        responsibilities.withUnsafeMutableBufferPointer { rb in
        result.withUnsafeMutableBufferPointer { ob in
            guard let zBase = zb.baseAddress, let rBase = rb.baseAddress, let oBase = ob.baseAddress,
                  let cBase = cb.baseAddress else { return }
            let zp = SharedPointer(zBase), rp = SharedMutablePointer(rBase), op = SharedMutablePointer(oBase)
            let mp = SharedPointer(mb.baseAddress ?? zBase), pp = SharedPointer(pb.baseAddress ?? zBase)
            let cp = SharedPointer(cBase)
            parallelRanges(batch, minimumPerChunk: max(1, 16_384 / max(1, components * max(1, latent)))) { rows in
                var first = rows.lowerBound
                while first < rows.upperBound {                                           // four rows share each μ_k, 1/σ_k² load
                    let count = min(4, rows.upperBound - first)
                    for k in 0..<components {
                        let squares = weightedSquaredDistances(rows: zp.base + first * latent, count: count, latent: latent,
                                                               mean: mp.base + k * latent, precision: pp.base + k * latent)
                        for i in 0..<count {                                              // a_bk = log N(z_b; μ_k, σ_k²)
                            rp.base[(first + i) * components + k] = Float(-0.5 * (Double(cp.base[k]) + squares[i]))
                        }
                    }
                    first += count
                }
                for b in rows {
                    let row = rp.base + b * components
                    var largest = -Float.infinity
                    for k in 0..<components { largest = max(largest, row[k]) }
                    guard largest.isFinite else {
                        for k in 0..<components { row[k] = 1 / Float(components) }
                        op.base[b] = Double(largest)
                        continue
                    }
                    var sum: Double = 0
                    for k in 0..<components {
                        let e = expf(row[k] - largest)
                        row[k] = e
                        sum += Double(e)
                    }
                    let inverse = Float(1 / sum)
                    for k in 0..<components { row[k] *= inverse }                      // r_bk = exp(a_bk − lse_b)
                    op.base[b] = Double(largest) + log(sum) - logK                      // lse_b − log K
                }
            }
        }}}}}}
        return (result, responsibilities)
    }

    /// Gradients of `scale`·Σ_b log p(z_b) for the mixture of `gaussianMixtureLogDensity`, given its
    /// responsibilities r: ∂/∂z_b = Σ_k r_bk (μ_k − z_b)/σ_k², ∂/∂μ_k = Σ_b r_bk (z_b − μ_k)/σ_k²,
    /// ∂/∂logσ²_k = Σ_b r_bk · ½((z_b − μ_k)²/σ_k² − 1).
    public static func gaussianMixtureLogDensityBackward(sample z: Matrix, means: Matrix, logVariances: Matrix,
                                                         responsibilities: Matrix, scale: Float)
        -> (sample: Matrix, means: Matrix, logVariances: Matrix) {
        precondition(z.columns == means.columns && means.rows == logVariances.rows && means.columns == logVariances.columns
                     && responsibilities.rows == z.rows && responsibilities.columns == means.rows,
                     "gaussianMixtureLogDensityBackward: z \(z.shapeDescription), means \(means.shapeDescription), logVariances \(logVariances.shapeDescription), responsibilities \(responsibilities.shapeDescription)")
        let batch = z.rows, components = means.rows, latent = z.columns
        var dz = Matrix(rows: batch, columns: latent)
        var dMeans = Matrix(rows: components, columns: latent)
        var dLogVariances = Matrix(rows: components, columns: latent)
        guard batch > 0, components > 0, latent > 0 else { return (dz, dMeans, dLogVariances) }
        let precisions = precisionsOf(logVariances)
        z.withUnsafeBufferPointer { zb in
        means.withUnsafeBufferPointer { mb in
        precisions.withUnsafeBufferPointer { pb in
        responsibilities.withUnsafeBufferPointer { rb in
        dz.withUnsafeMutableBufferPointer { dzb in
        dMeans.withUnsafeMutableBufferPointer { dmb in
        dLogVariances.withUnsafeMutableBufferPointer { dlb in
            guard let zBase = zb.baseAddress, let mBase = mb.baseAddress, let pBase = pb.baseAddress,
                  let rBase = rb.baseAddress, let dzBase = dzb.baseAddress, let dmBase = dmb.baseAddress,
                  let dlBase = dlb.baseAddress else { return }
            let zp = SharedPointer(zBase), mp = SharedPointer(mBase), pp = SharedPointer(pBase), rp = SharedPointer(rBase)
            let dzp = SharedMutablePointer(dzBase), dmp = SharedMutablePointer(dmBase), dlp = SharedMutablePointer(dlBase)
            let work = max(1, 16_384 / max(1, components * latent))
            parallelRanges(batch, minimumPerChunk: work) { rows in                     // rows of dz: one writer each
                for b in rows {
                    let zRow = zp.base + b * latent, out = dzp.base + b * latent
                    for k in 0..<components {
                        let r = rp.base[b * components + k] * scale
                        if r == 0 { continue }
                        accumulateScaledDifference(r, minuend: mp.base + k * latent, subtrahend: zRow,
                                                   precision: pp.base + k * latent, into: out, count: latent)  // ∂a_bk/∂z = (μ − z)/σ²
                    }
                }
            }
            parallelRanges(components, minimumPerChunk: max(1, 16_384 / max(1, batch * latent))) { ks in  // rows of dμ, dlogσ²
                for k in ks {
                    let mRow = mp.base + k * latent, pRow = pp.base + k * latent
                    let dm = dmp.base + k * latent, dl = dlp.base + k * latent
                    for b in 0..<batch {
                        let r = rp.base[b * components + k] * scale
                        if r == 0 { continue }
                        accumulateMeanAndLogVarianceGradients(r, sample: zp.base + b * latent, mean: mRow, precision: pRow,
                                                              meanGradient: dm, logVarianceGradient: dl, count: latent)
                    }
                }
            }
        }}}}}}}
        return (dz, dMeans, dLogVariances)
    }

    /// Gradients of `scale`·Σ_b log N(z_b; m_b, diag σ_b²) (row-wise parameters, all [B, Z]):
    /// ∂/∂z = −(z − m)/σ², ∂/∂m = (z − m)/σ², ∂/∂logσ² = ½((z − m)²/σ² − 1).
    public static func diagonalGaussianLogDensityBackward(sample z: Matrix, mean: Matrix, logVariance: Matrix,
                                                          scale: Float) -> (sample: Matrix, mean: Matrix, logVariance: Matrix) {
        precondition(z.rows == mean.rows && z.columns == mean.columns && logVariance.rows == z.rows && logVariance.columns == z.columns,
                     "diagonalGaussianLogDensityBackward: z \(z.shapeDescription), mean \(mean.shapeDescription), logVariance \(logVariance.shapeDescription)")
        var dz = z, dMean = z, dLogVariance = z
        for i in 0..<z.count {
            let d = z.storage[i] - mean.storage[i]
            let precision = expf(-logVariance.storage[i])                                 // 1/σ²
            dMean.storage[i] = scale * d * precision                                      // ∂/∂m = (z − m)/σ²
            dz.storage[i] = -dMean.storage[i]                                             // ∂/∂z = −(z − m)/σ²
            dLogVariance.storage[i] = scale * 0.5 * (d * d * precision - 1)              // ∂/∂logσ² = ½((z − m)²/σ² − 1)
        }
        return (dz, dMean, dLogVariance)
    }

    /// Σ_j (z_ij − m_j)² p_j for `count` (1…4) consecutive rows of z (row stride `latent`), in
    /// eight-float lanes (each lane sums ⌈latent/8⌉ non-negative terms) added up in Double.
    @inline(__always)
    static func weightedSquaredDistances(rows z: UnsafePointer<Float>, count: Int, latent: Int,
                                         mean m: UnsafePointer<Float>, precision p: UnsafePointer<Float>) -> SIMD4<Double> {
        let z0 = z, z1 = z + min(1, count - 1) * latent                                   // short groups repeat their last row
        let z2 = z + min(2, count - 1) * latent, z3 = z + min(3, count - 1) * latent
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var j = 0
        while j + 8 <= latent {
            let mv = lanes(m + j), pv = lanes(p + j)
            let d0 = lanes(z0 + j) - mv, d1 = lanes(z1 + j) - mv, d2 = lanes(z2 + j) - mv, d3 = lanes(z3 + j) - mv
            a0 += d0 * d0 * pv
            a1 += d1 * d1 * pv
            a2 += d2 * d2 * pv
            a3 += d3 * d3 * pv
            j += 8
        }
        var out = SIMD4<Double>(laneSum(a0), laneSum(a1), laneSum(a2), laneSum(a3))
        while j < latent {
            let mj = Double(m[j]), pj = Double(p[j])
            let d = SIMD4<Double>(Double(z0[j]), Double(z1[j]), Double(z2[j]), Double(z3[j])) - mj
            out += d * d * pj
            j += 1
        }
        return out
    }

    /// y_j += r (a_j − b_j) p_j for j < count, eight lanes at a time.
    @inline(__always)
    static func accumulateScaledDifference(_ r: Float, minuend a: UnsafePointer<Float>, subtrahend b: UnsafePointer<Float>,
                                           precision p: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        while j + 8 <= count {
            let updated = lanes(y + j) + r * (lanes(a + j) - lanes(b + j)) * lanes(p + j)
            UnsafeMutableRawPointer(y + j).storeBytes(of: updated, as: SIMD8<Float>.self)
            j += 8
        }
        while j < count { y[j] += r * (a[j] - b[j]) * p[j]; j += 1 }
    }

    /// With d = z − μ: ∂μ_j += r d_j p_j and ∂logσ²_j += r ½(d_j² p_j − 1), eight lanes at a time.
    @inline(__always)
    static func accumulateMeanAndLogVarianceGradients(_ r: Float, sample z: UnsafePointer<Float>, mean m: UnsafePointer<Float>,
                                                      precision p: UnsafePointer<Float>,
                                                      meanGradient dm: UnsafeMutablePointer<Float>,
                                                      logVarianceGradient dl: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        let half = 0.5 * r
        while j + 8 <= count {
            let d = lanes(z + j) - lanes(m + j), dp = d * lanes(p + j)
            UnsafeMutableRawPointer(dm + j).storeBytes(of: lanes(dm + j) + r * dp, as: SIMD8<Float>.self)        // (z − μ)/σ²
            UnsafeMutableRawPointer(dl + j).storeBytes(of: lanes(dl + j) + half * (d * dp - 1), as: SIMD8<Float>.self)  // ½((z − μ)²/σ² − 1)
            j += 8
        }
        while j < count {
            let d = z[j] - m[j]
            dm[j] += r * d * p[j]
            dl[j] += r * 0.5 * (d * d * p[j] - 1)
            j += 1
        }
    }

    /// Eight floats from `x` (no alignment needed).
    @inline(__always)
    static func lanes(_ x: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(x).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func lanes(_ x: UnsafeMutablePointer<Float>) -> SIMD8<Float> { lanes(UnsafePointer(x)) }

    /// The eight lanes added up in Double.
    @inline(__always)
    static func laneSum(_ v: SIMD8<Float>) -> Double {
        let low = SIMD4<Double>(Double(v[0]), Double(v[1]), Double(v[2]), Double(v[3]))
        let high = SIMD4<Double>(Double(v[4]), Double(v[5]), Double(v[6]), Double(v[7]))
        return (low + high).sum()
    }

    /// exp(−logσ²) entry-wise.
    static func precisionsOf(_ logVariances: Matrix) -> Matrix {
        var p = logVariances
        for i in 0..<p.count { p.storage[i] = expf(-logVariances.storage[i]) }
        return p
    }
}

extension Kernels {
    /// (1/n) Σ_i (a_i − b_i) in Double (a Monte-Carlo KL: mean of log q − log p); 0 when empty.
    public static func meanDifference(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "meanDifference: \(a.count) and \(b.count) values")
        guard !a.isEmpty else { return 0 }
        var total: Double = 0
        for i in a.indices { total += a[i] - b[i] }
        return total / Double(a.count)
    }
}
