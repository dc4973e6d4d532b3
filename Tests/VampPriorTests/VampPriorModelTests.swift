import Testing
import Foundation
import TensorCore
import Kernels
import ModelKit
import NeuralNet
import RecCore
@testable import VampPriorModule

/// The model-specific behaviour: configuration, the prior's value, parameter sharing, β schedule.
@Suite struct VampPriorModelTests {
    @Test func paperDefaultsFollowTheReferenceCode() {
        let c = VampPriorConfiguration.hierarchicalGated
        #expect(c.hiddenSize == 600 && c.latentSize == 200 && c.lowerLatentSize == 200 && c.layerCount == 2 && c.gated)
        #expect(c.componentCount == 1000 && c.batchSize == 200 && c.learningRate == 5e-4 && c.epochs == 400)
        #expect(c.patience == 50 && c.logVarianceBounds == -12...4 && c.warmUpEpochs == 100)
        #expect(VampPriorConfiguration.vampPrior.layerCount == 1 && !VampPriorConfiguration.vampPrior.gated)
        #expect(!VampPriorConfiguration.hierarchical.gated)
    }

    @Test func patienceCountsFromTheEndOfWarmUpAsTheReference() throws {
        // The reference resets its counter while epoch < warm-up (epochs from 1): epoch 100 is
        // the first that counts, 99 from 0. `patience-from` moves it; 1 counts every epoch.
        let c = VampPriorConfiguration.hierarchicalGated
        #expect(c.patienceFromEpoch == nil && c.patienceStartEpoch == 99 && c.recipe.patienceStartEpoch == 99)
        let every = try VampPriorConfiguration.from(ModelOptions(overrides: ["patience-from": "1"]), model: "h-vamp-gated", base: c)
        #expect(every.patienceFromEpoch == 1 && every.recipe.patienceStartEpoch == 0)
        let later = try VampPriorConfiguration.from(ModelOptions(overrides: ["patience-from": "150"]), model: "h-vamp-gated", base: c)
        #expect(later.recipe.patienceStartEpoch == 149)
        let noWarmUp = try VampPriorConfiguration.from(ModelOptions(overrides: ["warm-up": "0"]), model: "h-vamp-gated", base: c)
        #expect(noWarmUp.recipe.patienceStartEpoch == 0)
        let shorter = try VampPriorConfiguration.from(ModelOptions(overrides: ["warm-up": "20"]), model: "vampprior-vae", base: .vampPrior)
        #expect(shorter.recipe.patienceStartEpoch == 19)
        #expect(throws: ModelZooError.self) {
            try VampPriorConfiguration.from(ModelOptions(overrides: ["patience-from": "-3"]), model: "h-vamp", base: .hierarchical)
        }
    }

    @Test func bernoulliLikelihoodIsTheReferenceLogBernoulliOverEveryItem() throws {
        // The README's `--input_type binary`: −Σ_i [x log σ(l) + (1 − x) log(1 − σ(l))] per user, mean
        // over users; unclicked items count (unlike the multinomial), and ∂/∂l = (σ(l) − x)/B.
        let logits = Matrix([[0.5, -1.0, 2.0, 0.0], [-0.3, 0.8, -2.5, 1.2]])
        let clicks = SparseMatrix(rows: 2, columns: 4, triplets: [(0, 0, 1), (0, 2, 1), (1, 3, 1)])
        let dense = clicks.toDense()
        var expected = 0.0
        for b in 0..<2 {
            for i in 0..<4 {
                let p = 1 / (1 + exp(-Double(logits[b, i]))), x = Double(dense[b, i])
                expected -= x * log(p) + (1 - x) * log(1 - p)
            }
        }
        expected /= 2
        let (loss, gradient) = VampPriorLikelihood.bernoulli.negativeLogLikelihood(logits, target: clicks)
        #expect(abs(loss - expected) < 1e-5 * expected, "\(loss) vs \(expected)")
        for b in 0..<2 {
            for i in 0..<4 {
                let p = 1 / (1 + exp(-Double(logits[b, i])))
                #expect(abs(Double(gradient[b, i]) - (p - Double(dense[b, i])) / 2) < 1e-6)
            }
        }
        let (multinomial, _) = VampPriorLikelihood.multinomial.negativeLogLikelihood(logits, target: clicks)
        #expect(abs(multinomial - loss) > 0.1)
        let c = try VampPriorConfiguration.from(ModelOptions(overrides: ["likelihood": "bernoulli"]),
                                                model: "h-vamp-gated", base: .hierarchicalGated)
        #expect(c.likelihood == .bernoulli && VampPriorConfiguration.hierarchicalGated.likelihood == .multinomial)
        #expect(throws: ModelZooError.self) {
            try VampPriorConfiguration.from(ModelOptions(overrides: ["likelihood": "gaussian"]), model: "h-vamp", base: .hierarchical)
        }
    }

    @Test func overridesAreReadAndUnknownKeysRejected() throws {
        let options = ModelOptions(seed: 9, epochs: 7, overrides: [
            "hidden": "64", "latent": "16", "latent-1": "8", "layers": "3", "components": "50", "pseudo-dropout": "off",
            "beta-cap": "0.5", "warm-up": "10", "lr": "0.001", "batch": "32", "patience": "0", "logvar-min": "-6",
            "logvar-max": "2", "pseudo-mean": "0.1", "pseudo-std": "0.02", "dropout": "0.2", "optimizer": "adam-normgrad"])
        let c = try VampPriorConfiguration.from(options, model: "h-vamp", base: .hierarchical)
        #expect(c.hiddenSize == 64 && c.latentSize == 16 && c.lowerLatentSize == 8 && c.layerCount == 3)
        #expect(c.componentCount == 50 && !c.pseudoInputDropout && c.betaCap == 0.5 && c.warmUpEpochs == 10)
        #expect(c.learningRate == 0.001 && c.batchSize == 32 && c.patience == nil && c.epochs == 7 && c.seed == 9)
        #expect(c.logVarianceBounds == -6...2 && c.pseudoInputMean == 0.1 && c.dropout == 0.2)
        #expect(c.normalizesGradients && !VampPriorConfiguration.hierarchical.normalizesGradients)
        #expect(throws: ModelZooError.self) {
            try VampPriorConfiguration.from(ModelOptions(overrides: ["optimizer": "sgd"]), model: "h-vamp", base: .hierarchical)
        }
        #expect(throws: ModelZooError.self) {
            try VampPriorConfiguration.from(ModelOptions(overrides: ["componets": "5"]), model: "h-vamp", base: .hierarchical)
        }
        #expect(throws: ModelZooError.self) {
            try VampPriorConfiguration.from(ModelOptions(overrides: ["logvar-min": "5"]), model: "h-vamp", base: .hierarchical)
        }
        #expect(throws: ModelZooError.self) {
            try VampPriorConfiguration.from(ModelOptions(overrides: ["pseudo-dropout": "yes"]), model: "h-vamp", base: .hierarchical)
        }
    }

    /// The reference: β = cap · epoch / warm-up with epochs from 1, capped.
    @Test(arguments: [(0.3, 100), (1.0, 100), (0.2, 7)])
    func betaScheduleHasTheReferenceSlope(cap: Double, warmUp: Int) {
        var c = VampPriorConfiguration.vampPrior
        c.betaCap = cap
        c.warmUpEpochs = warmUp
        for epoch in 0..<(2 * warmUp) {
            let reference = min(cap, cap * Double(epoch + 1) / Double(warmUp))
            #expect(abs(c.klSchedule.weight(epoch: epoch, update: 0) - reference) <= 0.01 * cap)
        }
    }

    /// With K = 1 and an encoder whose output is all zeros, p(z) = N(0, I): the prior's value is
    /// the Monte-Carlo estimate mean_b [log q(z_b) − log N(z_b; 0, I)].
    @Test func oneZeroComponentIsTheStandardNormal() {
        let encoder = Dense(weight: Parameter(name: "w", value: Matrix(rows: 3, columns: 4)),
                            bias: Parameter(name: "b", value: Matrix(rows: 1, columns: 4)))
        var rng = RandomGenerator(seed: 2)
        let prior = VampPrior(componentCount: 1, inputSize: 3, encoder: AnyLayer(encoder), rng: &rng)
        var context = ForwardContext(mode: .training, seed: 3)
        let mean = Kernels.randomNormal(rows: 5, columns: 2, using: &rng)
        let logVariance = Kernels.randomNormal(rows: 5, columns: 2, standardDeviation: 0.3, using: &rng)
        let posterior = GaussianPosterior(mean: mean, logVariance: logVariance, context: &context)
        let kl = prior.divergence(from: posterior, weight: 1, context: &context)
        var expected = 0.0
        for b in 0..<5 {
            for j in 0..<2 {
                let z = Double(posterior.sample[b, j]), mu = Double(mean[b, j]), lv = Double(logVariance[b, j])
                expected += -0.5 * (lv + (z - mu) * (z - mu) / exp(lv)) + 0.5 * z * z   // log q − log N(0, 1), 2π cancels
            }
        }
        #expect(abs(kl.value - expected / 5) < 1e-4)
    }

    @Test func thePriorSharesTheEncoderAndTheModelListsEachParameterOnce() {
        var c = VampPriorConfiguration.hierarchicalGated
        c.hiddenSize = 6; c.latentSize = 3; c.lowerLatentSize = 2; c.componentCount = 4
        let model = HierarchicalVampPriorVAE(itemCount: 9, configuration: c)
        let ids = model.parameters.map { ObjectIdentifier($0) }
        #expect(Set(ids).count == ids.count)
        let encoderIDs = Set((model.topInput.parameters + model.topTail.parameters).map { ObjectIdentifier($0) })
        #expect(encoderIDs.isSubset(of: Set(model.prior.parameters.map { ObjectIdentifier($0) })))
        #expect(model.prior.pseudoInputs.value.rows == 4 && model.prior.pseudoInputs.value.columns == 9)
        // Gated: every hidden layer has a gate; the heads (μ, logσ²) and the logits stay linear.
        #expect(model.parameters.contains { $0.name == "q2.0.gate.weight" } && model.parameters.contains { $0.name == "px.joint.gate.weight" })
        #expect(!model.parameters.contains { $0.name.hasPrefix("q2.head.gate") || $0.name.hasPrefix("px.logits.gate") })
    }

    @Test func oneUpdateSendsGradientToThePseudoInputsAndThroughBothEncoderPaths() {
        var c = VampPriorConfiguration.vampPrior
        c.hiddenSize = 6; c.latentSize = 3; c.componentCount = 4; c.pseudoInputMean = 0.5; c.pseudoInputStandardDeviation = 0.1
        let model = VampPriorVAE(itemCount: 9, configuration: c)
        let batch = SparseMatrix(rows: 2, columns: 9, triplets: [(0, 1, 1), (0, 4, 1), (1, 7, 1)])
        let step = TrainingStep(epoch: 0, batch: 0, update: 0, klWeight: 1, learningRate: 1e-3)
        var context = ForwardContext(mode: .training, seed: 1)
        model.parameters.zeroGradients()
        _ = model.lossAndGradients(batch: batch, step: step, context: &context)
        #expect(Kernels.sumOfSquares(model.prior.pseudoInputs.gradient) > 0)
        // Item 0 is never clicked: its first-layer weights get gradient only through the pseudo-inputs.
        let weight = model.inputBlock.linear.weight
        #expect((0..<6).contains { weight.gradient[0, $0] != 0 })
        // With β = 0 nothing reaches the pseudo-inputs or item 0's row.
        model.parameters.zeroGradients()
        _ = model.lossAndGradients(batch: batch, step: TrainingStep(epoch: 0, batch: 0, update: 0, klWeight: 0, learningRate: 1e-3),
                                   context: &context)
        #expect(Kernels.sumOfSquares(model.prior.pseudoInputs.gradient) == 0)
        #expect((0..<6).allSatisfy { weight.gradient[0, $0] == 0 })
    }

    /// Each Gaussian head packs the reference's two `nn.Linear` heads ([μ | logσ²]), so its weight
    /// and bias are normalised in 2 column blocks under AdamNormGrad (issue 27); every other
    /// parameter (gated layers' linear and gate, the sparse input block, the pseudo-inputs, the
    /// decoder) is one reference tensor, normalised whole. H+Vamp (Gated) has three heads
    /// (q(z₂|x), q(z₁|x, z₂), p(z₁|z₂)), the VampPrior VAE one.
    @Test(arguments: [("h-vamp-gated", VampPriorConfiguration.hierarchicalGated, 3),
                      ("h-vamp", VampPriorConfiguration.hierarchical, 3), ("vampprior-vae", VampPriorConfiguration.vampPrior, 1)])
    func gaussianHeadsAreNormalisedAsTheReferencesTwoTensors(entry: String, base: VampPriorConfiguration, heads: Int) throws {
        let c = try VampPriorConfiguration.from(ModelOptions(seed: 5, overrides: [
            "hidden": "6", "latent": "3", "latent-1": "4", "components": "2", "optimizer": "adam-normgrad"]),
            model: entry, base: base)
        #expect(c.normalizesGradients)
        let parameters = entry == "vampprior-vae" ? VampPriorVAE(itemCount: 9, configuration: c).parameters
                                                  : HierarchicalVampPriorVAE(itemCount: 9, configuration: c).parameters
        let blocked = parameters.filter { $0.normalizationBlocks != 1 }
        #expect(blocked.count == 2 * heads, "\(blocked.map(\.name))")
        for parameter in blocked {
            #expect(parameter.name.contains(".head.") && parameter.normalizationBlocks == 2, "\(parameter.name)")
            #expect(parameter.value.columns == 2 * (parameter.name.hasPrefix("q2.") || parameter.name.hasPrefix("q.") ? 3 : 4))
        }
        #expect(parameters.filter { $0.name.contains(".head.") }.count == 2 * heads)
    }

    /// `optimizer=adam-normgrad` reaches the fit: same seed, same data, one epoch, other weights;
    /// and the plain-Adam run is the default's.
    @Test func theNormGradOptionReachesTheOptimizer() throws {
        let clicks = SparseMatrix(rows: 12, columns: 9, triplets: (0..<12).flatMap { u in [(u, u % 9, Float(1)), (u, (u * 5 + 2) % 9, 1)] })
        func weights(_ overrides: [String: String]) throws -> [Matrix] {
            let c = try VampPriorConfiguration.from(ModelOptions(seed: 4, epochs: 1, overrides: [
                "hidden": "6", "latent": "3", "components": "4", "batch": "4"].merging(overrides) { $1 }),
                model: "vampprior-vae", base: .vampPrior)
            let model = VampPriorVAE(itemCount: 9, configuration: c)
            _ = try model.fit(FitRequest(train: clicks))
            return model.parameters.map(\.value)
        }
        let plain = try weights([:]), explicit = try weights(["optimizer": "adam"]), normGrad = try weights(["optimizer": "adam-normgrad"])
        #expect(plain == explicit)
        #expect(plain != normGrad)
    }
}
