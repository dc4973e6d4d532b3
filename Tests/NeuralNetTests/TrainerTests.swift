import Testing
import TensorCore
import Kernels
@testable import NeuralNet

/// A tiny multinomial autoencoder: sparse input → tanh hidden → logits.
struct ToyAutoencoder: TrainableModel {
    let encoder: SparseDense
    let decoder: Chain
    let likelihood = MultinomialLikelihood()
    var parameters: [Parameter] { (encoder.parameters + decoder.parameters).uniqued() }

    init(items: Int, hidden: Int, seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        encoder = SparseDense(inputSize: items, outputSize: hidden, name: "enc", rng: &rng)
        decoder = Chain(ActivationLayer(.tanh), Dense(inputSize: hidden, outputSize: items, name: "dec", rng: &rng))
    }

    func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
        let (h, encoderCache) = encoder.forward(sparse: batch, context: &context)
        let (logits, decoderCache) = decoder.forward(h, context: &context)
        let (loss, dLogits) = likelihood.negativeLogLikelihood(logits, target: batch)
        encoder.backward(decoder.backward(dLogits, cache: decoderCache), cache: encoderCache)
        return loss
    }

    func scores(_ data: SparseMatrix) -> Matrix {
        var context = ForwardContext(mode: .inference, seed: 0)
        return decoder.forward(encoder.forward(sparse: data, context: &context).output, context: &context).output
    }
}

/// Two blocks of users with disjoint item sets.
func toyClicks() -> SparseMatrix {
    var triplets: [(row: Int, column: Int, value: Float)] = []
    for user in 0..<24 {
        let block = user % 2 == 0 ? 0 : 6
        for item in 0..<6 where (user + item) % 3 != 0 { triplets.append((user, block + item, 1)) }
    }
    return SparseMatrix(rows: 24, columns: 12, triplets: triplets)
}

/// A model that records steps and can inject NaN.
struct ScriptedModel: TrainableModel {
    let weight = Parameter(name: "w", value: Matrix([[1, 2]]))
    var nanLossAt: (epoch: Int, batch: Int)? = nil
    var nanGradientAt: (epoch: Int, batch: Int)? = nil
    var refeeds = 0
    var parameters: [Parameter] { [weight] }

    func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
        weight.gradient = Matrix([[0.1, -0.1]])
        if let at = nanGradientAt, at == (step.epoch, step.batch) { weight.gradient[0, 1] = .nan }
        if let at = nanLossAt, at == (step.epoch, step.batch) { return .nan }
        return 1
    }

    func trainStep(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext,
                   applyUpdate: (Double) throws -> Void) throws -> Double {
        let loss = lossAndGradients(batch: batch, step: step, context: &context)
        try applyUpdate(loss)
        for _ in 0..<refeeds {
            weight.gradient = Matrix([[0.1, 0.1]])
            try applyUpdate(0.5)
        }
        return loss
    }
}

@Suite struct TrainerTests {
    @Test func lossFallsOnToyAutoencoder() throws {
        let data = toyClicks()
        let model = ToyAutoencoder(items: 12, hidden: 4, seed: 3)
        var adam = Adam(learningRate: 0.05)
        var context = ForwardContext(mode: .training, seed: 9)
        let history = try Trainer(configuration: TrainingConfiguration(epochs: 30, batchSize: 5))
            .train(model, on: data, optimizer: &adam, context: &context)
        let first = try #require(history.epochs.first?.meanLoss), last = try #require(history.epochs.last?.meanLoss)
        #expect(last < 0.8 * first, "loss \(first) → \(last)")
        #expect(history.epochs.last?.updates == 30 * 5)
        // Users of block 0 should now score their block's items above the other block's.
        let scores = model.scores(data.rows(in: 0..<1))
        #expect(scores.row(0)[0..<6].min() ?? 0 > scores.row(0)[6..<12].max() ?? 0)
    }

    @Test func sameSeedGivesIdenticalResults() throws {
        func run() throws -> ([Double], [Matrix]) {
            let model = ToyAutoencoder(items: 12, hidden: 3, seed: 5)
            var adam = Adam(learningRate: 0.01)
            var context = ForwardContext(mode: .training, seed: 77)
            let history = try Trainer(configuration: TrainingConfiguration(epochs: 3, batchSize: 7))
                .train(model, on: toyClicks(), optimizer: &adam, context: &context)
            return (history.epochs.map(\.meanLoss), model.parameters.map(\.value))
        }
        let (lossesA, valuesA) = try run(), (lossesB, valuesB) = try run()
        #expect(lossesA == lossesB)
        #expect(valuesA == valuesB)
    }

    @Test func restoresTheBestEpochsParameters() throws {
        let model = ToyAutoencoder(items: 12, hidden: 3, seed: 5)
        let metrics = [0.1, 0.9, 0.3, 0.2]
        var snapshots: [[Matrix]] = []
        var adam = Adam(learningRate: 0.01)
        var context = ForwardContext(mode: .training, seed: 1)
        let history = try Trainer(configuration: TrainingConfiguration(epochs: 4, batchSize: 6))
            .train(model, on: toyClicks(), optimizer: &adam, context: &context) { epoch in
                snapshots.append(model.parameters.map(\.value))
                return metrics[epoch]
            }
        #expect(history.bestEpoch == 1 && history.bestMetric == 0.9)
        #expect(model.parameters.map(\.value) == snapshots[1])
        #expect(model.parameters.map(\.value) != snapshots[3])
    }

    @Test func stopsEarlyAfterPatienceEpochsWithoutImprovement() throws {
        let metrics = [0.5, 0.6, 0.4, 0.3, 0.7, 0.8]
        var adam = Adam()
        var context = ForwardContext(mode: .training, seed: 1)
        var reported: [Int] = []
        let history = try Trainer(configuration: TrainingConfiguration(epochs: 6, batchSize: 8, patience: 2))
            .train(ScriptedModel(), on: toyClicks(), optimizer: &adam, context: &context,
                   validate: { metrics[$0] }, progress: { reported.append($0.epoch) })
        #expect(history.stoppedEarly)
        #expect(history.epochs.count == 4)           // best at 1, then 2 and 3 without improvement
        #expect(reported == [0, 1, 2, 3])
        #expect(history.bestEpoch == 1)
    }

    /// The state saved after the epoch that stopped the run is a finished run: continuing it trains
    /// no further epoch and leaves the best epoch's values, as the uninterrupted run did. Every
    /// saved state carries the summed epoch seconds.
    @Test func resumingAStateThatStoppedEarlyTrainsNoFurther() throws {
        let metrics = [0.5, 0.6, 0.4, 0.3, 0.7, 0.8]
        let configuration = TrainingConfiguration(epochs: 6, batchSize: 8, patience: 2)
        let model = ToyAutoencoder(items: 12, hidden: 3, seed: 4)
        var adam = Adam()
        var context = ForwardContext(mode: .training, seed: 1)
        var states: [TrainingState] = []
        var epochSeconds: [Double] = []
        let history = try Trainer(configuration: configuration)
            .train(model, on: toyClicks(), optimizer: &adam, context: &context, validate: { metrics[$0] },
                   progress: { epochSeconds.append($0.seconds) }, onEpochEnd: { states.append($0) })
        #expect(history.stoppedEarly && states.count == 4)
        #expect(states.map(\.seconds) == [1, 2, 3, 4].map { epochSeconds.prefix($0).reduce(0, +) })
        #expect(states[3].seconds > 0)
        let finished = model.parameters.map(\.value)

        let continued = ToyAutoencoder(items: 12, hidden: 3, seed: 99)
        for (parameter, value) in zip(continued.parameters, finished) { parameter.value = value }
        var freshAdam = Adam()
        var freshContext = ForwardContext(mode: .training, seed: 7)
        var validated = 0
        let resumed = try Trainer(configuration: configuration)
            .train(continued, on: toyClicks(), optimizer: &freshAdam, context: &freshContext,
                   validate: { validated += 1; return metrics[$0] }, resume: states[3])
        #expect(resumed.epochs.isEmpty && resumed.stoppedEarly && validated == 0)
        #expect(resumed.bestEpoch == 1)
        #expect(continued.parameters.map(\.value) == finished)

        // One epoch earlier the run had not stopped: continuing it trains exactly the stopping epoch.
        let earlier = try Trainer(configuration: configuration)
            .train(ToyAutoencoder(items: 12, hidden: 3, seed: 4), on: toyClicks(), optimizer: &freshAdam,
                   context: &freshContext, validate: { metrics[$0] }, resume: states[2])
        #expect(earlier.epochs.map(\.epoch) == [3] && earlier.stoppedEarly)
    }

    @Test func nonFiniteLossNamesEpochAndBatch() {
        var adam = Adam()
        var context = ForwardContext(mode: .training, seed: 1)
        #expect {
            try Trainer(configuration: TrainingConfiguration(epochs: 3, batchSize: 5))
                .train(ScriptedModel(nanLossAt: (1, 2)), on: toyClicks(), optimizer: &adam, context: &context)
        } throws: { error in
            guard case TrainingError.nonFiniteLoss(epoch: 1, batch: 2, let value) = error else { return false }
            return value.isNaN && "\(error)".contains("epoch 1, batch 2")
        }
    }

    @Test func nonFiniteGradientNamesParameter() {
        var adam = Adam()
        var context = ForwardContext(mode: .training, seed: 1)
        #expect(throws: TrainingError.nonFiniteGradient(epoch: 2, batch: 0, parameter: "w")) {
            try Trainer(configuration: TrainingConfiguration(epochs: 3, batchSize: 5))
                .train(ScriptedModel(nanGradientAt: (2, 0)), on: toyClicks(), optimizer: &adam, context: &context)
        }
    }

    @Test func followUpUpdatesAreAppliedAndCounted() throws {
        var model = ScriptedModel()
        model.refeeds = 2
        var sgd = SGD(learningRate: 1)
        var context = ForwardContext(mode: .training, seed: 1)
        let history = try Trainer(configuration: TrainingConfiguration(epochs: 1, batchSize: 12))
            .train(model, on: toyClicks(), optimizer: &sgd, context: &context)
        #expect(history.optimizerSteps == 6)          // 2 batches × (1 + 2 re-feeds)
        #expect(history.epochs.first?.updates == 2)
        // w₀ moves −0.1 per main step and −0.1 per re-feed: 1 − 6·0.1; w₁ moves +0.1, −0.1, −0.1 per batch.
        #expect(abs(model.weight.value[0, 0] - 0.4) < 1e-5)
        #expect(abs(model.weight.value[0, 1] - 1.8) < 1e-5)
    }

    @Test func invalidBatchSizeIsRejected() {
        var adam = Adam()
        var context = ForwardContext(mode: .training, seed: 1)
        #expect(throws: TrainingError.invalidConfiguration(setting: "batchSize", value: "0")) {
            try Trainer(configuration: TrainingConfiguration(epochs: 1, batchSize: 0))
                .train(ScriptedModel(), on: toyClicks(), optimizer: &adam, context: &context)
        }
    }

    @Test func duplicateParameterNamesAreRejected() {
        struct Clash: TrainableModel {
            let parameters = [Parameter(name: "w", value: Matrix([[1]])), Parameter(name: "w", value: Matrix([[2]]))]
            func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double { 0 }
        }
        var adam = Adam()
        var context = ForwardContext(mode: .training, seed: 1)
        #expect(throws: TrainingError.invalidConfiguration(setting: "parameter name (duplicate)", value: "w")) {
            try Trainer(configuration: TrainingConfiguration(epochs: 1, batchSize: 4))
                .train(Clash(), on: toyClicks(), optimizer: &adam, context: &context)
        }
    }

    @Test func schedules() {
        let multVAE = KLSchedule.annealPerUpdate(cap: 0.2, totalAnnealSteps: 200_000)
        #expect(multVAE.weight(epoch: 0, update: 0) == 0)
        #expect(multVAE.weight(epoch: 3, update: 20_000) == 0.1)
        #expect(multVAE.weight(epoch: 9, update: 100_000) == 0.2)
        #expect(KLSchedule.annealPerUpdate(cap: 0.2, totalAnnealSteps: 0).weight(epoch: 0, update: 0) == 0.2)
        let warmUp = KLSchedule.warmUpPerEpoch(cap: 1, warmUpEpochs: 4)
        #expect([0, 1, 3, 10].map { warmUp.weight(epoch: $0, update: 0) } == [0.25, 0.5, 1, 1])
        let decay = LearningRateSchedule.stepDecay(everyEpochs: 2, factor: 0.5)
        #expect([0, 1, 2, 5].map { decay.learningRate(base: 1, epoch: $0) } == [1, 1, 0.5, 0.25])
    }

    @Test func stepsCarryTheScheduledBeta() throws {
        final class Recorder { var betas: [Double] = [] }
        struct Recording: TrainableModel {
            let recorder: Recorder
            var parameters: [Parameter] { [] }
            func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
                recorder.betas.append(step.klWeight)
                return 0
            }
        }
        let recorder = Recorder()
        var adam = Adam()
        var context = ForwardContext(mode: .training, seed: 1)
        _ = try Trainer(configuration: TrainingConfiguration(epochs: 2, batchSize: 8, klSchedule: .annealPerUpdate(cap: 0.5, totalAnnealSteps: 4)))
            .train(Recording(recorder: recorder), on: toyClicks(), optimizer: &adam, context: &context)
        #expect(recorder.betas == [0, 0.25, 0.5, 0.5, 0.5, 0.5])
    }
}
