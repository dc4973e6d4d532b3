import TensorCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fused loss-and-gradient loops for the likelihoods of the neural framework.
///
/// Each returns the *unscaled* loss sum (accumulated in Double) and the gradient of
/// `gradientScale × loss` with respect to the decoder output, so the caller picks the reduction
/// (sum, mean over users, mean over entries) by passing the matching scale.
extension Kernels {
    /// Multinomial NLL −Σ_r Σ_i x_ri·log softmax(l_r)_i for logits l [B, I] and CSR counts x [B, I],
    /// with dL/dl = scale·(softmax(l_r)·Σ_i x_ri − x_r). Fused: log-softmax is never formed by
    /// exponentiating and then taking a log.
    public static func multinomialNegativeLogLikelihood(logits: Matrix, targets: SparseMatrix,
                                                        gradientScale: Float) -> (loss: Double, gradient: Matrix) {
        precondition(logits.rows == targets.rows && logits.columns == targets.columns,
                     "multinomialNegativeLogLikelihood: logits \(logits.shapeDescription), targets \(targets.rows)×\(targets.columns)")
        let lse = logSumExpRows(logits)
        let columns = logits.columns
        var gradient = Matrix(rows: logits.rows, columns: columns)
        var total: Double = 0
        for r in 0..<logits.rows {
            var targetSum: Double = 0
            var dotProduct: Double = 0
            for e in targets.range(ofRow: r) {
                let value = Double(targets.values[e])
                targetSum += value
                dotProduct += value * Double(logits.storage[r * columns + Int(targets.columnIndices[e])])
            }
            // −Σ x_i (l_i − lse) = Σx·lse − Σ x_i l_i (a row without clicks contributes 0, even with no columns)
            if targetSum != 0 { total += targetSum * Double(lse[r]) - dotProduct }
            let rowScale = gradientScale * Float(targetSum)
            for c in 0..<columns {
                // ∂/∂l_c = softmax_c·Σx (the −x_c part is added below)
                gradient.storage[r * columns + c] = rowScale * expf(logits.storage[r * columns + c] - lse[r])
            }
            for e in targets.range(ofRow: r) {
                gradient.storage[r * columns + Int(targets.columnIndices[e])] -= gradientScale * targets.values[e]
            }
        }
        return (total, gradient)
    }

    /// Σ (p − t)² over all entries, with dL/dp = scale·2(p − t).
    public static func squaredError(prediction: Matrix, target: Matrix,
                                    gradientScale: Float) -> (loss: Double, gradient: Matrix) {
        precondition(prediction.rows == target.rows && prediction.columns == target.columns,
                     "squaredError: prediction \(prediction.shapeDescription), target \(target.shapeDescription)")
        var gradient = prediction
        var total: Double = 0
        for i in 0..<prediction.count {
            let difference = prediction.storage[i] - target.storage[i]
            total += Double(difference) * Double(difference)
            gradient.storage[i] = gradientScale * 2 * difference        // d(p − t)²/dp = 2(p − t)
        }
        return (total, gradient)
    }

    /// Σ over the stored entries of t of (p − t)², with dL/dp = scale·2(p − t) there and 0 elsewhere
    /// (unobserved ratings carry no loss: AutoRec, Sedhain et al. 2015, eq. 2).
    public static func maskedSquaredError(prediction: Matrix, target: SparseMatrix,
                                          gradientScale: Float) -> (loss: Double, gradient: Matrix) {
        precondition(prediction.rows == target.rows && prediction.columns == target.columns,
                     "maskedSquaredError: prediction \(prediction.shapeDescription), target \(target.rows)×\(target.columns)")
        let columns = prediction.columns
        var gradient = Matrix(rows: prediction.rows, columns: columns)
        var total: Double = 0
        for r in 0..<prediction.rows {
            for e in target.range(ofRow: r) {
                let index = r * columns + Int(target.columnIndices[e])
                let difference = prediction.storage[index] - target.values[e]
                total += Double(difference) * Double(difference)
                gradient.storage[index] = gradientScale * 2 * difference // d(p − t)²/dp = 2(p − t)
            }
        }
        return (total, gradient)
    }

    /// Logistic (Bernoulli) NLL Σ softplus(l) − t·l = Σ max(l, 0) − t·l + log(1 + e^(−|l|)),
    /// stable for any l, with dL/dl = scale·(σ(l) − t).
    public static func logisticLoss(logits: Matrix, targets: Matrix,
                                    gradientScale: Float) -> (loss: Double, gradient: Matrix) {
        precondition(logits.rows == targets.rows && logits.columns == targets.columns,
                     "logisticLoss: logits \(logits.shapeDescription), targets \(targets.shapeDescription)")
        var gradient = logits
        var total: Double = 0
        for i in 0..<logits.count {
            let l = Double(logits.storage[i]), t = Double(targets.storage[i])
            total += max(l, 0) - t * l + log1p(exp(-abs(l)))
            let sigmoid = l >= 0 ? 1 / (1 + exp(-l)) : exp(l) / (1 + exp(l))
            gradient.storage[i] = gradientScale * Float(sigmoid - t)     // d softplus(l)/dl − t = σ(l) − t
        }
        return (total, gradient)
    }
}
