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
    /// `gradientScale` multiplies ∇ before the weight decay is added (AdamNormGrad's 1/‖∇‖; 1 leaves
    /// Adam's numbers unchanged).
    public static func adamUpdate(value: inout Matrix, gradient: Matrix, firstMoment: inout Matrix,
                                  secondMoment: inout Matrix, learningRate: Float, beta1: Float, beta2: Float,
                                  epsilon: Float, weightDecay: Float, step: Int, gradientScale: Float = 1) {
        precondition(value.count == gradient.count && value.count == firstMoment.count && value.count == secondMoment.count,
                     "adamUpdate: value \(value.shapeDescription), gradient \(gradient.shapeDescription), moments \(firstMoment.shapeDescription) / \(secondMoment.shapeDescription)")
        precondition(step >= 1, "adamUpdate: step must count from 1, got \(step)")
        let count = value.count
        gradient.withUnsafeBufferPointer { gradientBuffer in
            value.withUnsafeMutableBufferPointer { valueBuffer in
                firstMoment.withUnsafeMutableBufferPointer { firstBuffer in
                    secondMoment.withUnsafeMutableBufferPointer { secondBuffer in
                        guard let gb = gradientBuffer.baseAddress, let pb = valueBuffer.baseAddress,
                              let mb = firstBuffer.baseAddress, let vb = secondBuffer.baseAddress else { return }
                        _ = adamPass(count: count, value: pb, gradient: gb, clearing: nil, firstMoment: mb, secondMoment: vb,
                                     learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                                     weightDecay: weightDecay, step: step, gradientScale: gradientScale)
                    }
                }
            }
        }
    }

    /// `adamUpdate` fused with what a trainer does around it, in one pass over the four arrays:
    /// weight decay, both moments and the parameter update as `adamUpdate` (bit-identical), the
    /// gradient set to zero for the next accumulation, and a finiteness check of the gradient read.
    /// Returns false when any gradient entry was NaN or ±∞; the update has then been applied with
    /// that value (the caller reports the error; the parameter is no longer meaningful).
    public static func adamUpdateZeroingGradient(value: inout Matrix, gradient: inout Matrix, firstMoment: inout Matrix,
                                                 secondMoment: inout Matrix, learningRate: Float, beta1: Float,
                                                 beta2: Float, epsilon: Float, weightDecay: Float, step: Int,
                                                 gradientScale: Float = 1) -> Bool {
        precondition(value.count == gradient.count && value.count == firstMoment.count && value.count == secondMoment.count,
                     "adamUpdateZeroingGradient: value \(value.shapeDescription), gradient \(gradient.shapeDescription), moments \(firstMoment.shapeDescription) / \(secondMoment.shapeDescription)")
        precondition(step >= 1, "adamUpdateZeroingGradient: step must count from 1, got \(step)")
        let count = value.count
        return gradient.withUnsafeMutableBufferPointer { gradientBuffer in
            value.withUnsafeMutableBufferPointer { valueBuffer in
                firstMoment.withUnsafeMutableBufferPointer { firstBuffer in
                    secondMoment.withUnsafeMutableBufferPointer { secondBuffer in
                        guard let gb = gradientBuffer.baseAddress, let pb = valueBuffer.baseAddress,
                              let mb = firstBuffer.baseAddress, let vb = secondBuffer.baseAddress else { return true }
                        return adamPass(count: count, value: pb, gradient: UnsafePointer(gb), clearing: gb,
                                        firstMoment: mb, secondMoment: vb, learningRate: learningRate, beta1: beta1,
                                        beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, step: step,
                                        gradientScale: gradientScale)
                    }
                }
            }
        }
    }

    /// The Adam loop shared by `adamUpdate` and `adamUpdateZeroingGradient`: parallel chunks, eight
    /// lanes at a time, then the scalar tail (same formulas in both). When `clearing` is given (the
    /// gradient's own address) each gradient entry is zeroed right after it is read. Returns whether
    /// every gradient entry was finite (x·0 is 0 for finite x and NaN otherwise).
    static func adamPass(count: Int, value: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
                         clearing: UnsafeMutablePointer<Float>?, firstMoment: UnsafeMutablePointer<Float>,
                         secondMoment: UnsafeMutablePointer<Float>, learningRate: Float, beta1: Float, beta2: Float,
                         epsilon: Float, weightDecay: Float, step: Int, gradientScale: Float) -> Bool {
        let step = AdamStep(value: value, firstMoment: firstMoment, secondMoment: secondMoment,
                            learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                            weightDecay: weightDecay, step: step, gradientScale: gradientScale)
        return gradientPass(count: count, gradient: gradient, clearing: clearing, step: step)
    }

    /// The loop every optimizer pass shares: parallel chunks of at least 65,536 entries; each
    /// gradient entry is read, zeroed right after when `clearing` (the gradient's own address) is
    /// given, added as x·0 to a NaN/±∞ check, and handed to `lanes` (eight entries starting at i) or,
    /// for a chunk's tail, to `scalar` (one entry) of `step`, which apply the step with the same formulas.
    /// Returns whether every gradient entry was finite.
    /// Generic over the step so each optimizer's formulas are specialised into the loop (a closure
    /// here stayed an indirect call per eight entries).
    static func gradientPass<Step: GradientStep>(count: Int, gradient: UnsafePointer<Float>,
                                                 clearing: UnsafeMutablePointer<Float>?, step: Step) -> Bool {
        let chunkSize = 65_536
        let chunks = max(1, min(threadCount, count / chunkSize))
        let finite = UnsafeMutablePointer<Bool>.allocate(capacity: chunks)
        defer { finite.deallocate() }
        finite.initialize(repeating: true, count: chunks)
        let gp = SharedPointer(gradient), cp = clearing.map(SharedMutablePointer.init), fp = SharedMutablePointer(finite)
        parallelFor(chunks: chunks) { chunk in
            let start = chunk * count / chunks, end = (chunk + 1) * count / chunks
            fp.base[chunk] = stepEntries(gradient: gp.base + start, clearing: cp.map { $0.base + start },
                                         count: end - start, firstIndex: start, step: step)
        }
        for chunk in 0..<chunks where !finite[chunk] { return false }
        return true
    }

    /// Steps entries firstIndex ..< firstIndex + count from the gradient values at `gradient`
    /// (`gradient[j]` is entry firstIndex + j's), eight lanes then a scalar tail with the same
    /// formulas; zeroes each value after reading it when `clearing` (the same address) is given.
    /// Returns whether every value read was finite (x·0 is 0 for finite x and NaN otherwise).
    @inline(__always)
    static func stepEntries<Step: GradientStep>(gradient: UnsafePointer<Float>, clearing: UnsafeMutablePointer<Float>?,
                                                count: Int, firstIndex: Int, step: Step) -> Bool {
        var check = SIMD8<Float>()
        var j = 0
        while j + 8 <= count {
            let raw = UnsafeRawPointer(gradient + j).loadUnaligned(as: SIMD8<Float>.self)
            if let clearing { UnsafeMutableRawPointer(clearing + j).storeBytes(of: SIMD8<Float>(), as: SIMD8<Float>.self) }
            check += raw * 0
            step.lanes(firstIndex + j, raw)
            j += 8
        }
        var tailCheck: Float = 0
        while j < count {
            let raw = gradient[j]
            clearing?[j] = 0
            tailCheck += raw * 0
            step.scalar(firstIndex + j, raw)
            j += 1
        }
        return check.sum() + tailCheck == 0
    }

    /// One SGD step with momentum μ as `torch.optim.SGD` (dampening 0, no Nesterov):
    /// g ← ∇ + λθ, b ← μb + g, θ ← θ − lr·b (b starts at zero, so the first step uses g).
    public static func sgdUpdate(value: inout Matrix, gradient: Matrix, velocity: inout Matrix,
                                 learningRate: Float, momentum: Float, weightDecay: Float) {
        precondition(value.count == gradient.count && value.count == velocity.count,
                     "sgdUpdate: value \(value.shapeDescription), gradient \(gradient.shapeDescription), velocity \(velocity.shapeDescription)")
        let count = value.count
        gradient.withUnsafeBufferPointer { gradientBuffer in
            value.withUnsafeMutableBufferPointer { valueBuffer in
                velocity.withUnsafeMutableBufferPointer { velocityBuffer in
                    guard let gb = gradientBuffer.baseAddress, let pb = valueBuffer.baseAddress,
                          let bb = velocityBuffer.baseAddress else { return }
                    _ = sgdPass(count: count, value: pb, gradient: gb, clearing: nil, velocity: bb,
                                learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
                }
            }
        }
    }

    /// `sgdUpdate` fused with zeroing the gradient and checking it for NaN/±∞, in one pass (as
    /// `adamUpdateZeroingGradient`): the same values as `sgdUpdate` then a zero fill. Returns whether
    /// every gradient entry was finite; the step is applied either way.
    public static func sgdUpdateZeroingGradient(value: inout Matrix, gradient: inout Matrix, velocity: inout Matrix,
                                                learningRate: Float, momentum: Float, weightDecay: Float) -> Bool {
        precondition(value.count == gradient.count && value.count == velocity.count,
                     "sgdUpdateZeroingGradient: value \(value.shapeDescription), gradient \(gradient.shapeDescription), velocity \(velocity.shapeDescription)")
        let count = value.count
        return gradient.withUnsafeMutableBufferPointer { gradientBuffer in
            value.withUnsafeMutableBufferPointer { valueBuffer in
                velocity.withUnsafeMutableBufferPointer { velocityBuffer in
                    guard let gb = gradientBuffer.baseAddress, let pb = valueBuffer.baseAddress,
                          let bb = velocityBuffer.baseAddress else { return true }
                    return sgdPass(count: count, value: pb, gradient: UnsafePointer(gb), clearing: gb, velocity: bb,
                                   learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
                }
            }
        }
    }

    /// The SGD loop shared by `sgdUpdate` and `sgdUpdateZeroingGradient`: parallel chunks, eight
    /// lanes then a scalar tail with the same formulas (so every entry gets the same bits as the
    /// scalar reference). `clearing` (the gradient's own address) zeroes each entry after reading it.
    static func sgdPass(count: Int, value: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
                        clearing: UnsafeMutablePointer<Float>?, velocity: UnsafeMutablePointer<Float>,
                        learningRate: Float, momentum: Float, weightDecay: Float) -> Bool {
        gradientPass(count: count, gradient: gradient, clearing: clearing,
                     step: SGDStep(value: value, velocity: velocity, learningRate: learningRate, momentum: momentum,
                                   weightDecay: weightDecay))
    }

    /// One resilient-propagation step as `torch.optim.Rprop` (iRprop⁻, Igel & Hüsken 2000): where the
    /// gradient keeps its sign the step size grows by η⁺, where it flips it shrinks by η⁻ and that
    /// gradient is treated as 0 (no move, not remembered); θ ← θ − sign(g)·step, step ∈ [min, max].
    public static func rpropUpdate(value: inout Matrix, gradient: Matrix, previousGradient: inout Matrix,
                                   stepSizes: inout Matrix, etaMinus: Float, etaPlus: Float,
                                   minimumStep: Float, maximumStep: Float) {
        precondition(value.count == gradient.count && value.count == previousGradient.count && value.count == stepSizes.count,
                     "rpropUpdate: value \(value.shapeDescription), gradient \(gradient.shapeDescription), state \(previousGradient.shapeDescription) / \(stepSizes.shapeDescription)")
        for i in 0..<value.count {
            var g = gradient.storage[i]
            let product = g * previousGradient.storage[i]
            if product > 0 {
                stepSizes.storage[i] = min(stepSizes.storage[i] * etaPlus, maximumStep)
            } else if product < 0 {
                stepSizes.storage[i] = max(stepSizes.storage[i] * etaMinus, minimumStep)
                g = 0
            }
            if g > 0 { value.storage[i] -= stepSizes.storage[i] } else if g < 0 { value.storage[i] += stepSizes.storage[i] }
            previousGradient.storage[i] = g
        }
    }
}

/// One optimizer's per-entry formulas for `Kernels.gradientPass`: `lanes` updates the eight entries
/// starting at i from their raw gradient, `scalar` one entry, with the same arithmetic.
protocol GradientStep: Sendable {
    func lanes(_ i: Int, _ raw: SIMD8<Float>)
    func scalar(_ i: Int, _ raw: Float)
}

/// Adam (`torch.optim.Adam`): g ← s·∇ + λθ; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
/// θ ← θ − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε). The gradient scale s is 1 for Adam (x·1 = x, so the
/// same bits) and 1/(‖∇‖₂ + 10⁻⁷) for AdamNormGrad.
struct AdamStep: GradientStep, @unchecked Sendable {
    let value: UnsafeMutablePointer<Float>, firstMoment: UnsafeMutablePointer<Float>
    let secondMoment: UnsafeMutablePointer<Float>
    let beta1: Float, beta2: Float, oneMinusBeta1: Float, oneMinusBeta2: Float
    let stepSize: Float, root2: Float, epsilon: Float, weightDecay: Float, gradientScale: Float

    /// The step t (≥ 1) with torch's bias corrections: stepSize = lr/(1−β₁ᵗ), root2 = √(1−β₂ᵗ),
    /// both formed in Double and rounded once.
    init(value: UnsafeMutablePointer<Float>, firstMoment: UnsafeMutablePointer<Float>,
         secondMoment: UnsafeMutablePointer<Float>, learningRate: Float, beta1: Float, beta2: Float, epsilon: Float,
         weightDecay: Float, step: Int, gradientScale: Float) {
        let correction1 = 1 - pow(Double(beta1), Double(step))
        let correction2 = 1 - pow(Double(beta2), Double(step))
        (self.value, self.firstMoment, self.secondMoment) = (value, firstMoment, secondMoment)
        (self.beta1, self.beta2, oneMinusBeta1, oneMinusBeta2) = (beta1, beta2, 1 - beta1, 1 - beta2)
        stepSize = Float(Double(learningRate) / correction1)
        root2 = Float(correction2.squareRoot())
        (self.epsilon, self.weightDecay, self.gradientScale) = (epsilon, weightDecay, gradientScale)
    }

    @inline(__always)
    func lanes(_ i: Int, _ raw: SIMD8<Float>) {
        let theta = UnsafeRawPointer(value + i).loadUnaligned(as: SIMD8<Float>.self)
        let g = raw * gradientScale + weightDecay * theta
        let m = beta1 * UnsafeRawPointer(firstMoment + i).loadUnaligned(as: SIMD8<Float>.self) + oneMinusBeta1 * g
        let v = beta2 * UnsafeRawPointer(secondMoment + i).loadUnaligned(as: SIMD8<Float>.self) + oneMinusBeta2 * g * g
        UnsafeMutableRawPointer(firstMoment + i).storeBytes(of: m, as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(secondMoment + i).storeBytes(of: v, as: SIMD8<Float>.self)
        // torch: denom = √v / √(1−β₂ᵗ) + ε; θ −= (lr / (1−β₁ᵗ))·m / denom
        let updated = theta - stepSize * m / (v.squareRoot() / root2 + epsilon)
        UnsafeMutableRawPointer(value + i).storeBytes(of: updated, as: SIMD8<Float>.self)
    }

    @inline(__always)
    func scalar(_ i: Int, _ raw: Float) {
        let g = raw * gradientScale + weightDecay * value[i]
        let m = beta1 * firstMoment[i] + oneMinusBeta1 * g
        let v = beta2 * secondMoment[i] + oneMinusBeta2 * g * g
        firstMoment[i] = m
        secondMoment[i] = v
        value[i] -= stepSize * m / (v.squareRoot() / root2 + epsilon)
    }
}

/// SGD with momentum (`torch.optim.SGD`, dampening 0): g ← ∇ + λθ; b ← μb + g; θ ← θ − lr·b.
struct SGDStep: GradientStep, @unchecked Sendable {
    let value: UnsafeMutablePointer<Float>, velocity: UnsafeMutablePointer<Float>
    let learningRate: Float, momentum: Float, weightDecay: Float

    @inline(__always)
    func lanes(_ i: Int, _ raw: SIMD8<Float>) {
        let theta = UnsafeRawPointer(value + i).loadUnaligned(as: SIMD8<Float>.self)
        let g = raw + weightDecay * theta
        let b = momentum * UnsafeRawPointer(velocity + i).loadUnaligned(as: SIMD8<Float>.self) + g
        UnsafeMutableRawPointer(velocity + i).storeBytes(of: b, as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(value + i).storeBytes(of: theta - learningRate * b, as: SIMD8<Float>.self)
    }

    @inline(__always)
    func scalar(_ i: Int, _ raw: Float) {
        let g = raw + weightDecay * value[i]
        let b = momentum * velocity[i] + g
        velocity[i] = b
        value[i] -= learningRate * b
    }
}
