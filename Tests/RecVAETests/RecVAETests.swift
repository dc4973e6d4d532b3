import Testing
import ModelKit
import NeuralNet
import RecCore
import TensorCore
import TestSupport
@testable import RecVAEModule

/// RecVAE beyond the catalog suites: its settings, each phase's step (the catalog checks the step
/// that updates everything), and the previous encoder's schedule.
@Suite struct RecVAETests {
    static let checker = GradientChecker(step: 1e-2, tolerance: 3e-2, measuresNoise: true, smallStepAtKinks: true,
                                         entriesPerTensor: 48)
    static let tiny = RecVAEConfiguration(hiddenSize: 12, layerCount: 3, latentSize: 5, dropout: 0.5, gamma: 0.3,
                                          encoderPasses: 3, decoderPasses: 1, layerNormEpsilon: 0.1,
                                          learningRate: 3e-3, batchSize: 50, epochs: 1, seed: 5)

    /// A tiny model trained one epoch on the toy clicks (off the initial point), and those clicks.
    static func trained() throws -> (RecVAE, SparseMatrix) {
        let train = ToyData.small(for: .ranking)
        let model = RecVAE(itemCount: train.columns, configuration: tiny)
        _ = try model.fit(FitRequest(train: train))
        return (model, train)
    }

    @Test func defaultsAreTheAuthorsCode() {
        let c = RecVAEConfiguration.paper
        #expect(c.hiddenSize == 600 && c.layerCount == 5 && c.latentSize == 200 && c.dropout == 0.5)
        #expect(c.gamma == 0.005 && c.encoderPasses == 3 && c.decoderPasses == 1 && c.layerNormEpsilon == 0.1)
        #expect(c.learningRate == 5e-4 && c.batchSize == 500 && c.epochs == 50)
        #expect(CompositePrior.recVAE.weights == [3.0 / 20, 3.0 / 4, 1.0 / 10] && CompositePrior.recVAE.wideLogVariance == 10)
    }

    @Test func settingsAreRead() throws {
        let c = try RecVAEConfiguration.from(ModelOptions(overrides: ["gamma": "0.01", "encoder-passes": "2", "epochs": "7", "layers": "2"]))
        #expect(c.gamma == 0.01 && c.encoderPasses == 2 && c.epochs == 7 && c.layerCount == 2)
        let model = RecVAE(itemCount: 9, configuration: c)
        #expect(model.recipe.phases.map(\.passes) == [2, 1] && model.recipe.klSchedule == .constant(0.01))
    }

    @Test func aNegativeGammaIsOneErrorNamingTheValue() {
        #expect(throws: ModelZooError.invalidOption(model: "recvae", key: "gamma", value: "-0.005", expected: "a number ≥ 0")) {
            _ = try RecVAEConfiguration.from(ModelOptions(overrides: ["gamma": "-0.005"]))
        }
    }

    /// The loss of one step of `phase`, updating `updated`, w.r.t. `checked`; the other parameters'
    /// gradients must stay zero.
    static func checkPhase(_ phase: RecVAE.Phase, updating updated: [Parameter], untouched: [Parameter],
                           model: RecVAE, train: SparseMatrix) {
        let batch = train.rows(in: 0..<12)
        let step = TrainingStep(epoch: 1, batch: 0, update: 7, klWeight: 0.3, learningRate: 1e-3, trainingRowCount: train.rows,
                                phase: phase.rawValue, updatedParameterNames: Set(updated.map(\.name)))
        let all = model.parameters
        all.zeroGradients()
        var probe = ForwardContext(mode: .training, seed: 19)
        _ = model.lossAndGradients(batch: batch, step: step, context: &probe)
        #expect(untouched.allSatisfy { $0.gradient.storage.allSatisfy { $0 == 0 } }, "\(phase): a frozen parameter got a gradient")
        all.zeroGradients()
        let problem = GradientProblem(parameters: updated, inputs: [], checkedInputs: [], seed: 19, mode: .training) {
            _, context, backward in
            guard !backward else { return (model.lossAndGradients(batch: batch, step: step, context: &context), []) }
            let saved = all.map(\.gradient)
            let loss = model.lossAndGradients(batch: batch, step: step, context: &context)
            for (parameter, gradient) in zip(all, saved) { parameter.gradient = gradient }
            return (loss, [])
        }
        let (passed, worst) = checker.check(problem)
        print("RecVAETests: \(phase) phase worst relative error \(worst.map(\.error).max() ?? 0) over \(worst.count) tensors")
        #expect(passed, "\(phase): \(worst.filter { $0.error > 1e-2 }.map(\.description).joined(separator: "; "))")
        #expect(worst.count == updated.count)
    }

    @Test func encoderPhaseStepMatchesCentralDifferences() throws {
        let (model, train) = try Self.trained()
        model.willBeginPhase(RecVAE.Phase.encoder.rawValue, epoch: 1)
        Self.checkPhase(.encoder, updating: model.encoder.parameters, untouched: model.decoder.parameters, model: model, train: train)
    }

    @Test func decoderPhaseStepMatchesCentralDifferences() throws {
        let (model, train) = try Self.trained()
        model.willBeginPhase(RecVAE.Phase.decoder.rawValue, epoch: 1)
        Self.checkPhase(.decoder, updating: model.decoder.parameters, untouched: model.encoder.parameters, model: model, train: train)
    }

    @Test func thePreviousEncoderIsCopiedAsTheCodesUpdatePrior() {
        let model = RecVAE(itemCount: 9, configuration: Self.tiny)
        let values = { (encoder: RecVAEEncoder) in encoder.parameters.map(\.value) }
        // Epoch 0's encoder passes use the old encoder's own initialisation (the code's encoder_old).
        model.willBeginPhase(RecVAE.Phase.encoder.rawValue, epoch: 0)
        #expect(values(model.previousEncoder) != values(model.encoder))
        #expect(model.previousEncoder.parameters.allSatisfy { $0.name.hasPrefix("prior.encoder_old.") })
        model.willBeginPhase(RecVAE.Phase.decoder.rawValue, epoch: 0)                    // update_prior()
        #expect(values(model.previousEncoder) == values(model.encoder))
        model.encoder.head.bias.value.storage[0] += 1                                   // training moves the encoder on
        model.willBeginPhase(RecVAE.Phase.encoder.rawValue, epoch: 1)                    // equal already in a run; restores a resumed one
        #expect(values(model.previousEncoder) == values(model.encoder))
        #expect(!model.parameters.contains { $0.name.hasPrefix("prior.") })
    }
}
