import Testing
import Kernels
import NeuralNet
import RecCore
import TensorCore
@testable import DeepAutoEncoderModule

/// Why the deep AE's finite-difference check fails at dropout 0.3 (seeded) with h = 1e-3: a SELU
/// kink, not a wrong gradient. In the dense re-feeding step of the unconstrained [5, 3] model,
/// `decoder.0.weight[2]` has a pre-activation that crosses 0 about 4e-5 below the current value, so
/// the central difference over ±1e-3 averages SELU's two slopes (numeric 0.466 vs analytic 0.514,
/// 9% off). On either side of the kink the analytic gradient matches a central difference with
/// h = 1e-5, and it jumps between the two sides (0.413 → 0.514).
@Suite struct DeepAutoEncoderKinkTests {
    @Test func theDropout03DisagreementIsASELUKink() {
        var configuration = DeepAutoEncoderConfiguration.paper
        configuration.hiddenSizes = [5, 3]
        configuration.constrainedDecoder = false
        configuration.linearLastLayer = false
        configuration.dropout = 0.3
        let ratings = Toy.ratings(6, 8, seed: 2)
        let model = DeepAutoEncoder(userCount: 6, itemCount: 8, configuration: configuration)
        var rng = RandomGenerator(seed: 9)                     // as in ModelGradientTests
        for parameter in model.parameters where parameter.name.hasSuffix("bias") {
            parameter.value = Kernels.randomNormal(rows: 1, columns: parameter.value.columns, standardDeviation: 0.3, using: &rng)
        }
        let fed = ratings.toDense()
        func loss() -> Double {
            var context = ForwardContext(mode: .training, seed: 6)
            model.parameters.zeroGradients()
            return model.denseStep(fed, context: &context).loss
        }
        guard let weight = model.parameters.first(where: { $0.name == "decoder.0.weight" }) else {
            Issue.record("no decoder.0.weight in \(model.parameters.map(\.name))")
            return
        }
        let original = weight.value, i = 2
        /// (analytic, central difference with step h) at θ_i + shift.
        func gradients(shift: Float, h: Float) -> (analytic: Double, numeric: Double) {
            weight.value.storage[i] = original.storage[i] + shift
            _ = loss()
            let analytic = Double(weight.gradient.storage[i])
            weight.value.storage[i] = original.storage[i] + shift + h
            let plus = loss()
            weight.value.storage[i] = original.storage[i] + shift - h
            let minus = loss()
            weight.value = original
            return (analytic, (plus - minus) / Double(2 * h))
        }
        let here = gradients(shift: 0, h: 1e-3)
        #expect(abs(here.analytic - here.numeric) > 0.05 * abs(here.analytic), "\(here)")   // the failing check
        let left = gradients(shift: -2e-4, h: 1e-5), right = gradients(shift: 1e-4, h: 1e-5)
        #expect(abs(left.analytic - left.numeric) < 0.03 * abs(left.analytic), "left of the kink: \(left)")
        #expect(abs(right.analytic - right.numeric) < 0.03 * abs(right.analytic), "right of the kink: \(right)")
        #expect(abs(right.analytic - left.analytic) > 0.15 * abs(right.analytic), "no slope jump: \(left), \(right)")
    }
}
