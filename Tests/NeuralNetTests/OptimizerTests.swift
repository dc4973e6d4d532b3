import Testing
import TensorCore
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
