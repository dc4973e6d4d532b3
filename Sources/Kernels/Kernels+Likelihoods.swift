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
    /// exponentiating and then taking a log. Rows run in parallel (see the in-place variant below,
    /// which this calls on a copy of the logits).
    public static func multinomialNegativeLogLikelihood(logits: Matrix, targets: SparseMatrix,
                                                        gradientScale: Float) -> (loss: Double, gradient: Matrix) {
        precondition(logits.rows == targets.rows && logits.columns == targets.columns,
                     "multinomialNegativeLogLikelihood: logits \(logits.shapeDescription), targets \(targets.rows)×\(targets.columns)")
        var gradient = logits
        let loss = multinomialNegativeLogLikelihood(logitsToGradient: &gradient, targets: targets,
                                                    gradientScale: gradientScale)
        return (loss, gradient)
    }

    /// The same loss as `multinomialNegativeLogLikelihood(logits:targets:gradientScale:)`, written in
    /// place: on return `logits` holds dL/dl. No [B, I] matrix is allocated, so a training step
    /// that keeps its logit buffer across batches touches no fresh pages here. Each row reads its
    /// targets' logits first, then makes the max pass and one pass writing e^{l − max} over itself.
    public static func multinomialNegativeLogLikelihood(logitsToGradient logits: inout Matrix, targets: SparseMatrix,
                                                        gradientScale: Float) -> Double {
        precondition(logits.rows == targets.rows && logits.columns == targets.columns,
                     "multinomialNegativeLogLikelihood: logits \(logits.shapeDescription), targets \(targets.rows)×\(targets.columns)")
        let rows = logits.rows, columns = logits.columns
        guard rows > 0, columns > 0 else { return 0 }
        var rowLoss = [Double](repeating: 0, count: rows)
        withCSR(targets) { rp, ip, vp in
            logits.withUnsafeMutableBufferPointer { logitBuffer in
                rowLoss.withUnsafeMutableBufferPointer { lossBuffer in
                    guard let lb = logitBuffer.baseAddress, let ob = lossBuffer.baseAddress else { return }
                    let lp = SharedMutablePointer(lb), op = SharedMutablePointer(ob)
                    parallelRanges(rows, minimumPerChunk: max(1, 16_384 / columns)) { range in
                        for r in range {
                            let l = lp.base + r * columns
                            var targetSum: Double = 0, dotProduct: Double = 0
                            for e in rp.base[r]..<rp.base[r + 1] {                  // before l is overwritten
                                let value = Double(vp.base[e])
                                targetSum += value
                                dotProduct += value * Double(l[Int(ip.base[e])])
                            }
                            let largest = rowMaximum(l, count: columns)
                            let shift = largest.isFinite ? -largest : 0
                            let total = exponentialSum(l, plus: shift, count: columns)  // l ← e^{l − max}
                            let lse = Double(-shift) + log(total)                      // log Σ e^l, stably
                            op.base[r] = targetSum != 0 ? targetSum * lse - dotProduct : 0
                            scale(l, by: Float(Double(gradientScale) * targetSum / total), count: columns)
                            for e in rp.base[r]..<rp.base[r + 1] {
                                l[Int(ip.base[e])] -= gradientScale * vp.base[e]
                            }
                        }
                    }
                }
            }
        }
        return rowLoss.reduce(0, +)
    }

    /// x[i] ← e^{x[i] + shift} in place, returning Σ of the new values (Float lanes within blocks of
    /// 1,024, block sums in Double, as `rowSum`): the exponential and the sum in one pass.
    @inline(__always)
    static func exponentialSum(_ x: UnsafeMutablePointer<Float>, plus shift: Float, count: Int) -> Double {
        var total: Double = 0
        var i = 0
        while i < count {
            let end = min(count, i + 1_024)
            var lanes = SIMD8<Float>(repeating: 0)
            while i + 8 <= end {
                let e = exp8(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) + shift)
                UnsafeMutableRawPointer(x + i).storeBytes(of: e, as: SIMD8<Float>.self)
                lanes += e
                i += 8
            }
            var block = Double(lanes.sum())
            if i < end {
                var tail = SIMD8<Float>(repeating: 0)
                for j in 0..<(end - i) { tail[j] = x[i + j] + shift }
                let e = exp8(tail)
                for j in 0..<(end - i) { x[i + j] = e[j]; block += Double(e[j]) }
                i = end
            }
            total += block
        }
        return total
    }

    /// The largest of `count` values (−∞ for none; NaN propagates as the comparison allows).
    @inline(__always)
    static func rowMaximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>(repeating: -.infinity)
        var i = 0
        while i + 8 <= count {
            // A compare and a blend (the generic `pointwiseMax` was an outlined per-lane loop); a NaN
            // lane is never taken, as Swift.max(lanes, NaN) kept lanes.
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            lanes.replace(with: v, where: v .> lanes)
            i += 8
        }
        var largest = lanes.max()
        while i < count { largest = max(largest, x[i]); i += 1 }
        return largest
    }

    /// Σ of `count` values: Float lanes within blocks of 1,024, blocks accumulated in Double.
    @inline(__always)
    static func rowSum(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var total: Double = 0
        var i = 0
        while i < count {
            let end = min(count, i + 1_024)
            var lanes = SIMD8<Float>(repeating: 0)
            while i + 8 <= end {
                lanes += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                i += 8
            }
            var block = Double(lanes.sum())
            while i < end { block += Double(x[i]); i += 1 }
            total += block
        }
        return total
    }

    /// x[0..<count] *= α, eight lanes at a time.
    @inline(__always)
    static func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) {
        var i = 0
        while i + 8 <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(x + i).storeBytes(of: v * alpha, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { x[i] *= alpha; i += 1 }
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

    /// Σ_e (p_e − t_e)² (Double) with d/dp_e = scale·2(p_e − t_e): the squared error of predictions at
    /// observed entries only, as flat arrays in a pattern's CSR order.
    public static func squaredError(predictions: [Float], targets: [Float],
                                    gradientScale: Float) -> (loss: Double, gradient: [Float]) {
        precondition(predictions.count == targets.count,
                     "squaredError: \(predictions.count) predictions, \(targets.count) targets")
        var gradient = [Float](repeating: 0, count: predictions.count)
        var total: Double = 0
        for e in 0..<predictions.count {
            let difference = predictions[e] - targets[e]
            total += Double(difference) * Double(difference)
            gradient[e] = gradientScale * 2 * difference                 // d(p − t)²/dp = 2(p − t)
        }
        return (total, gradient)
    }
}
