import Testing
import ModelKit
import Kernels
import RecCore
import TensorCore
@testable import AutoRecModule
@testable import NeuralNet

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

    /// The trace's record of each iteration agrees with what the step did: f₀ is the previous
    /// iteration's loss, every trial but the accepted last one broke its Armijo bound
    /// f₀ + c₁·t·gᵀd, the accepted length and the trial count are the step's own, and a pair with
    /// yᵀs > 1e-10 is kept (on this convex bowl, always).
    @Test func lbfgsTraceRecordsEveryTrialAndTheAcceptedStep() {
        let parameter = Parameter(name: "theta", value: Matrix(rows: 1, columns: 8, repeating: 5))
        var optimizer = LBFGS()
        var previous = Double.nan
        for iteration in 1...6 {
            let loss = optimizer.step([parameter]) { parameter.zeroGradient(); return Self.quadratic(parameter) }
            let trace = optimizer.trace
            #expect(trace.iteration == iteration)
            if iteration > 1 { #expect(trace.startLoss == previous) }
            #expect(trace.slope < 0 && trace.pairs == min(iteration - 1, optimizer.historySize) && !trace.clearedHistory)
            #expect(trace.trials.count == optimizer.lastStepEvaluations - (iteration == 1 ? 1 : 0))
            for (index, trial) in trace.trials.enumerated() {
                #expect(trial.bound == trace.startLoss + optimizer.sufficientDecrease * trial.length * trace.slope)
                #expect((trial.loss <= trial.bound) == (index == trace.trials.count - 1), "iteration \(iteration): \(trace.description)")
            }
            #expect(trace.trials.last?.length == optimizer.lastStepLength && trace.trials.last?.loss == loss)
            #expect(trace.keptPair && (trace.curvature ?? 0) > 1e-10)
            #expect(trace.description.hasPrefix("iteration \(iteration), f0 "))
            previous = loss
        }
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

    /// Rosenbrock's valley, f(x, y) = (1 − x)² + 100·(y − x²)², from (−1.2, 1).
    static func rosenbrock(_ parameter: Parameter) -> Double {
        let x = Double(parameter.value.storage[0]), y = Double(parameter.value.storage[1])
        parameter.gradient.storage[0] = Float(-2 * (1 - x) - 400 * x * (y - x * x))
        parameter.gradient.storage[1] = Float(200 * (y - x * x))
        return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
    }

    /// Every strong-Wolfe step satisfies both conditions, checked from outside: with s = θ₁ − θ₀,
    /// f₁ ≤ f₀ + c₁·g₀ᵀs and |g₁ᵀs| ≤ c₂·|g₀ᵀs|; and the search reaches the valley's minimum.
    @Test func strongWolfeStepsSatisfyBothConditionsOnRosenbrock() {
        let parameter = Parameter(name: "xy", value: Matrix([[-1.2, 1]]))
        var optimizer = LBFGS(lineSearch: .strongWolfe)
        parameter.zeroGradient()
        var loss = Self.rosenbrock(parameter)
        var checked = 0
        for _ in 0..<60 where loss > 1e-9 {
            let before = parameter.value, gradientBefore = parameter.gradient
            let next = optimizer.step([parameter]) { parameter.zeroGradient(); return Self.rosenbrock(parameter) }
            let step = Kernels.subtract(parameter.value, before)
            let slopeBefore = Kernels.dot(gradientBefore, step), slopeAfter = Kernels.dot(parameter.gradient, step)
            #expect(next <= loss + 1e-4 * slopeBefore + 1e-12, "sufficient decrease: \(loss) → \(next)")
            if loss > 1e-6 {                       // near the optimum float rounding blurs the slopes
                #expect(abs(slopeAfter) <= 0.9 * abs(slopeBefore) * (1 + 1e-3), "curvature: \(slopeBefore) → \(slopeAfter)")
                checked += 1
            }
            loss = next
        }
        #expect(loss < 1e-8, "stopped at \(loss), x y = \(parameter.value.storage)")
        #expect(checked >= 10)
    }

    @Test(arguments: LBFGS.LineSearch.allCases)
    func lbfgsMinimisesAQuadraticWithEitherLineSearch(lineSearch: LBFGS.LineSearch) {
        let parameter = Parameter(name: "theta", value: Matrix(rows: 1, columns: 8, repeating: 5))
        var optimizer = LBFGS(lineSearch: lineSearch)
        var loss = Double.infinity
        for _ in 0..<40 {
            loss = optimizer.step([parameter]) { parameter.zeroGradient(); return Self.quadratic(parameter) }
        }
        #expect(loss < 1e-6, "\(lineSearch) stopped at \(loss)")
    }

    /// The interpolating cubic of a parabola is the parabola: (t − 2)² from t = 0 and t = 3 gives 2;
    /// a bound clamps it; a non-finite loss gives the midpoint.
    @Test func cubicMinimiserOfAParabola() {
        let a = LBFGS.LinePoint(length: 0, loss: 4, slope: -4, gradient: [])
        let b = LBFGS.LinePoint(length: 3, loss: 1, slope: 2, gradient: [])
        #expect(abs(LBFGS.cubicMinimiser(a, b, lower: 0, upper: 3) - 2) < 1e-12)
        #expect(abs(LBFGS.cubicMinimiser(b, a, lower: 0, upper: 3) - 2) < 1e-12)
        #expect(LBFGS.cubicMinimiser(a, b, lower: 2.5, upper: 3) == 2.5)
        var infinite = b
        infinite.loss = .infinity
        #expect(LBFGS.cubicMinimiser(a, infinite, lower: 0, upper: 3) == 1.5)
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
        let summary = try model.fit(FitRequest(train: ratings, validation: Self.rmse(on: ratings)))
        let losses = summary.epochs.map(\.loss)
        #expect(losses.last! < losses.first!, "\(optimizer): \(losses)")
        let rmse = summary.epochs.compactMap(\.validationMetric)
        #expect(rmse.count == 4 && summary.bestValidationMetric == rmse.min())
    }

    /// `--set u-autorec.line-search=strong-wolfe` reaches the optimizer; a bad value names the key
    /// and the choices; the toy loss falls with it.
    @Test func lineSearchOption() throws {
        let options = ModelOptions(seed: 1, overrides: ["line-search": "strong-wolfe", "hidden": "6", "epochs": "4",
                                                        "iterations": "5"])
        let configuration = try AutoRecConfiguration.from(options, base: .userBased, model: "u-autorec")
        #expect(configuration.lineSearch == .strongWolfe && AutoRecConfiguration.userBased.lineSearch == .armijo)
        #expect {
            try AutoRecConfiguration.from(ModelOptions(overrides: ["line-search": "wolfe"]), base: .userBased, model: "u-autorec")
        } throws: { "\($0)".contains("line-search") && "\($0)".contains("strong-wolfe") }
        let ratings = Toy.ratings(20, 12, seed: 3)
        let model = AutoRec(userCount: 20, itemCount: 12, configuration: configuration)
        let losses = try model.fit(FitRequest(train: ratings, validation: Self.rmse(on: ratings))).epochs.map(\.loss)
        #expect(losses.count == 4 && losses.last! < losses.first!, "\(losses)")
    }

    @Test func itemBasedPredictionsMatchADenseReference() {
        var configuration = AutoRecConfiguration.itemBased
        configuration.hiddenSize = 3
        let known = Toy.ratings(9, 7, seed: 4), queries = Toy.ratings(9, 7, seed: 5)
        let model = AutoRec(userCount: 9, itemCount: 7, configuration: configuration)
        let predictions = model.scores(at: queries, known: known)
        // Dense reference: item i's vector of user ratings through the network, read at user u.
        var z = Kernels.gemm(known.transposed().toDense(), model.encoder.weight.value)       // [items, H]
        Kernels.addRowVector(model.encoder.bias.value, to: &z)
        let hidden = Kernels.activate(z, .sigmoid)
        for u in 0..<9 {
            for e in queries.range(ofRow: u) {
                let i = Int(queries.columnIndices[e])
                var expected = Double(model.decoder.bias.value[0, u])
                for h in 0..<3 {
                    expected += Double(hidden[i, h]) * Double(model.decoder.weight.value[u, h])
                }
                #expect(abs(Double(predictions[e]) - expected) < 1e-4)
            }
        }
    }

    /// The dense scores (`scores(for:)`) agree with the sampled ones at every position, both orientations.
    @Test(arguments: AutoRecConfiguration.Orientation.allCases)
    func denseScoresAgreeWithTheSampledDecoder(orientation: AutoRecConfiguration.Orientation) {
        var configuration = AutoRecConfiguration.itemBased
        configuration.orientation = orientation
        configuration.hiddenSize = 3
        let known = Toy.ratings(9, 7, seed: 4), queries = Toy.ratings(9, 7, seed: 5)
        let model = AutoRec(userCount: 9, itemCount: 7, configuration: configuration)
        let sampled = model.scores(at: queries, known: known)
        let dense = model.scores(for: known)
        #expect(dense.rows == 9 && dense.columns == 7)
        for u in 0..<9 {
            for e in queries.range(ofRow: u) {
                #expect(abs(dense[u, Int(queries.columnIndices[e])] - sampled[e]) < 1e-5)
            }
        }
    }

    /// RMSE on `ratings` with themselves as the known ratings: the rating task's validation rule.
    static func rmse(on ratings: SparseMatrix) -> TaskValidation {
        TaskValidation(metric: RatingTask().validationMetric) { RatingTask.errors(of: $0, test: ratings, train: ratings).rmse }
    }
}
