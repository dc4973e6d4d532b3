import Testing
import TensorCore
import Kernels
@testable import NeuralNet

@Suite struct OptimizerTests {
    /// Hand-computed torch-style Adam steps for θ = [1, −2], g = [0.5, −0.1], lr 0.1.
    @Test func adamFirstTwoStepsMatchHandComputation() {
        let p = Parameter(name: "p", value: Matrix([[1, -2]]))
        var adam = Adam(learningRate: 0.1)
        p.gradient = Matrix([[0.5, -0.1]])
        adam.update([p])
        // t=1: m̂ = g, v̂ = g², step = lr·g/(|g| + ε) ≈ lr·sign(g)
        #expect(abs(p.value[0, 0] - 0.9) < 1e-6)
        #expect(abs(p.value[0, 1] - (-1.9)) < 1e-6)
        // t=2 with g = [0.5, 0.3]: m = 0.9·m₁ + 0.1·g, v = 0.999·v₁ + 0.001·g²
        p.gradient = Matrix([[0.5, 0.3]])
        adam.update([p])
        let m = 0.9 * 0.1 * -0.1 + 0.1 * 0.3, v = 0.999 * 0.001 * 0.01 + 0.001 * 0.09
        let mHat = m / (1 - 0.81), vHat = v / (1 - 0.999 * 0.999)
        let expected = -1.9 - 0.1 * mHat / (vHat.squareRoot() + 1e-8)
        #expect(abs(p.value[0, 0] - 0.8) < 1e-6)
        #expect(abs(Double(p.value[0, 1]) - expected) < 1e-5)
        #expect(adam.state["p"]?.step == 2)
        #expect(abs(Double(adam.state["p"]?.firstMoment[0, 1] ?? 0) - m) < 1e-7)
        #expect(abs(Double(adam.state["p"]?.secondMoment[0, 1] ?? 0) - v) < 1e-8)
    }

    /// AdamNormGrad: each parameter's gradient divided by its own L2 norm (+ 10⁻⁷) before the step —
    /// two parameters whose gradients differ only in scale get the same moments; both update paths
    /// agree; a hand-computed first moment.
    @Test func adamNormGradNormalisesEachParametersGradient() {
        let small = Parameter(name: "small", value: Matrix([[1, -2]]))
        let large = Parameter(name: "large", value: Matrix([[1, -2]]))
        var adam = Adam(learningRate: 0.1)
        adam.normalizesGradients = true
        small.gradient = Matrix([[0.3, -0.4]])                 // ‖g‖ = 0.5
        large.gradient = Matrix([[300, -400]])                 // ‖g‖ = 500
        var fused = adam
        let smallCopy = Parameter(name: "small", value: small.value), largeCopy = Parameter(name: "large", value: large.value)
        smallCopy.gradient = small.gradient
        largeCopy.gradient = large.gradient
        adam.update([small, large])
        #expect(fused.updateZeroingGradients([smallCopy, largeCopy]) == nil)
        #expect(small.value == smallCopy.value && large.value == largeCopy.value)
        let mSmall = adam.state["small"]!.firstMoment, mLarge = adam.state["large"]!.firstMoment
        #expect(abs(Double(mSmall[0, 0]) - 0.1 * 0.6) < 1e-6 && abs(Double(mSmall[0, 1]) - 0.1 * -0.8) < 1e-6)
        #expect(abs(Double(mLarge[0, 0]) - 0.1 * 0.6) < 1e-6 && abs(Double(mLarge[0, 1]) - 0.1 * -0.8) < 1e-6)
        var plain = Adam(learningRate: 0.1)
        let unnormalised = Parameter(name: "large", value: Matrix([[1, -2]]))
        unnormalised.gradient = Matrix([[300, -400]])
        plain.update([unnormalised])
        #expect(abs(Double(plain.state["large"]!.firstMoment[0, 0]) - 30) < 1e-4)   // plain Adam keeps the scale
    }

    /// A seeded gradient for step `step`, its right half `rightScale` times the left's magnitude.
    static func blockGradient(rows: Int, columns: Int, step: Int, seed: UInt64, rightScale: Float) -> Matrix {
        var rng = RandomGenerator(seed: seed &+ UInt64(step) &* 7919)
        var g = Kernels.randomUniform(rows: rows, columns: columns, low: -1, high: 1, using: &rng)
        Kernels.scaleColumnBlocks(&g, by: [1, rightScale])
        return g
    }

    /// AdamNormGrad on parameters that pack two tensors side by side (`normalizationBlocks` = 2: a
    /// Gaussian head's [W_μ | W_logσ²] weight with weight decay and its [b_μ | b_logσ²] bias) gives,
    /// bit for bit, the values and moments of AdamNormGrad on the four halves as separate parameters,
    /// over four steps, in both update paths. The right halves' gradients are 10³ times the left's,
    /// so one norm over both halves (the blocks ignored) would give other moments, which is checked.
    @Test(arguments: [false, true])
    func adamNormGradNormalisesEachColumnBlockAsASeparateParameter(fused: Bool) {
        let (rows, half) = (5, 11)                           // odd widths: SIMD lanes and scalar tails
        var initRNG = RandomGenerator(seed: 31)
        let w0 = Kernels.randomUniform(rows: rows, columns: 2 * half, low: -1, high: 1, using: &initRNG)
        let b0 = Kernels.randomUniform(rows: 1, columns: 2 * half, low: -1, high: 1, using: &initRNG)
        let weight = Parameter(name: "head.weight", value: w0), bias = Parameter(name: "head.bias", value: b0, decays: false)
        weight.normalizationBlocks = 2
        bias.normalizationBlocks = 2
        let wholeWeight = Parameter(name: "head.weight", value: w0), wholeBias = Parameter(name: "head.bias", value: b0, decays: false)
        let left = 0..<half, right = half..<(2 * half)
        let halves = [Parameter(name: "mean.weight", value: Kernels.columns(left, of: w0)),
                      Parameter(name: "mean.bias", value: Kernels.columns(left, of: b0), decays: false),
                      Parameter(name: "logvar.weight", value: Kernels.columns(right, of: w0)),
                      Parameter(name: "logvar.bias", value: Kernels.columns(right, of: b0), decays: false)]
        var adam = Adam(learningRate: 0.01, weightDecay: 0.05)
        adam.normalizesGradients = true
        var packedAdam = adam, wholeAdam = adam
        func step(_ optimizer: inout Adam, _ parameters: [Parameter]) {
            if fused { #expect(optimizer.updateZeroingGradients(parameters) == nil) } else { optimizer.update(parameters) }
        }
        for t in 1...4 {
            let gw = Self.blockGradient(rows: rows, columns: 2 * half, step: t, seed: 40, rightScale: 1000)
            let gb = Self.blockGradient(rows: 1, columns: 2 * half, step: t, seed: 50, rightScale: 1000)
            (weight.gradient, bias.gradient, wholeWeight.gradient, wholeBias.gradient) = (gw, gb, gw, gb)
            halves[0].gradient = Kernels.columns(left, of: gw); halves[1].gradient = Kernels.columns(left, of: gb)
            halves[2].gradient = Kernels.columns(right, of: gw); halves[3].gradient = Kernels.columns(right, of: gb)
            step(&packedAdam, [weight, bias])
            step(&adam, halves)
            step(&wholeAdam, [wholeWeight, wholeBias])
            if !fused { #expect(weight.gradient == gw && bias.gradient == gb) }   // `update` leaves the gradient as it was
            for (packed, (mean, logVariance)) in [(weight, (halves[0], halves[2])), (bias, (halves[1], halves[3]))] {
                let joined = { (m: Matrix, l: Matrix) in Kernels.concatenateColumns(m, l) }
                let state = packedAdam.state[packed.name]!, meanState = adam.state[mean.name]!
                let logVarianceState = adam.state[logVariance.name]!
                #expect(packed.value == joined(mean.value, logVariance.value), "\(packed.name) step \(t)")
                #expect(state.firstMoment == joined(meanState.firstMoment, logVarianceState.firstMoment))
                #expect(state.secondMoment == joined(meanState.secondMoment, logVarianceState.secondMoment))
                #expect(state.step == t)
                #expect(state.firstMoment != wholeAdam.state[packed.name]!.firstMoment)   // the blocks mattered
            }
        }
    }

    /// One block (the default) is the whole-tensor AdamNormGrad of before: the kernel's step with
    /// scale 1/(‖∇‖₂ + 10⁻⁷), bit for bit; and plain Adam ignores the blocks (bit for bit), both paths.
    @Test(arguments: [false, true])
    func oneBlockIsTheWholeTensorAndPlainAdamIgnoresTheBlocks(fused: Bool) {
        var initRNG = RandomGenerator(seed: 32)
        let w0 = Kernels.randomUniform(rows: 4, columns: 18, low: -1, high: 1, using: &initRNG)
        let oneBlock = Parameter(name: "w", value: w0)
        var normGrad = Adam(learningRate: 0.01, weightDecay: 0.05)
        normGrad.normalizesGradients = true
        var value = w0, m = Matrix(rows: 4, columns: 18), v = m
        let blocked = Parameter(name: "w", value: w0), unblocked = Parameter(name: "w", value: w0)
        blocked.normalizationBlocks = 2
        var plainBlocked = Adam(learningRate: 0.01, weightDecay: 0.05), plainUnblocked = plainBlocked
        for t in 1...3 {
            let g = Self.blockGradient(rows: 4, columns: 18, step: t, seed: 60, rightScale: 1000)
            (oneBlock.gradient, blocked.gradient, unblocked.gradient) = (g, g, g)
            if fused {
                #expect(normGrad.updateZeroingGradients([oneBlock]) == nil)
                #expect(plainBlocked.updateZeroingGradients([blocked]) == nil)
                #expect(plainUnblocked.updateZeroingGradients([unblocked]) == nil)
            } else {
                normGrad.update([oneBlock]); plainBlocked.update([blocked]); plainUnblocked.update([unblocked])
            }
            Kernels.adamUpdate(value: &value, gradient: g, firstMoment: &m, secondMoment: &v, learningRate: 0.01,
                               beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05, step: t,
                               gradientScale: Float(1 / (Kernels.dot(g, g).squareRoot() + 1e-7)))
            #expect(oneBlock.value == value && normGrad.state["w"]!.firstMoment == m && normGrad.state["w"]!.secondMoment == v)
            #expect(blocked.value == unblocked.value)
            #expect(plainBlocked.state["w"]! == plainUnblocked.state["w"]!)
        }
    }

    @Test func adamWeightDecaySkipsNonDecayingParameters() {
        let weight = Parameter(name: "w", value: Matrix([[2]]))
        let bias = Parameter(name: "b", value: Matrix([[2]]), decays: false)
        var adam = Adam(learningRate: 0.1, weightDecay: 0.5)
        adam.update([weight, bias])      // zero gradients: only the decayed weight moves (g = λθ = 1 → step lr)
        #expect(abs(weight.value[0, 0] - 1.9) < 1e-6)
        #expect(bias.value[0, 0] == 2)
    }

    @Test func sgdWithMomentumAndDecay() {
        let p = Parameter(name: "p", value: Matrix([[1]]))
        var sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.1)
        p.gradient = Matrix([[1]])
        sgd.update([p])                  // g = 1 + 0.1·1 = 1.1, b = 1.1, θ = 1 − 0.11 = 0.89
        #expect(abs(p.value[0, 0] - 0.89) < 1e-6)
        sgd.update([p])                  // g = 1 + 0.089 = 1.089, b = 0.99 + 1.089 = 2.079, θ = 0.89 − 0.2079
        #expect(abs(p.value[0, 0] - (0.89 - 0.2079)) < 1e-6)
        #expect(abs((sgd.velocities["p"]?[0, 0] ?? 0) - 2.079) < 1e-6)
    }

    @Test func uniquedKeepsSharedParametersOnce() {
        let shared = Parameter(name: "w", value: Matrix([[1]]))
        let other = Parameter(name: "b", value: Matrix([[1]]))
        #expect([shared, other, shared].uniqued().map(\.name) == ["w", "b"])
    }
}
