import Testing
import Kernels
import NeuralNet
import RecCore
import TensorCore
@testable import AutoRecModule
@testable import DeepAutoEncoderModule

/// Tiny rating matrices and a central-difference check of whole-model gradients.
enum Toy {
    /// `rows` × `columns` ratings in 1…5, about half observed, every fourth row empty.
    static func ratings(_ rows: Int, _ columns: Int, seed: UInt64) -> SparseMatrix {
        var rng = RandomGenerator(seed: seed)
        var triplets: [(row: Int, column: Int, value: Float)] = []
        for r in 0..<rows where r % 4 != 3 {
            for c in 0..<columns where rng.nextUniform() < 0.5 { triplets.append((r, c, Float(1 + rng.nextBelow(5)))) }
        }
        return SparseMatrix(rows: rows, columns: columns, triplets: triplets)
    }

    /// The worst error between the analytic gradients (already in `parameters`) and
    /// (L(θ + h) − L(θ − h)) / 2h over every scalar, relative to max(|analytic|, |numeric|, floor):
    /// floor = 1% of the tensor's largest numeric entry, or 2.5e-2 absolute (the finite-difference
    /// noise of a Float forward pass: ~1e-6 loss error / 2h ≈ 5e-4, to be within 2% of the floor).
    static func worstError(_ parameters: [Parameter], step: Float = 1e-2, loss: () -> Double) -> (error: Double, where: String) {
        var worst = (0.0, "")
        let analyticGradients = parameters.map(\.gradient)        // before any perturbed call overwrites them
        for (parameter, analytic) in zip(parameters, analyticGradients) {
            var numeric = [Double](repeating: 0, count: analytic.count)
            let original = parameter.value
            for i in 0..<original.count {
                parameter.value.storage[i] = original.storage[i] + step
                let plus = loss()
                parameter.value.storage[i] = original.storage[i] - step
                let minus = loss()
                parameter.value = original
                numeric[i] = (plus - minus) / (2 * Double(step))
            }
            let floor = max(2.5e-2, 1e-2 * (numeric.map(abs).max() ?? 0))
            for i in numeric.indices {
                let a = Double(analytic.storage[i])
                let error = abs(a - numeric[i]) / max(abs(a), abs(numeric[i]), floor)
                if error > worst.0 { worst = (error, "\(parameter.name)[\(i)]: analytic \(a), numeric \(numeric[i])") }
            }
        }
        return worst
    }
}

@Suite struct ModelGradientTests {
    static let autoRecCases: [(AutoRecConfiguration.Orientation, Activation, Activation)] = [
        (.item, .sigmoid, .identity), (.user, .sigmoid, .identity), (.item, .tanh, .sigmoid), (.user, .relu, .identity),
    ]

    @Test(arguments: autoRecCases)
    func autoRecGradientsMatchFiniteDifferences(orientation: AutoRecConfiguration.Orientation, g: Activation, f: Activation) {
        var configuration = AutoRecConfiguration.itemBased
        configuration.orientation = orientation
        configuration.hiddenSize = 4
        configuration.encoderActivation = g
        configuration.decoderActivation = f
        configuration.lambda = 0.3
        let ratings = Toy.ratings(7, 6, seed: 1)
        let model = AutoRec(userCount: 7, itemCount: 6, configuration: configuration)
        let rows = model.trainingRows(of: ratings)
        let step = TrainingStep(epoch: 0, batch: 0, update: 0, klWeight: 0, learningRate: 0,
                                trainingRowCount: rows.rows + 3)  // a batch carries a share of the penalty
        func loss() -> Double {
            var context = ForwardContext(mode: .training, seed: 1)
            model.parameters.zeroGradients()
            return model.lossAndGradients(batch: rows, step: step, context: &context)
        }
        _ = loss()
        let (error, place) = Toy.worstError(model.parameters, step: 1e-3, loss: loss)
        #expect(error < 2e-2, "\(place)")
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func deepAutoEncoderGradientsMatchFiniteDifferences(constrained: Bool, linearLast: Bool) {
        var configuration = DeepAutoEncoderConfiguration.paper
        configuration.hiddenSizes = [5, 3]
        configuration.constrainedDecoder = constrained
        configuration.linearLastLayer = linearLast
        configuration.dropout = 0.5      // at 0.3 this seed has a SELU kink inside ±h: see DeepAutoEncoderKinkTests
        let ratings = Toy.ratings(6, 8, seed: 2)
        let model = DeepAutoEncoder(userCount: 6, itemCount: 8, configuration: configuration)
        // Non-zero biases: with zero biases a row whose code is entirely dropped puts the next
        // pre-activation exactly on SELU's kink at 0, where no finite difference can agree.
        var rng = RandomGenerator(seed: 9)
        for parameter in model.parameters where parameter.name.hasSuffix("bias") {
            parameter.value = Kernels.randomNormal(rows: 1, columns: parameter.value.columns, standardDeviation: 0.3, using: &rng)
        }
        // The sparse masked-MSE step, dropout on (same seed ⇒ same mask in every evaluation).
        func sparseLoss() -> Double {
            var context = ForwardContext(mode: .training, seed: 5)
            model.parameters.zeroGradients()
            return model.sparseStep(ratings, context: &context).loss
        }
        _ = sparseLoss()
        let sparse = Toy.worstError(model.parameters, step: 1e-3, loss: sparseLoss)
        #expect(sparse.error < 2e-2, "sparse step: \(sparse.where)")
        // The dense re-feeding step with a fixed dense input/target.
        let fed = ratings.toDense()
        func denseLoss() -> Double {
            var context = ForwardContext(mode: .training, seed: 6)
            model.parameters.zeroGradients()
            return model.denseStep(fed, context: &context).loss
        }
        _ = denseLoss()
        let dense = Toy.worstError(model.parameters, step: 1e-3, loss: denseLoss)
        #expect(dense.error < 2e-2, "dense step: \(dense.where)")
    }
}
