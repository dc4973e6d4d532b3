import TensorCore
import Kernels
import NeuralNet

/// A scalar loss of some inputs and parameters, with its analytic gradients.
///
/// `evaluate(inputs, &context, backward)` returns the loss (Double) and, when `backward` is true,
/// the analytic gradients w.r.t. each input (same order) and accumulates those w.r.t. `parameters`.
public struct GradientProblem {
    public var parameters: [Parameter]
    public var inputs: [Matrix]
    /// Which inputs to check (e.g. none for a likelihood's target or a sparse layer's data).
    public var checkedInputs: [Int]
    public var seed: UInt64
    public var mode: ForwardContext.Mode
    public var evaluate: (_ inputs: [Matrix], _ context: inout ForwardContext, _ backward: Bool) -> (loss: Double, inputGradients: [Matrix])

    /// A problem over `parameters` and `inputs`, checking the inputs listed in `checkedInputs`.
    public init(parameters: [Parameter], inputs: [Matrix], checkedInputs: [Int], seed: UInt64, mode: ForwardContext.Mode,
                evaluate: @escaping (_ inputs: [Matrix], _ context: inout ForwardContext, _ backward: Bool)
                    -> (loss: Double, inputGradients: [Matrix])) {
        self.parameters = parameters
        self.inputs = inputs
        self.checkedInputs = checkedInputs
        self.seed = seed
        self.mode = mode
        self.evaluate = evaluate
    }
}

/// One compared tensor: the worst entry's relative error.
public struct GradientMismatch: CustomStringConvertible, Sendable {
    public let tensor: String, index: Int, analytic: Double, numeric: Double, error: Double
    public var description: String { "\(tensor)[\(index)]: analytic \(analytic), numeric \(numeric), relative error \(error)" }
}

/// Central-difference gradient checker.
///
/// For every scalar θ_i of every checked tensor, numeric_i = (L(θ + h·e_i) − L(θ − h·e_i)) / 2h with
/// the loss accumulated in Double and the context *re-seeded identically* for each call (so dropout
/// masks and reparameterisation noise are the same in every evaluation). An entry passes when
/// |analytic − numeric| ≤ tolerance · max(|analytic|, |numeric|, floor), where floor = 1e-2 · the
/// largest |numeric| of that tensor (so entries that are ~0 are compared on the tensor's scale) or
/// 1e-4 absolute, whichever is larger.
public struct GradientChecker: Sendable {
    public var step: Float = 1e-2
    public var tolerance: Double = 1e-2

    /// A checker with central-difference step `step` and relative tolerance `tolerance`.
    public init(step: Float = 1e-2, tolerance: Double = 1e-2) {
        self.step = step
        self.tolerance = tolerance
    }

    /// The worst mismatch per tensor, and whether all passed.
    public func check(_ problem: GradientProblem) -> (passed: Bool, worst: [GradientMismatch]) {
        problem.parameters.zeroGradients()
        var context = ForwardContext(mode: problem.mode, seed: problem.seed)
        let analyticInputs = problem.evaluate(problem.inputs, &context, true).inputGradients
        var tensors: [(name: String, analytic: Matrix, numeric: Matrix)] = []

        for parameter in problem.parameters {
            let analytic = parameter.gradient
            var numeric = Matrix(rows: analytic.rows, columns: analytic.columns)
            let original = parameter.value
            for i in 0..<original.count {
                parameter.value.storage[i] = original.storage[i] + step
                let plus = loss(problem, problem.inputs)
                parameter.value.storage[i] = original.storage[i] - step
                let minus = loss(problem, problem.inputs)
                parameter.value = original
                numeric.storage[i] = Float((plus - minus) / (2 * Double(step)))
            }
            tensors.append((parameter.name, analytic, numeric))
        }
        for k in problem.checkedInputs {
            var inputs = problem.inputs
            var numeric = Matrix(rows: inputs[k].rows, columns: inputs[k].columns)
            for i in 0..<inputs[k].count {
                let original = problem.inputs[k].storage[i]
                inputs[k].storage[i] = original + step
                let plus = loss(problem, inputs)
                inputs[k].storage[i] = original - step
                let minus = loss(problem, inputs)
                inputs[k].storage[i] = original
                numeric.storage[i] = Float((plus - minus) / (2 * Double(step)))
            }
            tensors.append(("input\(k)", analyticInputs[k], numeric))
        }

        var passed = true
        var worst: [GradientMismatch] = []
        for tensor in tensors {
            precondition(tensor.analytic.count == tensor.numeric.count,
                         "\(tensor.name): analytic \(tensor.analytic.shapeDescription), numeric \(tensor.numeric.shapeDescription)")
            let scale = tensor.numeric.storage.reduce(0) { max($0, abs(Double($1))) }
            let floor = max(1e-2 * scale, 1e-4)
            var worstHere = GradientMismatch(tensor: tensor.name, index: -1, analytic: 0, numeric: 0, error: 0)
            for i in 0..<tensor.analytic.count {
                let a = Double(tensor.analytic.storage[i]), n = Double(tensor.numeric.storage[i])
                let error = abs(a - n) / max(abs(a), abs(n), floor)
                if error > worstHere.error || worstHere.index < 0 {
                    worstHere = GradientMismatch(tensor: tensor.name, index: i, analytic: a, numeric: n, error: error)
                }
            }
            if worstHere.error > tolerance { passed = false }
            worst.append(worstHere)
        }
        return (passed, worst)
    }

    private func loss(_ problem: GradientProblem, _ inputs: [Matrix]) -> Double {
        var context = ForwardContext(mode: problem.mode, seed: problem.seed)
        return problem.evaluate(inputs, &context, false).loss
    }
}

/// Deterministic test data.
public enum Fixtures {
    public static func matrix(_ rows: Int, _ columns: Int, seed: UInt64, scale: Float = 1) -> Matrix {
        var rng = RandomGenerator(seed: seed)
        return Kernels.randomNormal(rows: rows, columns: columns, standardDeviation: scale, using: &rng)
    }

    /// A dense 0/1 matrix (about half ones).
    public static func binary(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix {
        Matrix(rows: rows, columns: columns, storage: matrix(rows, columns, seed: seed).storage.map { $0 > 0 ? 1 : 0 })
    }

    /// A CSR batch with roughly `density` of the entries set to small positive counts, one empty row.
    public static func sparse(_ rows: Int, _ columns: Int, seed: UInt64, density: Float = 0.4) -> SparseMatrix {
        var rng = RandomGenerator(seed: seed)
        var triplets: [(row: Int, column: Int, value: Float)] = []
        for r in 0..<rows where r != 1 {
            for c in 0..<columns where rng.nextUniform() < density {
                triplets.append((r, c, Float(1 + rng.nextBelow(3))))
            }
        }
        return SparseMatrix(rows: rows, columns: columns, triplets: triplets)
    }
}
