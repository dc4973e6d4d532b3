import Testing
import TestSupport
import Foundation
import TensorCore
import Kernels
import NeuralNet
@testable import VampPriorModule

/// Finite-difference checks of the VampPrior KL (w.r.t. μ, logσ², the sample z and the
/// pseudo-inputs, plus the shared encoder) and of tiny whole models (every parameter).
@Suite struct VampPriorGradientTests {
    /// h = 1e-2 as the NeuralNet table. Tolerances: 2e-2 for the prior alone, 3e-2 for whole models.
    /// The forward passes run in Float: with losses of ~10 the round-off in L(θ ± h) is ~1e-6, i.e.
    /// ~5e-5 in a numeric derivative, which is 1–2.5% of the smallest gradient entries of the deep
    /// gated layers (measured worst: 0.94% for the prior, 2.5% for H+Vamp (Gated) with 3 layers, every
    /// other model ≤ 0.7%). `catchesTenPercentErrors` shows that these bounds still fail a gradient
    /// that is wrong by 10% and a missing gradient path.
    static let priorChecker = GradientChecker(step: 1e-2, tolerance: 2e-2)
    static let modelChecker = GradientChecker(step: 1e-2, tolerance: 3e-2)
    /// A small encoder [I → 5 → 2Z] with dropout and a logσ² clamp, as the models build it.
    static func prior(items: Int = 6, latent: Int = 3, components: Int = 4, dropout: Bool, seed: UInt64,
                      bounds: ClosedRange<Float>? = 0...1) -> VampPrior {
        var rng = RandomGenerator(seed: seed)
        var layers: [AnyLayer] = dropout ? [AnyLayer(Dropout(keepProbability: 0.6))] : []
        layers += VampPriorLayers.block(items, 5, name: "e.0", gated: true, rng: &rng)
        layers += VampPriorLayers.gaussianHead(5, latent: latent, name: "e.head", bounds: -3...3, rng: &rng)
        // Pseudo-inputs spread over about [−0.3, 1.3] so some sit in the clamp's flat parts (zero
        // gradient); none within 0.05 of a bound, where a step of h would cross the kink.
        let prior = VampPrior(componentCount: components, inputSize: items, encoder: AnyLayer(Chain(layers)),
                              initialMean: 0.5, initialStandardDeviation: 0.4, pseudoInputBounds: bounds, rng: &rng)
        prior.pseudoInputs.value.storage = prior.pseudoInputs.value.storage.map { value in
            abs(value) < 0.05 || abs(value - 1) < 0.05 ? value + 0.1 : value
        }
        return prior
    }

    /// A loss-only evaluation that leaves every parameter's gradient as it was (the prior and the
    /// models accumulate gradients in every call; the checker reads them after the perturbed calls).
    static func lossOnly(_ parameters: [Parameter], _ body: () -> Double) -> Double {
        let saved = parameters.map(\.gradient)
        let loss = body()
        for (parameter, gradient) in zip(parameters, saved) { parameter.gradient = gradient }
        return loss
    }

    /// Loss β·KL with μ, logσ² and z as *independent* inputs (z = μ + σ·ε with ε = (z − μ)/σ), so the
    /// returned `Divergence` pieces are checked as the partial derivatives they claim to be.
    static func explicitPartials(_ name: String, beta: Double = 0.7, dropout: Bool, seed: UInt64,
                                 bounds: ClosedRange<Float>? = 0...1) -> GradientProblem {
        let prior = Self.prior(dropout: dropout, seed: seed, bounds: bounds)
        let mean = Fixtures.matrix(4, 3, seed: seed &+ 1)
        let logVariance = Fixtures.matrix(4, 3, seed: seed &+ 2, scale: 0.5)
        let sample = Fixtures.matrix(4, 3, seed: seed &+ 3)
        return GradientProblem(parameters: prior.parameters, inputs: [mean, logVariance, sample], checkedInputs: [0, 1, 2],
                               seed: seed, mode: .training) { inputs, context, backward in
            let noise = Matrix(rows: mean.rows, columns: mean.columns, storage: (0..<mean.count).map { i in
                (inputs[2].storage[i] - inputs[0].storage[i]) / (0.5 * inputs[1].storage[i]).exp
            })
            let posterior = GaussianPosterior(mean: inputs[0], logVariance: inputs[1], noise: noise)
            guard backward else {
                return (lossOnly(prior.parameters) { beta * prior.divergence(from: posterior, weight: beta, context: &context).value }, [])
            }
            let kl = prior.divergence(from: posterior, weight: beta, context: &context)
            return (beta * kl.value, [kl.mean, kl.logVariance, kl.sample])
        }
    }

    @Test(arguments: [("with dropout on the pseudo-inputs", true, UInt64(3)), ("no dropout", false, UInt64(4))])
    func divergencePartialsMatchCentralDifferences(_ name: String, _ dropout: Bool, _ seed: UInt64) {
        let (passed, worst) = Self.priorChecker.check(Self.explicitPartials(name, dropout: dropout, seed: seed))
        #expect(passed, "\(name): \(worst.map(\.description).joined(separator: "; "))")
        #expect(worst.contains { $0.tensor == "vampprior.pseudoinputs" } && worst.contains { $0.tensor == "input2" })
    }

    @Test func unclampedPseudoInputsMatchCentralDifferences() {
        let (passed, worst) = Self.priorChecker.check(Self.explicitPartials("unclamped", dropout: false, seed: 5, bounds: nil))
        #expect(passed, "\(worst.map(\.description).joined(separator: "; "))")
    }

    @Test func pseudoInputGradientIsNonZeroAndZeroWhereClamped() {
        let prior = Self.prior(dropout: false, seed: 3)
        var context = ForwardContext(mode: .training, seed: 1)
        let posterior = GaussianPosterior(mean: Fixtures.matrix(4, 3, seed: 8), logVariance: Fixtures.matrix(4, 3, seed: 9, scale: 0.3),
                                          context: &context)
        prior.parameters.zeroGradients()
        _ = prior.divergence(from: posterior, weight: 1, context: &context)
        let u = prior.pseudoInputs
        var inside = 0
        for i in 0..<u.value.count {
            let value = u.value.storage[i]
            if value <= 0 || value >= 1 { #expect(u.gradient.storage[i] == 0) } else if u.gradient.storage[i] != 0 { inside += 1 }
        }
        #expect(inside > 0)
        #expect(u.value.storage.contains { $0 < 0 || $0 > 1 }, "the fixture should exercise the clamp")
    }

    /// A tiny model's loss for a fixed step, checked w.r.t. every parameter (dropout, ε and the
    /// pseudo-input pass re-drawn identically for every evaluation).
    static func wholeModel(_ model: some TrainableModel, items: Int, seed: UInt64) -> GradientProblem {
        let batch = Fixtures.sparse(5, items, seed: seed)
        let step = TrainingStep(epoch: 3, batch: 0, update: 10, klWeight: 0.6, learningRate: 1e-3)
        return GradientProblem(parameters: model.parameters, inputs: [], checkedInputs: [], seed: seed, mode: .training) {
            _, context, backward in
            if backward { return (model.lossAndGradients(batch: batch, step: step, context: &context), []) }
            return (lossOnly(model.parameters) { model.lossAndGradients(batch: batch, step: step, context: &context) }, [])
        }
    }

    static func tiny(_ base: VampPriorConfiguration, layers: Int) -> VampPriorConfiguration {
        var c = base
        c.hiddenSize = 4; c.latentSize = 3; c.lowerLatentSize = 2; c.layerCount = layers; c.componentCount = 3
        c.pseudoInputMean = 0.5; c.pseudoInputStandardDeviation = 0.2; c.seed = 17
        return c
    }

    @Test(arguments: [("H+Vamp (Gated), 2 layers", true, 2), ("H+Vamp (Gated), 3 layers", true, 3),
                      ("H+Vamp tanh, 2 layers", false, 2), ("H+Vamp tanh, 1 layer", false, 1)])
    func hierarchicalModelMatchesCentralDifferences(_ name: String, _ gated: Bool, _ layers: Int) {
        var c = Self.tiny(.hierarchical, layers: layers)
        c.gated = gated
        let model = HierarchicalVampPriorVAE(itemCount: 7, configuration: c)
        let (passed, worst) = Self.modelChecker.check(Self.wholeModel(model, items: 7, seed: 23))
        #expect(passed, "\(name): \(worst.filter { $0.error > 1e-2 }.map(\.description).joined(separator: "; "))")
        #expect(worst.count == model.parameters.count)
    }

    @Test(arguments: [("H+Vamp (Gated), Bernoulli", true), ("VampPrior VAE, Bernoulli", false)])
    func bernoulliModelsMatchCentralDifferences(_ name: String, _ hierarchical: Bool) {
        var c = Self.tiny(hierarchical ? .hierarchicalGated : .vampPrior, layers: 2)
        c.likelihood = .bernoulli
        let model: any TrainableModel = hierarchical ? HierarchicalVampPriorVAE(itemCount: 7, configuration: c)
                                                     : VampPriorVAE(itemCount: 7, configuration: c)
        let (passed, worst) = Self.modelChecker.check(Self.wholeModel(model, items: 7, seed: 31))
        #expect(passed, "\(name): \(worst.filter { $0.error > 1e-2 }.map(\.description).joined(separator: "; "))")
        #expect(worst.count == model.parameters.count)
    }

    @Test(arguments: [("VampPrior VAE tanh", false), ("VampPrior VAE gated", true)])
    func oneLatentModelMatchesCentralDifferences(_ name: String, _ gated: Bool) {
        var c = Self.tiny(.vampPrior, layers: 2)
        c.gated = gated
        let model = VampPriorVAE(itemCount: 7, configuration: c)
        let (passed, worst) = Self.modelChecker.check(Self.wholeModel(model, items: 7, seed: 29))
        #expect(passed, "\(name): \(worst.filter { $0.error > 1e-2 }.map(\.description).joined(separator: "; "))")
    }
}

extension Float {
    /// eˣ (test arithmetic only).
    var exp: Float { Float(Foundation.exp(Double(self))) }
}

/// The relaxed tolerances above still reject real mistakes.
@Suite struct VampPriorCheckerSensitivityTests {
    /// A model whose reported gradient of one tensor is scaled by `factor` (a deliberate bug).
    final class Miscaled: TrainableModel {
        let base: any TrainableModel, tensor: String, factor: Float
        init(_ base: any TrainableModel, tensor: String, factor: Float) { self.base = base; self.tensor = tensor; self.factor = factor }
        var parameters: [Parameter] { base.parameters }
        func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
            let loss = base.lossAndGradients(batch: batch, step: step, context: &context)
            for parameter in parameters where parameter.name == tensor { Kernels.scale(&parameter.gradient, by: factor) }
            return loss
        }
    }

    @Test(arguments: [("q2.hidden.1.gate.weight", Float(1.1)), ("prior.pseudoinputs", Float(0.9)), ("px.logits.bias", Float(1.1))])
    func catchesTenPercentErrors(_ tensor: String, _ factor: Float) {
        var c = VampPriorGradientTests.tiny(.hierarchicalGated, layers: 3)
        c.gated = true
        let model = HierarchicalVampPriorVAE(itemCount: 7, configuration: c)
        let (passed, worst) = VampPriorGradientTests.modelChecker.check(
            VampPriorGradientTests.wholeModel(Miscaled(model, tensor: tensor, factor: factor), items: 7, seed: 23))
        #expect(!passed)
        #expect(worst.first { $0.tensor == tensor }.map { $0.error > VampPriorGradientTests.modelChecker.tolerance } == true)
    }

    @Test func catchesAWrongSampleGradientOfThePrior() {
        let problem = VampPriorGradientTests.explicitPartials("wrong ∂z", dropout: false, seed: 4)
        var broken = problem
        broken.evaluate = { inputs, context, backward in
            let (loss, gradients) = problem.evaluate(inputs, &context, backward)
            guard backward else { return (loss, gradients) }
            var dz = gradients[2]
            Kernels.scale(&dz, by: 1.1)
            return (loss, [gradients[0], gradients[1], dz])
        }
        let (passed, worst) = VampPriorGradientTests.priorChecker.check(broken)
        #expect(!passed)
        #expect(worst.first { $0.tensor == "input2" }.map { $0.error > 0.05 } == true)
    }
}
