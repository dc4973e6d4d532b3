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
        for i in 0..<value.count {
            let g = gradient.storage[i] + weightDecay * value.storage[i]
            let m = beta1 * firstMoment.storage[i] + (1 - beta1) * g
            let v = beta2 * secondMoment.storage[i] + (1 - beta2) * g * g
            firstMoment.storage[i] = m
            secondMoment.storage[i] = v
            // torch: denom = √v / √(1−β₂ᵗ) + ε; θ −= (lr / (1−β₁ᵗ))·m / denom
            value.storage[i] -= stepSize * m / (v.squareRoot() / root2 + epsilon)
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
