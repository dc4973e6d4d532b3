import Testing
import Kernels
import NeuralNet
import TensorCore
@testable import AutoRecModule

/// Rprop and L-BFGS on a convex quadratic, and AutoRec's optimizers on a toy rating matrix.
@Suite struct FullBatchOptimizerTests {
    /// L(θ) = Σ_i c_i·(θ_i − t_i)², an ill-conditioned bowl (c from 0.1 to 10).
    static func quadratic(_ parameter: Parameter) -> Double {
        var loss = 0.0
        for i in 0..<parameter.value.count {
            let c = 0.1 + 9.9 * Double(i) / Double(max(1, parameter.value.count - 1))
            let difference = Double(parameter.value.storage[i]) - Double(i % 3)
            loss += c * difference * difference
            parameter.gradient.storage[i] = Float(2 * c * difference)
        }
        return loss
    }

    @Test func lbfgsMinimisesAQuadratic() {
        let parameter = Parameter(name: "theta", value: Matrix(rows: 1, columns: 8, repeating: 5))
        var optimizer = LBFGS()
        var loss = Double.infinity
        for _ in 0..<40 {
            loss = optimizer.step([parameter]) { parameter.zeroGradient(); return Self.quadratic(parameter) }
        }
        #expect(loss < 1e-6, "L-BFGS stopped at \(loss)")
    }

    /// L-BFGS counts its loss/gradient evaluations: the first point's plus every line-search trial.
    /// On this bowl the unit step of a quasi-Newton direction is accepted from the third iteration on.
    @Test func lbfgsCountsEvaluationsPerIteration() {
        let parameter = Parameter(name: "theta", value: Matrix(rows: 1, columns: 8, repeating: 5))
        var optimizer = LBFGS()
        var calls = 0, perStep: [Int] = [], lengths: [Double] = []
        for _ in 0..<12 {
            _ = optimizer.step([parameter]) { calls += 1; parameter.zeroGradient(); return Self.quadratic(parameter) }
            perStep.append(optimizer.lastStepEvaluations)
            lengths.append(optimizer.lastStepLength)
        }
        #expect(optimizer.evaluationCount == calls)
        #expect(perStep.reduce(0, +) == calls)
        #expect(perStep[0] >= 2)                                   // the first point, then ≥ 1 trial
        #expect(perStep.dropFirst().allSatisfy { $0 >= 1 })
        #expect(perStep.dropFirst(2).allSatisfy { $0 == 1 }, "evaluations per iteration: \(perStep)")
        #expect(lengths.dropFirst(2).allSatisfy { $0 == 1 }, "step lengths: \(lengths)")
    }

    /// A restored L-BFGS (pairs from its checkpoint state, cached curvatures recomputed) takes the
    /// same next step as the one that kept running.
    @Test func lbfgsRestoredFromItsStateTakesTheSameStep() throws {
        let a = Parameter(name: "theta", value: Matrix(rows: 1, columns: 8, repeating: 5))
        var optimizer = LBFGS()
        for _ in 0..<4 { _ = optimizer.step([a]) { a.zeroGradient(); return Self.quadratic(a) } }
        var restored = LBFGS()
        try restored.restore(optimizer.checkpointState)
        let b = Parameter(name: "theta", value: a.value)
        _ = optimizer.step([a]) { a.zeroGradient(); return Self.quadratic(a) }
        _ = restored.step([b]) { b.zeroGradient(); return Self.quadratic(b) }
        #expect(a.value == b.value)
    }

    @Test func rpropMinimisesAQuadratic() {
        let parameter = Parameter(name: "theta", value: Matrix(rows: 1, columns: 8, repeating: 5))
        var optimizer = Rprop(learningRate: 0.1)
        var losses: [Double] = []
        for _ in 0..<200 {
            parameter.zeroGradient()
            losses.append(Self.quadratic(parameter))
            optimizer.update([parameter])
        }
        #expect(losses.last! < 1e-3 * losses.first!, "Rprop: \(losses.first!) → \(losses.last!)")
    }

    @Test(arguments: AutoRecConfiguration.OptimizerKind.allCases)
    func autoRecTrainingLossFalls(optimizer: AutoRecConfiguration.OptimizerKind) throws {
        var configuration = AutoRecConfiguration.itemBased
        configuration.hiddenSize = 6
        configuration.optimizer = optimizer
        configuration.epochs = 4
        configuration.iterationsPerEpoch = 5
        configuration.batchSize = 4
        configuration.learningRate = 1e-2
        let ratings = Toy.ratings(20, 12, seed: 3)
        let model = AutoRec(userCount: 20, itemCount: 12, configuration: configuration)
        let summary = try model.fit(train: ratings, validation: ratings) { _ in }
        let losses = summary.epochs.map(\.loss)
        #expect(losses.last! < losses.first!, "\(optimizer): \(losses)")
        let rmse = summary.epochs.compactMap(\.validationMetric)
        #expect(rmse.count == 4 && summary.bestValidationMetric == rmse.min())
    }

    @Test func itemBasedPredictionsMatchADenseReference() {
        var configuration = AutoRecConfiguration.itemBased
        configuration.hiddenSize = 3
        let known = Toy.ratings(9, 7, seed: 4), queries = Toy.ratings(9, 7, seed: 5)
        let model = AutoRec(userCount: 9, itemCount: 7, configuration: configuration)
        let predictions = model.predictions(at: queries, known: known)
        // Dense reference: item i's vector of user ratings through the network, read at user u.
        var z = Kernels.gemm(known.transposed().toDense(), model.encoder.weight.value)       // [items, H]
        Kernels.addRowVector(model.encoder.bias.value, to: &z)
        let hidden = Kernels.activate(z, .sigmoid)
        for u in 0..<9 {
            for e in queries.range(ofRow: u) {
                let i = Int(queries.columnIndices[e])
                var expected = Double(model.decoderBias.value[0, u])
                for h in 0..<3 {
                    expected += Double(hidden[i, h]) * Double(model.decoderWeight.value[u, h])
                }
                #expect(abs(Double(predictions[e]) - expected) < 1e-4)
            }
        }
    }
}
