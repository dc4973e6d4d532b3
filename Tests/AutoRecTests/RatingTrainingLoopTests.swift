import Testing
import TensorCore
import NeuralNet
@testable import ModelKit

/// The rating models' mini-batch loop (`RatingTraining.fitMiniBatch`): each update steps the
/// optimizer and clears the gradients in one pass, and a NaN gradient stops training with the
/// epoch, batch and parameter named.
@Suite struct RatingTrainingLoopTests {
    /// One parameter w = [1, 2] whose gradient is [0.1, −0.1] each step, [0.1, NaN] at `nanAt`.
    struct ConstantGradientModel: TrainableModel {
        let weight = Parameter(name: "w", value: Matrix([[1, 2]]))
        var nanAt: (epoch: Int, batch: Int)? = nil
        var parameters: [Parameter] { [weight] }

        func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
            #expect(weight.gradient == Matrix([[0, 0]]))                 // cleared by the previous update
            weight.gradient = Matrix([[0.1, -0.1]])
            if let at = nanAt, at == (step.epoch, step.batch) { weight.gradient[0, 1] = .nan }
            return 1
        }
    }

    /// 10 rows of a 10 × 3 rating matrix.
    static let rows = SparseMatrix(rows: 10, columns: 3, triplets: (0..<10).map { (row: $0, column: $0 % 3, value: Float(4)) })

    @Test func eachUpdateStepsOnceAndClearsTheGradient() throws {
        let model = ConstantGradientModel()
        var sgd = SGD(learningRate: 1)
        var context = ForwardContext(mode: .training, seed: 1)
        _ = try RatingTraining.fitMiniBatch(model, rows: Self.rows, settings: RatingTrainingSettings(epochs: 2, batchSize: 4),
                                            optimizer: &sgd, context: &context, validate: nil, progress: { _ in })
        // 2 epochs × 3 batches: w₀ = 1 − 6·0.1, w₁ = 2 + 6·0.1.
        #expect(abs(model.weight.value[0, 0] - 0.4) < 1e-5 && abs(model.weight.value[0, 1] - 2.6) < 1e-5)
        #expect(model.weight.gradient == Matrix([[0, 0]]))
    }

    @Test func aNaNGradientNamesEpochBatchAndParameter() {
        var sgd = SGD(learningRate: 1)
        var context = ForwardContext(mode: .training, seed: 1)
        #expect(throws: TrainingError.nonFiniteGradient(epoch: 1, batch: 2, parameter: "w")) {
            _ = try RatingTraining.fitMiniBatch(ConstantGradientModel(nanAt: (1, 2)), rows: Self.rows,
                                                settings: RatingTrainingSettings(epochs: 3, batchSize: 4),
                                                optimizer: &sgd, context: &context, validate: nil, progress: { _ in })
        }
    }
}
