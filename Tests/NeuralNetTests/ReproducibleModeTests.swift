import Testing
import TensorCore
import Kernels
@testable import NeuralNet

/// A model of two updates per step whose second gradient reads the parameters after the first
/// (w₁ − w₀): the reproducible mode's replay must show each part the parameters one process has at
/// that point. Its gradients are means over the batch's rows, so the parts' weighted sum is the batch's.
final class TwoUpdateModel: TrainableModel {
    let weight = Parameter(name: "w", value: Matrix([[1, -2]]))
    /// What the model declares, and how many updates it really makes.
    let declared: Int, made: Int
    var parameters: [Parameter] { [weight] }
    var updatesPerStep: Int { declared }

    init(declared: Int = 2, made: Int = 2) { (self.declared, self.made) = (declared, made) }

    /// The mean over the batch's rows of (stored entries of the row) / 10.
    static func rowMean(_ batch: SparseMatrix) -> Float {
        Float(batch.nonZeroCount) / Float(10 * max(1, batch.rows))
    }

    func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
        let m = Self.rowMean(batch), w = weight.value
        weight.gradient = Matrix([[0.1 * w[0, 0] + m, 0.1 * w[0, 1] - m]])
        return Double(m)
    }

    func trainStep(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext,
                   applyUpdate: (Double) throws -> Void) throws -> Double {
        let before = weight.value, m = Self.rowMean(batch)
        let loss = lossAndGradients(batch: batch, step: step, context: &context)
        try applyUpdate(loss)
        for _ in 1..<made {
            let w = weight.value
            weight.gradient = Matrix([[(w[0, 0] - before[0, 0]) * 3 + m, (w[0, 1] - before[0, 1]) * 3 + m]])
            try applyUpdate(loss / 2)
        }
        return loss
    }
}

@Suite struct ReproducibleModeTests {
    static func train(_ model: TwoUpdateModel, parts: Int?) throws -> [Float] {
        var context = ForwardContext(mode: .training, seed: 4)
        let trainer = Trainer(recipe: TrainingRecipe(epochs: 3, stepping: .miniBatch(batchSize: 7, optimizer: SGD(learningRate: 0.5))),
                              reproducibleShards: parts)
        _ = try trainer.train(model, on: toyClicks(), context: &context)
        return model.weight.value.storage
    }

    @Test func theReplayShowsEachPartTheParametersAfterTheEarlierUpdates() throws {
        let ordinary = try Self.train(TwoUpdateModel(), parts: nil)
        for parts in [1, 3, 5] {
            let reproducible = try Self.train(TwoUpdateModel(), parts: parts)
            for (a, b) in zip(ordinary, reproducible) {
                #expect(abs(a - b) <= 1e-5 * max(1, abs(a)), "\(parts) parts: \(reproducible) against \(ordinary)")
            }
        }
        // Without the first update's parameters (w₁ − w₀ = 0) the run ends elsewhere: the check can fail.
        let oneUpdate = try Self.train(TwoUpdateModel(declared: 1, made: 1), parts: nil)
        #expect(zip(ordinary, oneUpdate).contains { abs($0 - $1) > 1e-2 })
    }

    @Test(arguments: [(2, 3), (2, 1), (1, 2)])
    func aModelUpdatingOtherwiseThanItDeclaresIsAClearError(_ declared: Int, _ made: Int) {
        do {
            _ = try Self.train(TwoUpdateModel(declared: declared, made: made), parts: 3)
            Issue.record("declared \(declared), made \(made): no error")
        } catch TrainingError.invalidConfiguration(let setting, let value) {
            #expect(setting == "updatesPerStep" && value.hasPrefix("\(declared), but the model's step updated"), "\(value)")
        } catch {
            Issue.record("declared \(declared), made \(made): \(error)")
        }
    }
}
