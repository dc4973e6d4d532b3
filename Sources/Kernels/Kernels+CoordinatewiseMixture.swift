#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TensorCore

extension Kernels {
    /// Per-row Σ_j log p(z_bj) for a mixture of K Gaussians on *each coordinate* (a factorised
    /// mixture, RecVAE's composite prior, Shenbin et al. 2020):
    /// log p(z_bj) = log Σ_k w_k N(z_bj; m_k,bj, σ²_k,bj), by log-sum-exp in Double.
    ///
    /// `means[k]` and `logVariances[k]` are each [B, Z] (row-wise parameters, e.g. a posterior) or
    /// [1, Z] (shared by every row); `logWeights[k]` is log w_k. Also returns ∂(Σ_j log p(z_bj))/∂z,
    /// [B, Z]: Σ_k r_k,bj · (−(z_bj − m_k,bj)/σ²_k,bj), r the components' responsibilities.
    public static func coordinatewiseGaussianMixtureLogDensity(sample z: Matrix, means: [Matrix], logVariances: [Matrix],
                                                              logWeights: [Double]) -> (rows: [Double], sampleGradient: Matrix) {
        let components = logWeights.count
        precondition(components > 0 && means.count == components && logVariances.count == components,
                     "coordinatewiseGaussianMixtureLogDensity: \(components) weights, \(means.count) means, \(logVariances.count) log-variances")
        for (k, (m, v)) in zip(means, logVariances).enumerated() {
            precondition(m.columns == z.columns && v.columns == z.columns && (m.rows == z.rows || m.rows == 1)
                         && (v.rows == z.rows || v.rows == 1),
                         "coordinatewiseGaussianMixtureLogDensity: component \(k) mean \(m.shapeDescription), logVariance \(v.shapeDescription), z \(z.shapeDescription)")
        }
        let logTwoPi = log(2 * Double.pi), columns = z.columns
        var rows = [Double](repeating: 0, count: z.rows)
        var dz = Matrix(rows: z.rows, columns: columns)
        var logTerms = [Double](repeating: 0, count: components), slopes = logTerms
        for r in 0..<z.rows {
            var total = 0.0
            for c in 0..<columns {
                let x = Double(z.storage[r * columns + c])
                var largest = -Double.infinity
                for k in 0..<components {
                    let m = means[k], v = logVariances[k]
                    let mu = Double(m.storage[(m.rows == 1 ? 0 : r) * columns + c])
                    let logVar = Double(v.storage[(v.rows == 1 ? 0 : r) * columns + c])
                    let precision = exp(-logVar), d = x - mu
                    logTerms[k] = logWeights[k] - 0.5 * (logTwoPi + logVar + d * d * precision)   // log w_k N(z; m_k, σ²_k)
                    slopes[k] = -d * precision                                                      // ∂ log N/∂z
                    largest = max(largest, logTerms[k])
                }
                var sum = 0.0, slope = 0.0
                for k in 0..<components {
                    let share = exp(logTerms[k] - largest)
                    sum += share
                    slope += share * slopes[k]
                }
                total += largest + log(sum)
                dz.storage[r * columns + c] = Float(slope / sum)                                    // Σ_k r_k ∂ log N_k/∂z
            }
            rows[r] = total
        }
        return (rows, dz)
    }
}
