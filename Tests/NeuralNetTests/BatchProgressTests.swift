import Testing
import TensorCore
import Kernels
@testable import NeuralNet

/// The trainer's report after every mini-batch: counts within the epoch, over every phase and pass.
@Suite struct BatchProgressTests {
    @Test func everyMiniBatchIsReportedWithTheEpochsCounts() throws {
        let data = toyClicks()                                              // 24 rows
        var context = ForwardContext(mode: .training, seed: 4)
        var reports: [BatchProgress] = []
        _ = try miniBatch(2, batch: 10).train(ScriptedModel(), on: data, context: &context,
                                             batchProgress: { reports.append($0) })
        // ⌈24 / 10⌉ = 3 batches per epoch, rows 10, 20, 24.
        #expect(reports.map(\.batch) == [1, 2, 3, 1, 2, 3])
        #expect(reports.map(\.epoch) == [1, 1, 1, 2, 2, 2])
        #expect(reports.map(\.rows) == [10, 20, 24, 10, 20, 24])
        #expect(reports.allSatisfy { $0.batchCount == 3 && $0.epochCount == 2 && $0.rowCount == 24 && $0.seconds >= 0 })
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.epoch != $1.epoch || $0.seconds <= $1.seconds })
    }

    @Test func phasesAndPassesAddToTheEpochsBatches() throws {
        let recipe = TrainingRecipe(epochs: 1, stepping: .miniBatch(batchSize: 12, optimizer: Adam()),
                                    phases: [TrainingPhase(name: "a", passes: 2), TrainingPhase(name: "b")])
        var context = ForwardContext(mode: .training, seed: 4)
        var reports: [BatchProgress] = []
        _ = try Trainer(recipe: recipe).train(ScriptedModel(), on: toyClicks(), context: &context,
                                              batchProgress: { reports.append($0) })
        #expect(reports.map(\.batch) == Array(1...6) && reports.allSatisfy { $0.batchCount == 6 })
        #expect(reports.last?.rows == 72)
    }

    @Test func fullBatchStepsAreItsBatches() throws {
        let recipe = TrainingRecipe(epochs: 1, stepping: .fullBatch(iterationsPerEpoch: 3, optimizer: Rprop()))
        var context = ForwardContext(mode: .training, seed: 4)
        var reports: [BatchProgress] = []
        _ = try Trainer(recipe: recipe).train(ScriptedModel(expectsClearedGradient: false), on: toyClicks(),
                                              context: &context, batchProgress: { reports.append($0) })
        #expect(reports.map(\.batch) == [1, 2, 3] && reports.allSatisfy { $0.batchCount == 3 })
    }
}
