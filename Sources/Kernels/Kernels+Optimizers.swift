import TensorCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// In-place parameter updates of the optimizers (one pass over value, gradient and state).
extension Kernels {
    /// One Adam step (Kingma & Ba 2015, Algorithm 1) as PyTorch's `torch.optim.Adam` does it:
    /// g ← ∇ + λθ (L2 weight decay), m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
    /// θ ← θ − lr·(m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε). `step` is t ≥ 1, counting this update.
    public static func adamUpdate(value: inout Matrix, gradient: Matrix, firstMoment: inout Matrix,
                                  secondMoment: inout Matrix, learningRate: Float, beta1: Float, beta2: Float,
                                  epsilon: Float, weightDecay: Float, step: Int) {
        precondition(value.count == gradient.count && value.count == firstMoment.count && value.count == secondMoment.count,
                     "adamUpdate: value \(value.shapeDescription), gradient \(gradient.shapeDescription), moments \(firstMoment.shapeDescription) / \(secondMoment.shapeDescription)")
        precondition(step >= 1, "adamUpdate: step must count from 1, got \(step)")
        let correction1 = 1 - pow(Double(beta1), Double(step))
        let correction2 = 1 - pow(Double(beta2), Double(step))
        let stepSize = Float(Double(learningRate) / correction1)
        let root2 = Float(correction2.squareRoot())
        let oneMinusBeta1 = 1 - beta1, oneMinusBeta2 = 1 - beta2
        let count = value.count
        gradient.withUnsafeBufferPointer { gradientBuffer in
            value.withUnsafeMutableBufferPointer { valueBuffer in
                firstMoment.withUnsafeMutableBufferPointer { firstBuffer in
                    secondMoment.withUnsafeMutableBufferPointer { secondBuffer in
                        guard let gb = gradientBuffer.baseAddress, let pb = valueBuffer.baseAddress,
                              let mb = firstBuffer.baseAddress, let vb = secondBuffer.baseAddress else { return }
                        let gp = SharedPointer(gb), pp = SharedMutablePointer(pb)
                        let mp = SharedMutablePointer(mb), vp = SharedMutablePointer(vb)
                        parallelRanges(count, minimumPerChunk: 65_536) { range in
                            // Eight lanes at a time, then the scalar tail; same formulas in both.
                            var i = range.lowerBound
                            while i + 8 <= range.upperBound {
                                let theta = UnsafeRawPointer(pp.base + i).loadUnaligned(as: SIMD8<Float>.self)
                                let g = UnsafeRawPointer(gp.base + i).loadUnaligned(as: SIMD8<Float>.self) + weightDecay * theta
                                let m = beta1 * UnsafeRawPointer(mp.base + i).loadUnaligned(as: SIMD8<Float>.self) + oneMinusBeta1 * g
                                let v = beta2 * UnsafeRawPointer(vp.base + i).loadUnaligned(as: SIMD8<Float>.self) + oneMinusBeta2 * g * g
                                UnsafeMutableRawPointer(mp.base + i).storeBytes(of: m, as: SIMD8<Float>.self)
                                UnsafeMutableRawPointer(vp.base + i).storeBytes(of: v, as: SIMD8<Float>.self)
                                // torch: denom = √v / √(1−β₂ᵗ) + ε; θ −= (lr / (1−β₁ᵗ))·m / denom
                                let updated = theta - stepSize * m / (v.squareRoot() / root2 + epsilon)
                                UnsafeMutableRawPointer(pp.base + i).storeBytes(of: updated, as: SIMD8<Float>.self)
                                i += 8
                            }
                            while i < range.upperBound {
                                let g = gp.base[i] + weightDecay * pp.base[i]
                                let m = beta1 * mp.base[i] + oneMinusBeta1 * g
                                let v = beta2 * vp.base[i] + oneMinusBeta2 * g * g
                                mp.base[i] = m
                                vp.base[i] = v
                                pp.base[i] -= stepSize * m / (v.squareRoot() / root2 + epsilon)
                                i += 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// One SGD step with momentum μ as `torch.optim.SGD` (dampening 0, no Nesterov):
    /// g ← ∇ + λθ, b ← μb + g, θ ← θ − lr·b (b starts at zero, so the first step uses g).
    public static func sgdUpdate(value: inout Matrix, gradient: Matrix, velocity: inout Matrix,
                                 learningRate: Float, momentum: Float, weightDecay: Float) {
        precondition(value.count == gradient.count && value.count == velocity.count,
                     "sgdUpdate: value \(value.shapeDescription), gradient \(gradient.shapeDescription), velocity \(velocity.shapeDescription)")
        for i in 0..<value.count {
            let g = gradient.storage[i] + weightDecay * value.storage[i]
            let b = momentum * velocity.storage[i] + g
            velocity.storage[i] = b
            value.storage[i] -= learningRate * b
        }
    }
}
