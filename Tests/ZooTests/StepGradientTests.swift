import Testing
import Kernels
import ModelKit
import NeuralNet
import RecCore
import TensorCore
import TestSupport
import ZooCatalog

/// Every gradient-trained catalog entry's own step (`lossAndGradients`, the code that trains — not
/// a copy of its objective) against central differences of its own loss, w.r.t. every parameter.
///
/// The point is taken after one epoch of training on the toy data rather than at initialisation:
/// freshly initialised models sit on special points (zero biases put a dropped SELU code exactly on
/// the kink at 0, see Documentation/Testing.md). The step's context is re-seeded for every
/// evaluation, so dropout masks and reparameterisation noise are the same in each; β = 0.3 so the
/// KL terms count. Tolerance 3 %: the forward pass runs in Float, and the deep gated models' smallest
/// gradient entries are within Float round-off of that (VampPriorGradientTests measures it); entries
/// below what central differences resolve of the Float loss (its measured rounding noise) are judged
/// on that scale, and an entry near a kink (SELU at 0, the logσ² clamp) is re-checked with h/10
/// (`GradientChecker`).
/// `checkerSensitivity` shows these settings still fail a step whose gradient is wrong by 10 %.
@Suite struct StepGradientTests {
    static let names = ModelZoo.standard.names
    static let checker = GradientChecker(step: 1e-2, tolerance: 3e-2, measuresNoise: true, smallStepAtKinks: true,
                                         entriesPerTensor: 48)

    @Test(arguments: names)
    func ownStepMatchesCentralDifferences(name: String) throws {
        let entry = try ModelZoo.standard.entry(named: name)
        guard let (model, train) = try Self.trained(entry) else {
            print("StepGradientTests: \(name) has no gradient step (closed form): nothing to check")
            return
        }
        let problem = Self.problem(model, train: train)
        let (passed, worst) = Self.checker.check(problem)
        print("StepGradientTests: \(name) worst relative error \(worst.map(\.error).max() ?? 0) over \(worst.count) tensors")
        #expect(passed, "\(name): \(worst.filter { $0.error > 1e-2 }.map(\.description).joined(separator: "; "))")
        #expect(worst.count == model.parameters.count, "\(name): not every parameter was checked")
    }

    /// A step whose gradient of the first parameter is scaled by 1.1 fails the same check.
    @Test(arguments: names)
    func checkerSensitivity(name: String) throws {
        let entry = try ModelZoo.standard.entry(named: name)
        guard let (model, train) = try Self.trained(entry), let tensor = model.parameters.first else { return }
        let problem = Self.problem(model, train: train, checking: [tensor]) {
            Kernels.scale(&tensor.gradient, by: 1.1)                               // a 10 % error in one tensor
        }
        let (passed, worst) = Self.checker.check(problem)
        #expect(!passed, "\(name): a 10 % error in \(tensor.name) passed: \(worst)")
    }

    /// A model of `entry` (its test settings) for the small data of its task, trained one epoch
    /// there; nil for a closed-form model.
    static func trained(_ entry: ModelEntry) throws -> (any StepTrainedModel, SparseMatrix)? {
        let train = ToyData.small(for: entry.task)
        let shape = DataShape(users: train.rows, items: train.columns)
        guard let model = try entry.make(shape, ZooTesting.options(entry, epochs: 1)) as? any StepTrainedModel else { return nil }
        _ = try model.fit(FitRequest(train: train))
        return (model, train)
    }

    /// The loss of one step on the first rows the model trains on, as a function of its parameters
    /// (those in `checking`, all by default); `corrupt` runs after each analytic step (tests of the check).
    static func problem(_ model: any StepTrainedModel, train: SparseMatrix, checking: [Parameter]? = nil,
                        corrupt: @escaping () -> Void = {}) -> GradientProblem {
        let rows = model.trainingRows(of: train)
        let batch = rows.rows(in: 0..<min(12, rows.rows))
        let step = TrainingStep(epoch: 1, batch: 0, update: 7, klWeight: 0.3, learningRate: 1e-3, trainingRowCount: rows.rows)
        let parameters = model.parameters
        return GradientProblem(parameters: checking ?? parameters, inputs: [], checkedInputs: [], seed: 19, mode: .training) {
            _, context, backward in
            guard !backward else {
                let loss = model.lossAndGradients(batch: batch, step: step, context: &context)
                corrupt()
                return (loss, [])
            }
            let saved = parameters.map(\.gradient)          // the step accumulates on every call: keep the analytic ones
            let loss = model.lossAndGradients(batch: batch, step: step, context: &context)
            for (parameter, gradient) in zip(parameters, saved) { parameter.gradient = gradient }
            return (loss, [])
        }
    }
}
