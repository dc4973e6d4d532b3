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
    /// Each step starts from a gradient the previous update cleared.
    var expectsClearedGradient = true
    var nanLossAt: (epoch: Int, batch: Int)? = nil
    var nanGradientAt: (epoch: Int, batch: Int)? = nil
    var refeeds = 0
    var parameters: [Parameter] { [weight] }

    func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
        if expectsClearedGradient { #expect(weight.gradient == Matrix([[0, 0]])) }
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

/// A recipe of `epochs` mini-batch epochs with `optimizer`.
func miniBatch(_ epochs: Int, batch: Int, _ optimizer: any Optimizer = Adam(), kl: KLSchedule = .constant(0),
               learningRate: LearningRateSchedule = .constant, patience: Int? = nil) -> Trainer {
    Trainer(recipe: TrainingRecipe(epochs: epochs, stepping: .miniBatch(batchSize: batch, optimizer: optimizer),
                                   klSchedule: kl, learningRateSchedule: learningRate, patience: patience))
}

/// A validation rule replaying `metrics` (one per epoch, from 0).
func replaying(_ metrics: [Double], higherIsBetter: Bool = true, count: @escaping () -> Int) -> Validation {
    Validation(metricName: "replayed", higherIsBetter: higherIsBetter) { metrics[count()] }
}

/// A counter closures can share.
final class Counter: @unchecked Sendable {
    var value = 0
    func next() -> Int { defer { value += 1 }; return value }
}

@Suite struct TrainerTests {
    @Test func lossFallsOnToyAutoencoder() throws {
        let data = toyClicks()
        let model = ToyAutoencoder(items: 12, hidden: 4, seed: 3)
        var context = ForwardContext(mode: .training, seed: 9)
        let history = try miniBatch(30, batch: 5, Adam(learningRate: 0.05)).train(model, on: data, context: &context)
        let first = try #require(history.epochs.first?.loss), last = try #require(history.epochs.last?.loss)
        #expect(last < 0.8 * first, "loss \(first) → \(last)")
        #expect(history.epochs.last?.updates == 30 * 5)
        #expect(history.epochs.map(\.epoch) == Array(1...30) && history.bestEpoch == 30)
        // Users of block 0 should now score their block's items above the other block's.
        let scores = model.scores(data.rows(in: 0..<1))
        #expect(scores.row(0)[0..<6].min() ?? 0 > scores.row(0)[6..<12].max() ?? 0)
    }

    @Test func sameSeedGivesIdenticalResults() throws {
        func run() throws -> ([Double], [Matrix]) {
            let model = ToyAutoencoder(items: 12, hidden: 3, seed: 5)
            var context = ForwardContext(mode: .training, seed: 77)
            let history = try miniBatch(3, batch: 7, Adam(learningRate: 0.01)).train(model, on: toyClicks(), context: &context)
            return (history.epochs.map(\.loss), model.parameters.map(\.value))
        }
        let (lossesA, valuesA) = try run(), (lossesB, valuesB) = try run()
        #expect(lossesA == lossesB)
        #expect(valuesA == valuesB)
    }

    @Test(arguments: [true, false])
    func restoresTheBestEpochsParametersInEitherDirection(higherIsBetter: Bool) throws {
        let model = ToyAutoencoder(items: 12, hidden: 3, seed: 5)
        let metrics = higherIsBetter ? [0.1, 0.9, 0.3, 0.2] : [0.9, 0.1, 0.3, 0.4]
        var snapshots: [[Matrix]] = []
        var context = ForwardContext(mode: .training, seed: 1)
        let counter = Counter()
        let validation = Validation(metricName: "m", higherIsBetter: higherIsBetter) {
            snapshots.append(model.parameters.map(\.value))
            return metrics[counter.next()]
        }
        let history = try miniBatch(4, batch: 6, Adam(learningRate: 0.01))
            .train(model, on: toyClicks(), context: &context, validation: validation)
        #expect(history.bestEpoch == 2 && history.bestValidationMetric == metrics[1])
        #expect(model.parameters.map(\.value) == snapshots[1])
        #expect(model.parameters.map(\.value) != snapshots[3])
        #expect(history.epochs.map(\.validationMetric) == metrics.map { $0 })
    }

    @Test func aNonFiniteValidationMetricIsNeverTheBest() throws {
        var context = ForwardContext(mode: .training, seed: 1)
        let counter = Counter()
        let history = try miniBatch(3, batch: 8).train(ScriptedModel(), on: toyClicks(), context: &context,
                                                       validation: replaying([.nan, 0.2, .infinity], higherIsBetter: false) { counter.next() })
        #expect(history.bestEpoch == 2 && history.bestValidationMetric == 0.2)
    }

    @Test func stopsEarlyAfterPatienceEpochsWithoutImprovement() throws {
        let metrics = [0.5, 0.6, 0.4, 0.3, 0.7, 0.8]
        var context = ForwardContext(mode: .training, seed: 1)
        var reported: [Int] = []
        let counter = Counter()
        let history = try miniBatch(6, batch: 8, patience: 2)
            .train(ScriptedModel(), on: toyClicks(), context: &context, validation: replaying(metrics) { counter.next() },
                   progress: { reported.append($0.epoch) })
        #expect(history.stoppedEarly)
        #expect(history.epochs.count == 4)           // best at epoch 2, then 3 and 4 without improvement
        #expect(reported == [1, 2, 3, 4])
        #expect(history.bestEpoch == 2)
    }

    @Test func patienceCountsOnlyFromItsStartEpoch() throws {
        // Best at epoch 1, never bettered: patience 2 alone stops after epoch 3; counting from
        // epoch 6 (5 from 0), epochs 6 and 7 are the two without improvement.
        let metrics = [0.9] + Array(repeating: 0.1, count: 11)
        func run(start: Int) throws -> TrainingHistory {
            var context = ForwardContext(mode: .training, seed: 1)
            let counter = Counter()
            let trainer = Trainer(recipe: TrainingRecipe(epochs: 12, stepping: .miniBatch(batchSize: 8, optimizer: Adam()),
                                                         patience: 2, patienceStartEpoch: start))
            return try trainer.train(ScriptedModel(), on: toyClicks(), context: &context,
                                     validation: replaying(metrics) { counter.next() })
        }
        let plain = try run(start: 0), late = try run(start: 5)
        #expect(plain.epochs.count == 3 && plain.stoppedEarly && plain.bestEpoch == 1)
        #expect(late.epochs.count == 7 && late.stoppedEarly && late.bestEpoch == 1)
        var context = ForwardContext(mode: .training, seed: 1)
        #expect(throws: TrainingError.invalidConfiguration(setting: "patience start epoch", value: "-1")) {
            try Trainer(recipe: TrainingRecipe(epochs: 1, stepping: .miniBatch(batchSize: 4, optimizer: Adam()),
                                               patience: 1, patienceStartEpoch: -1))
                .train(ScriptedModel(), on: toyClicks(), context: &context)
        }
    }

    /// The early-stopping loop of the VampPrior reference code (psywaves/EVCF,
    /// `utils/perform_experiment.py`), epochs from 1, its best starting at 0: the counter e is reset
    /// while epoch < warm-up, and the run ends once e > patience. Returns the epochs run.
    static func referenceEpochsRun(_ metrics: [Double], warmUp: Int, patience: Int) -> Int {
        var best = 0.0, e = 0
        for epoch in 1...metrics.count {
            if metrics[epoch - 1] > best {
                (e, best) = (0, metrics[epoch - 1])
            } else {
                e += 1
                if epoch < warmUp { e = 0 }
                if e > patience { return epoch }
            }
        }
        return metrics.count
    }

    @Test func patienceStartReproducesTheVampPriorReferenceLoop() throws {
        // Their `e > P` is our patience P + 1; their epochs ≥ W count, i.e. ours from W − 1 (from 0).
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func uniform() -> Double {   // a fixed LCG, so the sequences are the same on every run
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        var stopsSeen = Set<Int>()
        for warmUp in [0, 1, 4, 9] {
            for patience in [1, 2, 5] {
                for _ in 0..<6 {
                    // A noisy curve that rises, then falls: early best epochs, late stops.
                    var metrics: [Double] = []
                    for epoch in 0..<30 {
                        let rise: Double = 0.02 * Double(min(epoch, 8))
                        let fall: Double = 0.015 * Double(max(0, epoch - 8))
                        metrics.append(0.5 + rise - fall + 0.05 * uniform())
                    }
                    var context = ForwardContext(mode: .training, seed: 1)
                    let counter = Counter()
                    let trainer = Trainer(recipe: TrainingRecipe(
                        epochs: metrics.count, stepping: .miniBatch(batchSize: 8, optimizer: Adam()),
                        patience: patience + 1, patienceStartEpoch: max(0, warmUp - 1)))
                    let history = try trainer.train(ScriptedModel(), on: toyClicks(), context: &context,
                                                    validation: replaying(metrics) { counter.next() })
                    let reference = Self.referenceEpochsRun(metrics, warmUp: warmUp, patience: patience)
                    #expect(history.epochs.count == reference, "warm-up \(warmUp), patience \(patience), metrics \(metrics)")
                    stopsSeen.insert(reference)
                }
            }
        }
        #expect(stopsSeen.count > 5 && stopsSeen.contains { $0 < 30 })   // the cases do stop, at many epochs
    }

    @Test func nonFiniteLossNamesEpochAndBatchFromOne() {
        var context = ForwardContext(mode: .training, seed: 1)
        #expect {
            try miniBatch(3, batch: 5).train(ScriptedModel(nanLossAt: (1, 2)), on: toyClicks(), context: &context)
        } throws: { error in
            guard case TrainingError.nonFiniteLoss(epoch: 2, batch: 3, let value) = error else { return false }
            return value.isNaN && "\(error)".contains("epoch 2, batch 3")
        }
    }

    @Test func nonFiniteGradientNamesParameter() {
        var context = ForwardContext(mode: .training, seed: 1)
        #expect(throws: TrainingError.nonFiniteGradient(epoch: 3, batch: 1, parameter: "w")) {
            try miniBatch(3, batch: 5).train(ScriptedModel(nanGradientAt: (2, 0)), on: toyClicks(), context: &context)
        }
    }

    @Test func eachUpdateStepsOnceAndClearsTheGradient() throws {
        let model = ScriptedModel()
        var context = ForwardContext(mode: .training, seed: 1)
        _ = try miniBatch(2, batch: 10, SGD(learningRate: 1)).train(model, on: toyClicks(), context: &context)
        // 2 epochs × 3 batches: w₀ = 1 − 6·0.1, w₁ = 2 + 6·0.1 (the model checks each step starts cleared).
        #expect(abs(model.weight.value[0, 0] - 0.4) < 1e-5 && abs(model.weight.value[0, 1] - 2.6) < 1e-5)
        #expect(model.weight.gradient == Matrix([[0, 0]]))
    }

    @Test func followUpUpdatesAreAppliedAndCounted() throws {
        var model = ScriptedModel()
        model.refeeds = 2
        var context = ForwardContext(mode: .training, seed: 1)
        let history = try miniBatch(1, batch: 12, SGD(learningRate: 1)).train(model, on: toyClicks(), context: &context)
        #expect(history.optimizerSteps == 6)          // 2 batches × (1 + 2 re-feeds)
        #expect(history.epochs.first?.updates == 2)
        // w₀ moves −0.1 per main step and −0.1 per re-feed: 1 − 6·0.1; w₁ moves +0.1, −0.1, −0.1 per batch.
        #expect(abs(model.weight.value[0, 0] - 0.4) < 1e-5)
        #expect(abs(model.weight.value[0, 1] - 1.8) < 1e-5)
    }

    /// Full-batch stepping: `iterationsPerEpoch` steps per epoch on all rows, each evaluation
    /// starting from zeroed gradients; the reported loss is the last step's.
    @Test func fullBatchStepsTheWholeDataPerIteration() throws {
        final class Rows { var seen: [Int] = [] }
        struct Quadratic: TrainableModel {
            let weight = Parameter(name: "w", value: Matrix([[3, -2]]))
            let rows: Rows
            var parameters: [Parameter] { [weight] }
            func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
                rows.seen.append(batch.rows)
                #expect(weight.gradient == Matrix([[0, 0]]))
                weight.gradient = Matrix([[2 * weight.value[0, 0], 2 * weight.value[0, 1]]])    // ∂‖w‖²/∂w = 2w
                return Double(weight.value[0, 0] * weight.value[0, 0] + weight.value[0, 1] * weight.value[0, 1])
            }
        }
        let rows = Rows()
        let model = Quadratic(rows: rows)
        var context = ForwardContext(mode: .training, seed: 1)
        let recipe = TrainingRecipe(epochs: 3, stepping: .fullBatch(iterationsPerEpoch: 4, optimizer: LBFGS()))
        var states: [TrainingState] = []
        let history = try Trainer(recipe: recipe).train(model, on: toyClicks(), context: &context, onEpochEnd: { states.append($0) })
        #expect(Set(rows.seen) == [24])
        #expect(history.optimizerSteps == 12 && history.epochs.map(\.updates) == [4, 8, 12])
        #expect(abs(model.weight.value[0, 0]) < 1e-3 && abs(model.weight.value[0, 1]) < 1e-3)
        #expect(history.epochs.last.map { $0.loss < 1e-5 } == true)
        #expect(states.last?.optimizer.kind == "lbfgs")
    }

    @Test func invalidSettingsAreRejected() {
        var context = ForwardContext(mode: .training, seed: 1)
        #expect(throws: TrainingError.invalidConfiguration(setting: "batch size", value: "0")) {
            try miniBatch(1, batch: 0).train(ScriptedModel(), on: toyClicks(), context: &context)
        }
        #expect(throws: TrainingError.invalidConfiguration(setting: "iterations per epoch", value: "0")) {
            try Trainer(recipe: TrainingRecipe(epochs: 1, stepping: .fullBatch(iterationsPerEpoch: 0, optimizer: Rprop())))
                .train(ScriptedModel(), on: toyClicks(), context: &context)
        }
        #expect(throws: TrainingError.invalidConfiguration(setting: "patience", value: "0")) {
            try miniBatch(1, batch: 4, patience: 0).train(ScriptedModel(), on: toyClicks(), context: &context)
        }
    }

    @Test func duplicateParameterNamesAreRejected() {
        struct Clash: TrainableModel {
            let parameters = [Parameter(name: "w", value: Matrix([[1]])), Parameter(name: "w", value: Matrix([[2]]))]
            func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double { 0 }
        }
        var context = ForwardContext(mode: .training, seed: 1)
        #expect(throws: TrainingError.invalidConfiguration(setting: "parameter name (duplicate)", value: "w")) {
            try miniBatch(1, batch: 4).train(Clash(), on: toyClicks(), context: &context)
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
        let deepRec = LearningRateSchedule.multiStep(milestones: [24, 36, 48], factor: 0.5)
        #expect([0, 23, 24, 36, 60].map { deepRec.learningRate(base: 0.005, epoch: $0) } == [0.005, 0.005, 0.0025, 0.00125, 0.000625])
    }

    @Test func stepsCarryTheScheduledBetaAndRate() throws {
        final class Recorder { var betas: [Double] = []; var rates: [Float] = [] }
        struct Recording: TrainableModel {
            let recorder: Recorder
            var parameters: [Parameter] { [] }
            func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
                recorder.betas.append(step.klWeight)
                recorder.rates.append(step.learningRate)
                #expect(step.trainingRowCount == 24)
                return 0
            }
        }
        let recorder = Recorder()
        var context = ForwardContext(mode: .training, seed: 1)
        _ = try miniBatch(2, batch: 8, Adam(learningRate: 0.4), kl: .annealPerUpdate(cap: 0.5, totalAnnealSteps: 4),
                          learningRate: .multiStep(milestones: [1], factor: 0.5))
            .train(Recording(recorder: recorder), on: toyClicks(), context: &context)
        #expect(recorder.betas == [0, 0.25, 0.5, 0.5, 0.5, 0.5])
        #expect(recorder.rates == [0.4, 0.4, 0.4, 0.2, 0.2, 0.2])
    }
}
